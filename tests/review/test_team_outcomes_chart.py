"""The team's outcomes over time (issue #13): the reliable improvement rate per quarter with its
Wilson interval, quarters with too few patients suppressed, drawn as a cached PNG and shown on the
team review with a caption in plain words."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from painclinic import estimates
from review import charts, selectors
from tests.assessment.factories import answers_all, signed_result
from tests.factories import EpisodeFactory

pytestmark = pytest.mark.django_db

TODAY = date.today()
THIS_QUARTER = selectors._quarter_start(TODAY)
LAST_QUARTER_DAY = THIS_QUARTER - timedelta(days=10)


def _patient_with_tsk11(team, lead, first_code, last_code, last_on):
    episode = EpisodeFactory(
        team=team, lead_clinician=lead, care_team=[lead], referral_date=TODAY - timedelta(days=300)
    )
    for code, on in ((first_code, last_on - timedelta(days=60)), (last_code, last_on)):
        signed_result(
            patient=episode.patient,
            key="tsk11",
            answers=answers_all("tsk11", code),
            actor=lead,
            on=on,
        )
    return episode


@pytest.fixture
def outcomes(north, ana):
    # This quarter: three patients reliably improved (TSK-11 44 -> 11), one worse (11 -> 44).
    for _ in range(3):
        _patient_with_tsk11(north, ana, 4, 1, TODAY)
    _patient_with_tsk11(north, ana, 1, 4, TODAY)
    # Last quarter: two patients only, below the minimum: suppressed.
    for _ in range(2):
        _patient_with_tsk11(north, ana, 4, 1, LAST_QUARTER_DAY)


def test_the_rate_per_quarter_has_its_wilson_interval_and_small_quarters_are_suppressed(
    bob, outcomes
):
    quarters = selectors.team_outcomes_by_quarter(bob, today=TODAY, min_n=3)
    assert len(quarters) == 8
    assert quarters[-1].start == THIS_QUARTER
    now, before = quarters[-1], quarters[-2]
    assert now.n == 4
    assert now.estimate == estimates.wilson_interval(3, 4)
    assert before.n == 2
    assert before.estimate is None
    assert all(q.n == 0 and q.estimate is None for q in quarters[:-2])


def test_another_teams_lead_sees_none_of_norths_outcomes(fay, outcomes):
    assert all(q.n == 0 for q in selectors.team_outcomes_by_quarter(fay, min_n=3))


def test_the_chart_is_a_png_drawn_once_per_data_version(client, bob, outcomes, settings):
    settings.PROGRAMME_MIN_AGGREGATE_N = 3
    client.force_login(bob)
    first = client.get(reverse("team:outcomes_chart"))
    assert first.status_code == 200
    assert first["Content-Type"] == "image/png"
    assert first.content.startswith(b"\x89PNG")
    again = client.get(reverse("team:outcomes_chart"))
    assert again["ETag"] == first["ETag"]
    spec = charts.spec_of(selectors.team_outcomes_by_quarter(bob, min_n=3), 3)
    assert first["ETag"] == f'"{charts.chart_key(spec).rsplit(":", 1)[-1]}"'


def test_the_review_shows_the_chart_with_a_caption_and_the_figures(client, bob, outcomes, settings):
    settings.PROGRAMME_MIN_AGGREGATE_N = 3
    client.force_login(bob)
    dashboard = client.get(reverse("team:dashboard")).content.decode()
    assert reverse("team:outcomes") in dashboard
    fragment = client.get(reverse("team:outcomes")).content.decode()
    assert "fewer than 3 patients: not shown" in fragment
    assert "75%" in fragment
    assert "95% interval" in fragment


def test_the_chart_is_for_team_leads(client, ana, priya):
    for user in (ana, priya):
        client.force_login(user)
        assert client.get(reverse("team:outcomes_chart")).status_code == 403
        assert client.get(reverse("team:outcomes")).status_code == 403


def test_a_team_with_no_outcomes_yet_reads_a_sentence_not_an_empty_chart(client, fay):
    client.force_login(fay)
    fragment = client.get(reverse("team:outcomes")).content.decode()
    assert "No patient of the team has a first and a later outcome questionnaire" in fragment
    assert "<img" not in fragment
