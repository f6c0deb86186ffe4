"""The alliance session by session with the rated clinician named on each point, and the
outcomes per clinician on the lead's page with the reference's cautions (issue #13)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from assessment import services
from assessment.models import Administration, TimePoint
from patients import services as patient_services
from quality import selectors
from tests.assessment.factories import answers_all, signed_result
from tests.factories import ContactFactory, EpisodeFactory


def _waisr(patient, actor, code, days_ago, rated=None):
    session = services.session_start(
        actor=actor,
        patient=patient,
        episode=patient.episodes.get(),
        time_point=TimePoint.REVIEW,
        instrument_keys=["waisr"],
        rated_clinician=rated,
        on=date.today() - timedelta(days=days_ago),
    )
    return services.administration_sign(
        actor=actor,
        administration=session.administrations.get(),
        answers={str(i): code for i in range(1, 13)},
    )


@pytest.mark.django_db
def test_the_alliance_series_names_the_rated_clinician_of_each_session(jannick, ana, bob, dina):
    _waisr(jannick, ana, 4, 21)
    _waisr(jannick, ana, 2, 14)
    patient_services.patient_reassign(actor=bob, episode=jannick.episodes.get(), to_clinician=dina)
    _waisr(jannick, dina, 5, 7)
    series = selectors.alliance_series(jannick)
    assert [(p.number, p.total, p.rated) for p in series.points] == [
        (1, 48, "Ana Costa"),
        (2, 24, "Ana Costa"),
        (3, 60, "Dina Okafor"),
    ]
    # No reliability for the WAI-SR in the reference: no cue, even on a fall of 24 points.
    assert series.smallest_fall is None
    assert not any(p.rupture for p in series.points)


@pytest.mark.django_db
def test_the_alliance_page_says_why_there_is_no_rupture_cue_and_the_chart_is_a_png(
    client, jannick, ana
):
    _waisr(jannick, ana, 4, 14)
    # A rating from before the rated clinician was recorded (the migration could not tell).
    session = services.session_start(
        actor=ana,
        patient=jannick,
        episode=jannick.episodes.get(),
        time_point=TimePoint.REVIEW,
        instrument_keys=["waisr"],
        on=date.today() - timedelta(days=7),
    )
    Administration.objects.filter(session=session).update(rated_clinician=None)
    services.administration_sign(
        actor=ana,
        administration=session.administrations.get(),
        answers={str(i): 3 for i in range(1, 13)},
    )
    client.force_login(ana)
    page = client.get(reverse("quality:alliance", kwargs={"patient_id": jannick.pk}))
    text = page.content.decode()
    assert "No rupture cue is drawn" in text
    assert "not recorded" in text
    chart = client.get(reverse("quality:alliance_chart", kwargs={"patient_id": jannick.pk}))
    assert chart["Content-Type"] == "image/png"
    assert chart.content.startswith(b"\x89PNG")


@pytest.mark.django_db
def test_the_alliance_chart_is_a_404_without_ratings(client, jannick, ana):
    client.force_login(ana)
    url = reverse("quality:alliance_chart", kwargs={"patient_id": jannick.pk})
    assert client.get(url).status_code == 404


def _case(north, lead, fear, later_fear, mood=2):
    """Fear of movement (TSK-11, 11–44) first and later; PHQ-9 at the start and later (mood 2 on
    every item is 18, a severe band: the case mix)."""
    episode = EpisodeFactory(team=north, lead_clinician=lead, care_team=[lead], status="active")
    ContactFactory(episode=episode, clinician=lead)
    for key, codes in (("tsk11", (fear, later_fear)), ("phq9", (mood, mood))):
        for code, days_ago in zip(codes, (60, 5), strict=True):
            signed_result(
                patient=episode.patient,
                key=key,
                answers=answers_all(key, code),
                actor=lead,
                on=date.today() - timedelta(days=days_ago),
            )
    return episode


@pytest.mark.django_db
def test_outcomes_per_clinician_are_hidden_below_the_minimum_and_shown_with_intervals_above(
    client, settings, north, ana, bob, dina
):
    settings.THERAPIST_OUTCOME_MIN_CASES = 3
    for _ in range(3):
        _case(north, ana, 4, 1)  # TSK-11 44 -> 11: reliably improved
    _case(north, dina, 2, 2, mood=0)  # one case only, no change, not severe
    data = selectors.therapist_outcomes(bob)
    rows = {r.clinician: r for r in data.rows}
    assert rows[ana].cases == 3
    assert rows[ana].improved == 3
    assert rows[ana].severe_at_start == 3
    assert rows[ana].estimate is not None
    assert rows[ana].estimate.low is not None
    assert rows[dina].cases == 1
    assert rows[dina].estimate is None
    assert rows[dina].improved == 0
    assert rows[dina].severe_at_start == 0
    client.force_login(bob)
    page = client.get(reverse("quality:outcomes")).content.decode()
    assert "about 5 in every 100" in page
    assert "Not shown: fewer than 3 patients." in page
    assert "started in a severe band" in page
