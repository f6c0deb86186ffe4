"""Episode.last_signed_assessment is a summary the team review reads for its "overdue review"
list (issue #16). The services keep it current: signing and amending recompute it from the
signed results; a discharge or a reassignment keeps it. Each test compares it with the date the
signed results give, so a service that forgot the upkeep fails here."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from assessment import services
from patients import services as patient_services
from patients.models import Episode
from tests.assessment.factories import answers_all, signed_result

pytestmark = pytest.mark.django_db

TODAY = date.today()


def _summary(episode) -> date | None:
    return Episode.objects.values_list("last_signed_assessment", flat=True).get(pk=episode.pk)


def test_a_new_episode_has_no_signed_assessment(jannick):
    assert _summary(jannick.episodes.get()) is None


def test_signing_sets_the_date_of_the_latest_signed_assessment(jannick, ana):
    episode = jannick.episodes.get()
    signed_result(
        patient=jannick,
        key="phq9",
        answers=answers_all("phq9", 1),
        actor=ana,
        on=TODAY - timedelta(days=30),
    )
    assert _summary(episode) == TODAY - timedelta(days=30)
    signed_result(
        patient=jannick,
        key="phq9",
        answers=answers_all("phq9", 2),
        actor=ana,
        on=TODAY - timedelta(days=3),
    )
    assert _summary(episode) == TODAY - timedelta(days=3)
    # A result signed later for an earlier session does not move the date back.
    signed_result(
        patient=jannick,
        key="phq9",
        answers=answers_all("phq9", 0),
        actor=ana,
        on=TODAY - timedelta(days=60),
    )
    assert _summary(episode) == TODAY - timedelta(days=3)


def test_an_amendment_that_makes_the_latest_result_unscorable_moves_the_date_back(jannick, ana):
    episode = jannick.episodes.get()
    signed_result(
        patient=jannick,
        key="phq9",
        answers=answers_all("phq9", 1),
        actor=ana,
        on=TODAY - timedelta(days=40),
    )
    latest = signed_result(
        patient=jannick,
        key="phq9",
        answers=answers_all("phq9", 2),
        actor=ana,
        on=TODAY - timedelta(days=5),
    )
    assert _summary(episode) == TODAY - timedelta(days=5)
    services.administration_amend(
        actor=ana, administration=latest, answers={"1": 2}, reason="Only the first item was asked"
    )
    latest.refresh_from_db()
    assert latest.current_score["scorable"] is False
    assert _summary(episode) == TODAY - timedelta(days=40)
    # ... and an amendment that makes it scorable again brings the date forward again.
    services.administration_amend(
        actor=ana, administration=latest, answers=answers_all("phq9", 2), reason="Form found"
    )
    assert _summary(episode) == TODAY - timedelta(days=5)


def test_discharge_and_reassignment_keep_the_date(jannick, ana, bob, dina):
    episode = jannick.episodes.get()
    signed_result(
        patient=jannick,
        key="phq9",
        answers=answers_all("phq9", 1),
        actor=ana,
        on=TODAY - timedelta(days=12),
    )
    stale = Episode.objects.get(pk=episode.pk)
    patient_services.patient_reassign(actor=bob, episode=stale, to_clinician=dina)
    assert _summary(episode) == TODAY - timedelta(days=12)
    patient_services.episode_change_status(
        actor=ana,
        episode=stale,
        to_status="discharged",
        changed_on=TODAY,
        discharge_reason="goals_met",
    )
    assert _summary(episode) == TODAY - timedelta(days=12)
