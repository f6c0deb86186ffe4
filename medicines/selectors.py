"""Reads of the medication record."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Prefetch

from medicines.core import taper as core_taper
from medicines.core.products import DRUGS, MG, PRODUCTS, TABLES, factor_for
from medicines.models import (
    Medication,
    MedicationVersion,
    NaloxoneOffer,
    OmeFigure,
    TaperPlan,
    TaperStep,
)
from patients.access import patients_visible_to

if TYPE_CHECKING:
    from patients.models import Patient


def _with_versions(patient: Patient):
    return Medication.objects.filter(patient=patient).prefetch_related(
        Prefetch(
            "versions",
            queryset=MedicationVersion.objects.select_related("recorded_by").order_by("-version"),
        )
    )


def medication_for(patient: Patient, medication_id: int) -> Medication:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(Medication.objects.filter(patient=patient), pk=medication_id)


def latest_versions(patient: Patient) -> list[MedicationVersion]:
    """Each medication's newest version (current and stopped), in the order they were added."""
    return [m.versions.all()[0] for m in _with_versions(patient) if m.versions.all()]


def medication_list_on(patient: Patient, day: date) -> list[MedicationVersion]:
    """The list as it stood on ``day``: each medication's newest version effective by then,
    if the medication was being taken that day."""
    result = []
    for medication in _with_versions(patient):
        effective = [v for v in medication.versions.all() if v.effective_from <= day]
        if effective and effective[0].active_on(day):
            result.append(effective[0])
    return result


def latest_ome(patient: Patient) -> OmeFigure | None:
    return (
        OmeFigure.objects.filter(patient=patient, as_of__lte=date.today())
        .order_by("-as_of", "-computed_at")
        .first()
    )


def ome_series(patient: Patient) -> list[tuple[date, float]]:
    """One figure per day (the latest computed), oldest first, all from the table of the latest
    figure: a line never mixes two tables."""
    latest = latest_ome(patient)
    if latest is None:
        return []
    by_day: dict[date, float] = {}
    figures = OmeFigure.objects.filter(patient=patient, table=latest.table)
    for figure in figures.order_by("as_of", "computed_at"):
        by_day[figure.as_of] = float(figure.total)
    return sorted(by_day.items())


def current_taper(patient: Patient) -> TaperPlan | None:
    return TaperPlan.objects.filter(patient=patient).select_related("signed_by").first()


def taper_view(patient: Patient) -> dict[str, Any]:
    plan = current_taper(patient)
    steps = list(
        TaperStep.objects.filter(patient=patient).select_related("recorded_by").order_by("on")
    )
    if plan is None:
        return {"taper": None, "taper_steps": steps, "taper_schedule": [], "adherence": []}
    schedule = core_taper.taper_schedule(
        start_dose=float(plan.start_dose),
        target_dose=float(plan.target_dose),
        start=plan.start_date,
        percent=float(plan.percent),
        interval_days=plan.interval_days,
        of=plan.basis,
    )
    adherence = core_taper.adherence(
        schedule,
        float(plan.start_dose),
        [(s.on, float(s.dose_after)) for s in steps if s.on >= plan.start_date],
    )
    review_due = taper_review_due(plan, steps[-1] if steps else None)
    return {
        "taper": plan,
        "taper_steps": steps,
        "taper_schedule": schedule,
        "adherence": dict(
            zip([s.pk for s in steps if s.on >= plan.start_date], adherence, strict=True)
        ),
        "taper_review_due": review_due,
        "taper_overdue": bool(review_due and review_due < date.today()),
    }


def taper_opioid(
    patient: Patient, plan: TaperPlan | None, current: list[MedicationVersion] | None = None
) -> dict[str, Any] | None:
    """Where the taper concerns one opioid taken by mouth (every opioid on today's list, or on
    the plan's first day, is the same drug), what turns the plan's oral morphine figures back into
    mg of that opioid: the factor of the plan's table and the smallest tablet strength.
    None for several opioids, patches, methadone (its factor must not be used to derive a dose
    [CDC22-IG V]) or a drug the table cannot convert. ``current``: today's list if the caller
    has it (no query then, unless it holds no opioid)."""
    if plan is None:
        return None
    if current is None:
        current = medication_list_on(patient, date.today())
    versions = [v for v in current if v.is_opioid]
    if not versions:
        versions = [v for v in medication_list_on(patient, plan.start_date) if v.is_opioid]
    products = {PRODUCTS[v.product] for v in versions if v.product in PRODUCTS}
    drugs = {p.drug for p in products}
    if len(drugs) != 1 or len(products) != len({v.product for v in versions}):
        return None
    drug = drugs.pop()
    if drug == "methadone" or any(p.unit != MG for p in products):
        return None
    factor = factor_for(drug, plan.table)
    if factor.value is None:
        return None
    known = [p.strengths for p in products]
    return {
        "name": DRUGS[drug].name,
        "factor": factor.value,
        "factor_text": f"{factor.value:.3g}",
        "table_name": TABLES[plan.table].name,
        "strengths": tuple(min(s) for s in known) if all(known) else (),
    }


def _for_display(result: dict) -> dict:
    """Factors as a clinician writes them (1.5, 0.15, 2.4), not as stored floats."""
    lines = [
        {**line, "factor_text": "" if line["factor"] is None else f"{line['factor']:.3g}"}
        for line in result["lines"]
    ]
    return {**result, "lines": lines}


def taper_review_due(plan: TaperPlan, last_step: TaperStep | None) -> date:
    """The step's own next review; else one interval after the last step (follow up at least
    monthly [CDC22-X S]); else the plan's first step."""
    if last_step is None:
        return plan.start_date
    if last_step.next_review:
        return last_step.next_review
    return last_step.on + timedelta(days=plan.interval_days)


def medicines_page(patient: Patient) -> dict[str, Any]:
    versions = latest_versions(patient)
    today = date.today()
    figure = latest_ome(patient)
    return {
        "current": [v for v in versions if v.active_on(today) or v.start_date > today],
        "stopped": [v for v in versions if v.stop_date and v.stop_date <= today],
        "ome": figure,
        "ome_result": _for_display(figure.result) if figure else None,
        "clinic_table": TABLES[settings.OME_TABLE],
        "naloxone_offers": list(NaloxoneOffer.objects.filter(patient=patient)[:5]),
        **with_taper_opioid(patient, taper_view(patient)),
    }


def with_taper_opioid(patient: Patient, view: dict[str, Any]) -> dict[str, Any]:
    return {**view, "taper_opioid": taper_opioid(patient, view["taper"])}


# --- the team lead's opioid review ---------------------------------------------------------------


def review_threshold(table_key: str) -> tuple[float | None, str]:
    """The daily OME at or above which the lead reviews a patient, and where it comes from: the
    clinic's OME_REVIEW_THRESHOLD_MG if set, else the table's first threshold (50 MME CDC 2022,
    120 mg Opioids Aware)."""
    if settings.OME_REVIEW_THRESHOLD_MG is not None:
        return float(settings.OME_REVIEW_THRESHOLD_MG), "the clinic's review threshold"
    table = TABLES[table_key]
    return (table.thresholds[0].ome if table.thresholds else None), table.name


def opioid_review(user, today: date | None = None) -> list[dict[str, Any]]:
    """Patients of the lead's reach whose latest figure is at or above the review threshold
    (``review_threshold``), who have a co-prescription warning, or whose taper review is overdue.
    A constant number of queries, whatever the team's size."""
    from django.db.models import OuterRef, Subquery

    today = today or date.today()
    visible = patients_visible_to(user)
    latest_id = (
        OmeFigure.objects.filter(patient=OuterRef("patient_id"), as_of__lte=today)
        .order_by("-as_of", "-computed_at")
        .values("pk")[:1]
    )
    figures = {
        f.patient_id: f
        for f in OmeFigure.objects.filter(
            patient__in=visible, pk=Subquery(latest_id)
        ).select_related("patient")
    }
    plans = {}
    for p in (
        TaperPlan.objects.filter(patient__in=visible)
        .select_related("patient")
        .order_by("patient_id", "version")
    ):
        plans[p.patient_id] = p
    last_steps: dict[Any, TaperStep] = {}
    for s in TaperStep.objects.filter(patient__in=visible).order_by(
        "patient_id", "on", "recorded_at"
    ):
        last_steps[s.patient_id] = s
    rows = []
    for patient_id in {*figures, *plans}:
        figure, plan = figures.get(patient_id), plans.get(patient_id)
        reasons = []
        if figure is not None:
            threshold, source = review_threshold(figure.table)
            if threshold is not None and float(figure.total) >= threshold:
                reasons.append(
                    f"{figure.total:.1f} mg oral morphine a day ({source}: at or above "
                    f"{threshold:g})"
                )
            for c in figure.result.get("co_prescriptions", []):
                reasons.append(f"Opioid with {c['class_name']}")
        if plan is not None:
            step = last_steps.get(patient_id)
            due = taper_review_due(plan, step)
            if due is not None and due < today:
                reasons.append(f"Taper review overdue since {due:%d %b %Y}")
        if reasons:
            patient = (figure or plan).patient
            rows.append(
                {"patient": patient, "ome": figure.total if figure else None, "reasons": reasons}
            )
    return sorted(rows, key=lambda r: (r["patient"].family_name, r["patient"].given_name))
