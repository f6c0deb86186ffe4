"""One rule for "the current episode": the most recent open episode, or none when none is open.

Assessment, treatment, the red-flag screen, programmes and the record page all ask
``Episode.objects.current_for(patient)`` (or ``current_among`` on the episodes the record page
has already loaded); these stories pin what it answers.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from patients.models import Episode, EpisodeStatus, current_among
from patients.selectors import patient_overview
from tests.factories import EpisodeFactory, PatientFactory

pytestmark = pytest.mark.django_db

TODAY = date.today()


def _discharged(patient, *, referred_days_ago: int) -> Episode:
    return EpisodeFactory(
        patient=patient,
        referral_date=TODAY - timedelta(days=referred_days_ago),
        status=EpisodeStatus.DISCHARGED,
        discharge_date=TODAY - timedelta(days=1),
        discharge_reason="goals_met",
    )


def test_a_patient_not_yet_referred_has_no_current_episode() -> None:
    patient = PatientFactory()
    assert Episode.objects.current_for(patient) is None
    assert Episode.objects.current_or_last_for(patient) is None
    assert patient_overview(patient)["current_episode"] is None


def test_after_discharge_there_is_no_current_episode_but_follow_up_finds_the_last_one() -> None:
    patient = PatientFactory()
    older = _discharged(patient, referred_days_ago=400)
    latest = _discharged(patient, referred_days_ago=90)

    assert older != latest
    assert Episode.objects.current_for(patient) is None
    assert patient_overview(patient)["current_episode"] is None
    # A follow-up assessment after discharge belongs to the episode it follows.
    assert Episode.objects.current_or_last_for(patient) == latest


def test_a_re_referral_while_the_old_episode_is_on_hold_makes_the_newer_one_current() -> None:
    patient = PatientFactory()
    on_hold = EpisodeFactory(
        patient=patient,
        referral_date=TODAY - timedelta(days=200),
        status=EpisodeStatus.ON_HOLD,
    )
    newer = EpisodeFactory(
        patient=patient, referral_date=TODAY - timedelta(days=10), status=EpisodeStatus.REFERRED
    )

    assert on_hold.is_open
    assert newer.is_open
    assert Episode.objects.current_for(patient) == newer
    assert patient_overview(patient)["current_episode"] == newer


def test_two_open_episodes_referred_the_same_day_give_the_one_created_last() -> None:
    patient = PatientFactory()
    first = EpisodeFactory(patient=patient, referral_date=TODAY - timedelta(days=5))
    second = EpisodeFactory(patient=patient, referral_date=TODAY - timedelta(days=5))

    assert second.pk > first.pk
    assert Episode.objects.current_for(patient) == second
    assert current_among([second, first]) == second
    assert current_among([first, second]) == second


def test_an_open_episode_is_current_even_when_a_later_referral_was_discharged() -> None:
    patient = PatientFactory()
    open_ = EpisodeFactory(patient=patient, referral_date=TODAY - timedelta(days=300))
    _discharged(patient, referred_days_ago=20)

    assert Episode.objects.current_for(patient) == open_
    assert Episode.objects.current_or_last_for(patient) == open_
    assert patient_overview(patient)["current_episode"] == open_


def test_another_patients_open_episode_is_never_current() -> None:
    patient = PatientFactory()
    EpisodeFactory(status=EpisodeStatus.ACTIVE)  # someone else's
    assert Episode.objects.current_for(patient) is None
