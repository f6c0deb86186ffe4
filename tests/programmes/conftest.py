from __future__ import annotations

from datetime import date, timedelta

import pytest

from painclinic.models import Discipline
from programmes import services
from programmes.models import Component, ProgrammeKind, SessionLength
from tests.factories import EpisodeFactory, PatientFactory


@pytest.fixture
def pmp(north, priya):
    return services.programme_create(
        actor=priya, team=north, name="Outpatient PMP North", kind=ProgrammeKind.OUTPATIENT
    )


@pytest.fixture
def cohort(pmp, priya):
    # Twelve weekly sessions from the start reach today: attendance can be recorded for each.
    start = date.today() - timedelta(weeks=11)
    return services.cohort_create(
        actor=priya,
        programme=pmp,
        data={
            "name": "Spring cohort",
            "start_date": start,
            "end_date": start + timedelta(weeks=12),
            "venue": "Outpatient gym, Level 2",
            "capacity": 10,
        },
    )


@pytest.fixture
def full_cohort(cohort, priya):
    """A timetable of 12 morning half-days (36 h) and a doctor, psychologist, physiotherapist."""
    services.sessions_add(
        actor=priya,
        cohort=cohort,
        first_date=cohort.start_date,
        length=SessionLength.MORNING,
        hours=None,
        components=[Component.EDUCATION, Component.EXERCISE],
        weeks=12,
    )
    for name, discipline in (
        ("Dr Rao", Discipline.DOCTOR),
        ("Dina Okafor", Discipline.PSYCHOLOGIST),
        ("Ana Costa", Discipline.PHYSIOTHERAPIST),
    ):
        services.staff_add(actor=priya, cohort=cohort, name=name, discipline=discipline)
    return cohort


@pytest.fixture
def susan_referred(susan, ana, pmp):
    return services.enrolment_refer(
        actor=ana, patient=susan, programme=pmp, referred_on=date.today() - timedelta(days=10)
    )


def enrol(enrolment, cohort, actor, readiness="ready", screener=None):
    """Screen (by the patient's lead clinician: a clinician's entry), offer and enrol."""
    screener = screener or enrolment.patient.episodes.first().lead_clinician
    services.screening_record(
        actor=screener,
        enrolment=enrolment,
        data={"readiness": readiness},
        screened_on=date.today(),
    )
    services.enrolment_transition(
        actor=actor, enrolment=enrolment, to_state="offered", changed_on=date.today(), cohort=cohort
    )
    return services.enrolment_transition(
        actor=actor, enrolment=enrolment, to_state="enrolled", changed_on=date.today()
    )


def attend(enrolment, sessions, actor):
    """Mark the participant present at each of ``sessions`` (past sessions only)."""
    for session in sessions:
        services.attendance_record(actor=actor, session=session, marks={enrolment: True})


def north_patient(ana, north, **fields):
    """A patient on Ana's caseload in the North team (Ana can screen them)."""
    patient = PatientFactory(**fields)
    EpisodeFactory(patient=patient, team=north, lead_clinician=ana, care_team=[ana])
    return patient
