"""Plain records for the exports, read through the apps' own selectors (no scoring here)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone

from assessment import selectors as assessment_selectors
from interop.fhir import codes
from interop.fhir.records import (
    GoalRecord,
    GoalReviewRecord,
    MedicationRecord,
    PatientRecord,
    PlanRecord,
    ResultRecord,
)
from medicines import selectors as medicines_selectors
from medicines.models import Frequency
from treatment import selectors as treatment_selectors

if TYPE_CHECKING:
    from patients.models import Patient


def fhir_base_url() -> str:
    return getattr(settings, "FHIR_BASE_URL", "") or codes.DEFAULT_BASE_URL


def patient_record(patient: Patient) -> PatientRecord:
    return PatientRecord(
        id=str(patient.pk),
        identifier=patient.identifier,
        given_name=patient.given_name,
        family_name=patient.family_name,
        birth_date=patient.date_of_birth,
        sex=patient.sex,
        phone=patient.phone,
        email=patient.email,
    )


def result_records(patient: Patient) -> list[ResultRecord]:
    return [
        ResultRecord(
            id=row["id"],
            instrument_key=row["instrument_key"],
            definition_version=row["definition_version"],
            answers=dict(row["answers"]),
            score=dict(row["score"]),
            on=row["date"],
            signed_at=row["signed_at"],
            amended=row["amended"],
        )
        for row in assessment_selectors.signed_administrations(patient)
    ]


def goal_records(patient: Patient) -> list[GoalRecord]:
    out = []
    for goal in treatment_selectors.goals_of_patient(patient):
        out.append(
            GoalRecord(
                id=goal.pk,
                patient_words=goal.patient_words,
                what=goal.what,
                how_much=goal.how_much,
                by_when=goal.by_when,
                levels=tuple((level, text) for level, text in goal.level_descriptions()),
                baseline_level=goal.baseline_level,
                weight=float(goal.weight),
                created_on=timezone.localdate(goal.created_at),
                retired=goal.is_retired,
                episode_open=goal.episode.is_open,
                episode_id=goal.episode_id,
                reviews=tuple(
                    GoalReviewRecord(on=review.review_date, level=review.effective()[0])
                    for review in goal.reviews.all()
                ),
            )
        )
    return out


def plan_records(patient: Patient, goals: list[GoalRecord]) -> list[PlanRecord]:
    episode_goals: dict[int, list[int]] = {}
    for goal in goals:  # a plan works towards the goals of its own episode
        episode_goals.setdefault(goal.episode_id, []).append(goal.id)
    return [
        PlanRecord(
            id=plan.pk,
            version=plan.version,
            formulation=plan.formulation,
            focus_areas=plan.focus_areas,
            interventions=tuple(
                (i.kind, str(i.get_kind_display())) for i in plan.interventions.all()
            ),
            signed_at=plan.signed_at,
            episode_open=plan.episode.is_open,
            goal_ids=tuple(episode_goals.get(plan.episode_id, ())),
        )
        for plan in treatment_selectors.current_plans(patient)
    ]


def medication_records(patient: Patient) -> list[MedicationRecord]:
    return [
        MedicationRecord(
            id=version.medication_id,
            version=version.version,
            name=version.label,
            product=version.product,
            dose_text=version.dose_text,
            route=version.route,
            as_needed=version.frequency == Frequency.AS_NEEDED,
            start_date=version.start_date,
            stop_date=version.stop_date,
            recorded_on=timezone.localdate(version.recorded_at),
            indication=version.indication,
        )
        for version in medicines_selectors.latest_versions(patient)
    ]
