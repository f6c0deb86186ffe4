"""Demo PMP: one programme and one cohort with Susan enrolled. Idempotent: run it again and
nothing is added twice. Called after seed_demo (make run)."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from painclinic.models import Discipline, Role, Team, User
from patients.models import Patient
from programmes import services
from programmes.models import Component, Enrolment, Programme, ProgrammeKind, SessionLength

PROGRAMME = "Outpatient PMP"
COHORT = "Demo cohort"
STAFF = (
    ("Dr Asha Rao", Discipline.DOCTOR),
    ("Psychologist (demo)", Discipline.PSYCHOLOGIST),
    ("Physiotherapist (demo)", Discipline.PHYSIOTHERAPIST),
)


class Command(BaseCommand):
    help = "Seed one demo PMP programme and cohort with Susan enrolled (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        susan = Patient.objects.filter(identifier="DEMO-SUSAN").first()
        if susan is None:
            raise CommandError("Run seed_demo first: the demo patient Susan is missing.")
        episode = susan.episodes.select_related("team", "lead_clinician").first()
        team: Team = episode.team
        actor = (
            User.objects.filter(role=Role.PROGRAMME_ADMIN, memberships__team=team).first()
            or episode.lead_clinician
        )
        programme = Programme.objects.filter(
            team=team, name=PROGRAMME
        ).first() or services.programme_create(
            actor=actor, team=team, name=PROGRAMME, kind=ProgrammeKind.OUTPATIENT
        )
        cohort = programme.cohorts.filter(name=COHORT).first()
        if cohort is None:
            start = date.today() - timedelta(weeks=2)
            cohort = services.cohort_create(
                actor=actor,
                programme=programme,
                data={
                    "name": COHORT,
                    "start_date": start,
                    "end_date": start + timedelta(weeks=12),
                    "venue": "Outpatient gym, Level 2",
                    "capacity": 10,
                },
            )
            for name, discipline in STAFF:
                services.staff_add(actor=actor, cohort=cohort, name=name, discipline=discipline)
            services.sessions_add(
                actor=actor,
                cohort=cohort,
                first_date=start,
                length=SessionLength.MORNING,
                hours=None,
                components=[Component.EDUCATION, Component.CBT, Component.EXERCISE],
                weeks=12,
            )
        enrolment = Enrolment.objects.filter(patient=susan, programme=programme).first()
        if enrolment is None:
            enrolment = services.enrolment_refer(
                actor=episode.lead_clinician,
                patient=susan,
                programme=programme,
                referred_on=max(episode.referral_date, date.today() - timedelta(weeks=4)),
            )
            # The screening is a clinician's entry (programmes.policy): Susan's lead records it.
            services.screening_record(
                actor=episode.lead_clinician,
                enrolment=enrolment,
                data={"readiness": "ready"},
                screened_on=date.today(),
            )
            services.enrolment_transition(
                actor=actor,
                enrolment=enrolment,
                to_state="offered",
                changed_on=date.today(),
                cohort=cohort,
            )
            services.enrolment_transition(
                actor=actor, enrolment=enrolment, to_state="enrolled", changed_on=date.today()
            )
        self.stdout.write(
            f"PMP demo: {programme} / {cohort} with {susan} ({enrolment.get_state_display()})."
        )
