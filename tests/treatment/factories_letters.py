"""Records the letters need that the treatment factories do not make: an earlier, discharged
episode, and a place on a programme that has ended (issue #14)."""

from __future__ import annotations

from datetime import date, timedelta

from patients.models import DischargeReason, Episode, EpisodeStatus
from programmes.models import Cohort, Enrolment, EnrolmentState, Programme, ProgrammeKind
from tests.factories import EpisodeFactory


def discharged_episode_for(patient, actor, *, days_ago: int = 200) -> Episode:
    """An earlier episode of ``patient`` in the team of the current one, discharged ``days_ago``
    days ago with the goals met (the current episode stays current: it was referred later)."""
    current = Episode.objects.filter(patient=patient).order_by("-referral_date").first()
    referred = date.today() - timedelta(days=days_ago + 180)
    return EpisodeFactory(
        patient=patient,
        team=current.team,
        lead_clinician=actor,
        care_team=[actor],
        referral_date=referred,
        status=EpisodeStatus.DISCHARGED,
        status_since=date.today() - timedelta(days=days_ago),
        discharge_date=date.today() - timedelta(days=days_ago),
        discharge_reason=DischargeReason.GOALS_MET,
    )


def participant_for(patient, actor, *, weeks_ago: int = 2) -> Enrolment:
    """``patient`` enrolled in an 8-week cohort that ended ``weeks_ago`` weeks ago."""
    team = Episode.objects.filter(patient=patient).first().team
    programme, _ = Programme.objects.get_or_create(
        team=team, name="Outpatient pain management programme", kind=ProgrammeKind.OUTPATIENT
    )
    end = date.today() - timedelta(weeks=weeks_ago)
    cohort = Cohort.objects.create(
        programme=programme,
        name="Spring group",
        start_date=end - timedelta(weeks=8),
        end_date=end,
        venue="Outpatient gym",
        capacity=10,
        created_by=actor,
    )
    return Enrolment.objects.create(
        programme=programme,
        cohort=cohort,
        patient=patient,
        state=EnrolmentState.ENROLLED,
        state_since=end - timedelta(weeks=8),
        referred_on=end - timedelta(weeks=12),
        referred_by=actor,
    )
