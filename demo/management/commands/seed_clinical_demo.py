"""Clinical demo data for the two illustrative patients, written through the real services.

Jannick: a signed first-visit yellow-flag screen and a review (his fear of movement reliably
improves), a formulation-led plan, a three-step fear hierarchy with a first behavioural
experiment, a goal with a review, and an AB single-case study of daily fear of lifting.
Susan: a signed screen showing low mood and low self-efficacy, and a pacing plan; her medicines
(oxycodone modified-release, pregabalin, amitriptyline) with a 10 %-a-month opioid taper and its
first step.

Idempotent: a patient who already has signed assessments (or, for the medicines, a medication
record) is left alone. Run after seed_demo.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction

from assessment import services as assessment_services
from assessment.models import Administration, TimePoint
from medicines import services as medicines_services
from painclinic.models import User
from patients.models import Patient
from sced import services as sced_services
from treatment import services as treatment_services


def _numbered(codes: list[int]) -> dict[str, int]:
    return {str(number): code for number, code in enumerate(codes, start=1)}


class Command(BaseCommand):
    help = "Give Jannick and Susan signed assessments, plans, goals and a single-case study."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        try:
            ana, dina = User.objects.get(username="ana"), User.objects.get(username="dina")
            jannick = Patient.objects.get(identifier="DEMO-JANNICK")
            susan = Patient.objects.get(identifier="DEMO-SUSAN")
        except (User.DoesNotExist, Patient.DoesNotExist):
            self.stderr.write("Run `manage.py seed_demo` first.")
            return
        today = date.today()
        if not Administration.objects.filter(session__patient=jannick).exists():
            self._jannick(jannick, ana, today)
        if not Administration.objects.filter(session__patient=susan).exists():
            self._susan(susan, dina, today)
        if not susan.medications.exists():
            self._susan_medicines(susan, dina, today)
        self.stdout.write(self.style.SUCCESS("Clinical demo data ready."))

    def _screen(self, patient, actor, on, time_point, answers: dict[str, dict[str, int]]) -> None:
        episode = patient.episodes.order_by("-referral_date").first()
        session = assessment_services.session_start(
            actor=actor,
            patient=patient,
            episode=episode,
            time_point=time_point,
            on=on,
            instrument_keys=list(answers),
        )
        for administration in session.administrations.all():
            assessment_services.administration_sign(
                actor=actor,
                administration=administration,
                answers=answers[administration.instrument_key],
            )

    def _jannick(self, jannick: Patient, ana: User, today: date) -> None:
        episode = jannick.episodes.order_by("-referral_date").first()
        # First visit: high fear of movement, high catastrophizing, STarT Back high risk.
        self._screen(
            jannick,
            ana,
            today - timedelta(days=21),
            TimePoint.FIRST_VISIT,
            {
                "peg": _numbered([7, 7, 8]),
                "startback": _numbered([1, 1, 0, 1, 1, 1, 1, 1, 4]),
                "tsk11": _numbered([4, 3, 3, 4, 3, 3, 3, 4, 3, 3, 2]),  # 35
                "pcs": _numbered([3] * 13),  # 39
                "phq9": _numbered([2, 1, 2, 1, 1, 1, 1, 0, 0]),  # 9
            },
        )
        # Review after pain education and the first exposures: TSK-11 35 -> 26.
        self._screen(
            jannick,
            ana,
            today - timedelta(days=2),
            TimePoint.REVIEW,
            {"tsk11": _numbered([3, 2, 2, 3, 2, 2, 3, 3, 2, 2, 2]), "pcs": _numbered([2] * 13)},
        )
        treatment_services.plan_save(
            actor=ana,
            episode=episode,
            formulation=(
                "Jannick believes bending and lifting will damage his back further. Fear and "
                "catastrophic thoughts lead him to avoid work tasks and football, which keeps him "
                "off work and deconditioned (fear-avoidance cycle)."
            ),
            yellow_flags=["fear_of_movement", "catastrophizing"],
            focus_areas="Return to lifting at work; football with his son.",
            interventions={"pain_education": ana, "graded_exposure": ana, "return_to_work": None},
            expected_version=0,
        )
        steps = [
            ("Bending to pick up a sock", 35, "My back will lock and I won't get up."),
            ("Lifting a crate of 10 kg from the floor", 70, "A disc will slip."),
            ("Kicking a ball with my son", 85, "I will be in bed for a week."),
        ]
        items = [
            treatment_services.hierarchy_item_add(
                actor=ana,
                patient=jannick,
                data={"activity": a, "fear_rating": f, "feared_consequence": c},
            )
            for a, f, c in steps
        ]
        treatment_services.exposure_session_record(
            actor=ana,
            item=items[0],
            data={
                "date": today - timedelta(days=7),
                "expectancy_before": 80,
                "fear_before": 60,
                "fear_peak": 70,
                "fear_after": 30,
                "what_happened": "Picked up the sock ten times; stiff but no locking.",
                "outcome_observed": 0,
                "expectancy_after": 30,
            },
        )
        # The next experiment: its prediction is recorded, its outcome not yet (issue #9: the
        # prediction is saved before the experiment, the outcome after it).
        treatment_services.exposure_prediction_record(
            actor=ana,
            item=items[1],
            data={
                "date": today,
                "prediction": "If I lift the crate my back will give way.",
                "expectancy_before": 70,
                "fear_before": 65,
            },
        )
        goal = treatment_services.goal_create(
            actor=ana,
            episode=episode,
            data={
                "patient_words": "I want to play football with my son again.",
                "domain": "family",
                "what": "Play football with his son",
                "how_much": "15 minutes, twice a week",
                "by_when": today + timedelta(days=84),
                "level_minus_2": "Cannot kick a ball at all",
                "level_minus_1": "Kicks a ball gently for 2 minutes",
                "level_0": "Plays 15 minutes in the park",
                "level_plus_1": "Plays 30 minutes",
                "level_plus_2": "Plays a full match with the team",
                "baseline_level": -1,
                "weight": Decimal("1.0"),
            },
        )
        treatment_services.goal_review_record(
            actor=ana, goal=goal, review_date=today, attained_level=-1, note="Not yet; practising."
        )
        study = sced_services.study_create(
            actor=ana,
            episode=episode,
            clinical_question="Does graded exposure reduce Jannick's daily fear of lifting a crate?",
            design="AB",
            measures=[
                {
                    "name": "Fear of lifting a crate",
                    "unit": "0-10",
                    "range_min": 0,
                    "range_max": 10,
                    "improvement": "decrease",
                    "description": "Daily fear rating (exposure hierarchy step 2)",
                }
            ],
            planned_phase_lengths={"A": 7, "B": 14},
            min_phase_length=5,
        )
        draw = sced_services.study_randomize(actor=ana, study=study, concealed=False, seed=20251123)
        start = draw.starts[0]
        measure = study.measures.get()
        baseline = [8, 8, 7, 8, 9, 8, 7, 8, 8, 7, 8, 8]
        treated = [7, 6, 6, 5, 5, 4, 4, 3, 4, 3, 3, 2, 3, 2]
        values = baseline[: start - 1] + treated[: 21 - (start - 1)]
        sced_services.measurements_record(
            actor=ana,
            study=study,
            rows=[
                sced_services.Row(measure=measure, value=value, session=session)
                for session, value in enumerate(values, start=1)
            ],
        )

    def _susan(self, susan: Patient, dina: User, today: date) -> None:
        self._screen(
            susan,
            dina,
            today - timedelta(days=50),
            TimePoint.FIRST_VISIT,
            {
                "peg": _numbered([6, 8, 8]),
                "phq9": _numbered([2, 2, 2, 1, 2, 2, 1, 1, 0]),  # 13: moderate
                "gad7": _numbered([1, 1, 2, 1, 1, 1, 1]),  # 8: mild
                "pseq": _numbered([2, 3, 2, 3, 2, 2, 3, 2, 2, 1]),  # 22: low self-efficacy
            },
        )

    def _susan_medicines(self, susan: Patient, dina: User, today: date) -> None:
        """Oxycodone MR 20 mg twice a day for over a year (60 mg oral morphine a day under CDC
        2022, above its first threshold) with pregabalin: the co-prescription warning. The taper
        (10 % a month of the current dose [CDC22-X S]) has had its first step: the evening dose
        came down to 15 mg, the nearest tablet strength (60 -> 52.5)."""
        started = today - timedelta(days=420)
        oxycodone = {
            "product": "oxycodone_oral",
            "name": "Oxycodone modified-release",
            "strength": Decimal("20"),
            "units_per_dose": Decimal("1"),
            "frequency": "regular",
            "doses_per_day": Decimal("2"),
            "start_date": started,
            "prescriber": "Dr Okafor (GP)",
            "indication": "Widespread pain",
        }
        morning = medicines_services.medication_add(actor=dina, patient=susan, data=oxycodone)
        medicines_services.medication_add(
            actor=dina,
            patient=susan,
            data={
                "name": "Pregabalin",
                "strength": Decimal("150"),
                "unit": "mg",
                "doses_per_day": Decimal("2"),
                "start_date": today - timedelta(days=300),
                "prescriber": "Dr Okafor (GP)",
                "indication": "Nerve pain",
            },
        )
        medicines_services.medication_add(
            actor=dina,
            patient=susan,
            data={
                "name": "Amitriptyline",
                "strength": Decimal("10"),
                "unit": "mg",
                "doses_per_day": Decimal("1"),
                "start_date": today - timedelta(days=200),
                "prescriber": "Dr Okafor (GP)",
                "indication": "Sleep and pain, at night",
            },
        )
        # Naloxone offered at >= 50 MME a day or with a CNS depressant (CDC 2022 Rec 8 [CDC22-X S]).
        medicines_services.naloxone_record(
            actor=dina,
            patient=susan,
            offered_on=today - timedelta(days=50),
            accepted=True,
            note="Kit and overdose advice given to Susan and her husband.",
        )
        first_step = today - timedelta(days=21)
        plan = medicines_services.taper_plan_save(
            actor=dina,
            patient=susan,
            expected_version=0,
            data={
                "start_date": first_step,
                "start_dose": Decimal("60.0"),
                "target_dose": Decimal("30.0"),
                "percent": Decimal("10.0"),
                "basis": "current",
                "interval_days": 28,
                "reason": "Pain unchanged at this dose for a year; drowsy in the afternoons.",
                "shared_decision": (
                    "Susan wants to be less drowsy; she agreed to reduce slowly, one step a "
                    "month, pausing if withdrawal or low mood get worse."
                ),
            },
        )
        medicines_services.medication_change(
            actor=dina,
            medication=morning,
            data={
                **oxycodone,
                "doses_per_day": Decimal("1"),
                "indication": "Widespread pain, morning",
            },
            effective_from=first_step,
            expected_version=1,
            change_reason="Taper step 1: the evening dose is now a separate 15 mg tablet.",
        )
        medicines_services.medication_add(
            actor=dina,
            patient=susan,
            data={
                **oxycodone,
                "strength": Decimal("15"),
                "doses_per_day": Decimal("1"),
                "start_date": first_step,
                "indication": "Widespread pain, evening",
            },
        )
        medicines_services.taper_step_record(
            actor=dina,
            patient=susan,
            plan=plan,
            data={
                "on": first_step,
                "dose_before": Decimal("60.0"),
                "dose_after": Decimal("52.5"),
                "paused": False,
                "increase_marked": False,
                "reason": "First step, rounded to the nearest tablet (20 mg morning, 15 mg evening).",
                "shared_decision": True,
                "withdrawal": "Mild restlessness for three nights.",
                "pain": "Unchanged.",
                "mood": "",
                "function": "Less drowsy in the afternoons.",
                "next_review": today + timedelta(days=7),
            },
        )
