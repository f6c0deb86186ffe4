"""Demo: one patient on Ana's caseload has just answered PHQ-9 item 9 ("several days") through a
self-report link, and nobody has responded yet, so a new user sees the safety workflow at once:
the banner, the caseload badge, the notification, and the team lead's list (issue #10).

Written through the real services (the patient's link, answer by answer, then "send").
Idempotent: does nothing once a demo signal exists. Run after seed_demo.
"""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand
from django.db import transaction

from assessment import services as assessment_services
from assessment.models import TimePoint
from painclinic.models import User
from patients import services as patients_services
from patients.models import OPEN_STATUSES, ConsentKind, ConsentState, Episode
from safety.models import RiskSignal, SignalSource

# Answers of a moderately low mood with item 9 = 1 ("several days"): the item, not the total,
# raises the signal (shared/reference/safety.md §1).
PHQ9_ANSWERS = {"1": 2, "2": 2, "3": 2, "4": 1, "5": 1, "6": 2, "7": 1, "8": 0, "9": 1, "10": 1}


class Command(BaseCommand):
    help = "Give one of Ana's patients an unanswered self-harm signal from a self-report link."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        if RiskSignal.objects.filter(source=SignalSource.PATIENT_LINK).exists():
            self.stdout.write("Safety demo data already present.")
            return
        try:
            ana = User.objects.get(username="ana")
        except User.DoesNotExist:
            self.stderr.write("Run `manage.py seed_demo` first.")
            return
        # A synthetic caseload patient, so Jannick's and Susan's stories stay as they are.
        episode = (
            Episode.objects.filter(
                care_team__user=ana,
                lead_clinician=ana,
                status__in=OPEN_STATUSES,
                patient__identifier__startswith="SYN-",
            )
            .select_related("patient")
            .order_by("patient__identifier")
            .first()
        )
        if episode is None:
            self.stderr.write("No synthetic patient on Ana's caseload: run `seed_demo` first.")
            return
        # A link goes out only with the patient's consent to links (issue #10): recorded first.
        if not patients_services.consent_in_force(episode.patient, ConsentKind.PATIENT_LINKS):
            patients_services.consent_record(
                actor=ana,
                patient=episode.patient,
                kind=ConsentKind.PATIENT_LINKS,
                state=ConsentState.GIVEN,
                decided_on=date.today(),
                note="Agreed at the first visit to questionnaires by e-mail.",
            )
        session = assessment_services.session_start(
            actor=ana,
            patient=episode.patient,
            episode=episode,
            time_point=TimePoint.REVIEW,
            instrument_keys=["phq9"],
        )
        _link, token = assessment_services.patient_link_issue(actor=ana, session=session)
        assessment_services.patient_link_redeem(token=token)
        administration = session.administrations.get()
        for item_id, value in PHQ9_ANSWERS.items():
            assessment_services.patient_link_save_answer(
                token=token,
                administration_id=administration.pk,
                item_id=item_id,
                value=value,
            )
        assessment_services.patient_link_submit(token=token)
        self.stdout.write(
            self.style.SUCCESS(
                f"{episode.patient.full_name} answered a self-harm question by link: "
                "see Ana's caseload and notifications."
            )
        )
