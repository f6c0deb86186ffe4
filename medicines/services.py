"""Writes to the medication record. Each service is one transaction with its audit event.

Validation of a medication line is the core's (units that fit the product, plausible ranges,
an as-needed maximum) plus the record's own rules (stop not before start); errors name the form
field so that the page re-displays what was typed with the message beside it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext, gettext_noop

from medicines import tasks
from medicines.core import ome as core_ome
from medicines.core import taper as core_taper
from medicines.core.products import PRODUCTS, TABLES
from medicines.models import (
    Medication,
    MedicationVersion,
    NaloxoneOffer,
    OmeFigure,
    TaperPlan,
    TaperStep,
)
from medicines.selectors import medication_list_on
from painclinic import audit, concurrency
from painclinic.chart_cache import prerender_on_commit
from painclinic.models import AuditAction, User
from patients.models import Patient

MEDICATION_FIELDS = (
    "product",
    "name",
    "strength",
    "unit",
    "units_per_dose",
    "frequency",
    "doses_per_day",
    "max_doses_per_day",
    "reported_doses_per_day",
    "route",
    "start_date",
    "stop_date",
    "prescriber",
    "indication",
)
CHANGE_NEEDS_REASON = gettext_noop("Say why the medication changes: the previous version is kept.")
TAPER_CHANGE_NEEDS_REASON = gettext_noop(
    "Say why the taper plan changes: the previous version is kept."
)
STOP_BEFORE_START = gettext_noop("The stop date is before the start date.")
EFFECTIVE_BEFORE_START = gettext_noop("A change cannot apply before the medication was started.")
INCREASE_NOT_MARKED = gettext_noop(
    "This step increases the dose. Tick 'this step increases the dose, on purpose' if that is "
    "intended, or correct the dose."
)


# Someone saved a newer version after this form was opened: the one conflict of every edit
# form (painclinic/concurrency.py).
EditConflict = concurrency.EditConflict


def _float(value) -> float | None:
    return None if value in (None, "") else float(value)


def validate_medication(data: dict[str, Any]) -> None:
    """Raise ValidationError({field: message}) for a line the record must not keep."""
    errors: dict[str, str] = {}
    product = data.get("product") or ""
    if product:
        payload = {
            "product": product,
            "strength": _float(data.get("strength")),
            "units_per_dose": _float(data.get("units_per_dose")) or 1,
            "frequency": data.get("frequency") or core_ome.REGULAR,
            "doses_per_day": _float(data.get("doses_per_day")),
            "max_doses_per_day": _float(data.get("max_doses_per_day")),
            "reported_doses_per_day": _float(data.get("reported_doses_per_day")),
        }
        if data.get("unit"):
            payload["unit"] = data["unit"]
        if payload["strength"] is None:
            errors["strength"] = gettext("Give the strength of the opioid.")
        else:
            try:
                core_ome.medication_from_dict(payload)
            except core_ome.MedicationInputError as exc:
                errors[exc.field] = _sentence(exc.message)
    elif not (data.get("name") or "").strip():
        errors["product"] = gettext("Choose an opioid from the list, or type the medicine's name.")
    else:
        try:
            core_ome.medication_from_dict({"name": data["name"]})
        except core_ome.MedicationInputError as exc:
            errors["name"] = _sentence(exc.message)
    start, stop = data.get("start_date"), data.get("stop_date")
    if start and stop and stop < start:
        errors["stop_date"] = gettext(STOP_BEFORE_START)
    effective = data.get("effective_from")
    if start and effective and effective < start:
        errors["effective_from"] = gettext(EFFECTIVE_BEFORE_START)
    if errors:
        raise ValidationError(errors)


def _sentence(message: str) -> str:
    message = message.replace("'regular' or 'as_needed'", "regularly or as needed")
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    clean = {f: data.get(f) for f in MEDICATION_FIELDS}
    product = PRODUCTS.get(clean["product"] or "")
    for f in ("name", "unit", "route", "prescriber", "indication", "product"):
        clean[f] = (clean[f] or "").strip()
    if product:
        clean["unit"] = product.unit
        clean["route"] = product.route
        if product.is_patch:
            clean["doses_per_day"] = Decimal(1)
    if clean["units_per_dose"] in (None, ""):
        clean["units_per_dose"] = Decimal(1)
    if clean["frequency"] != core_ome.AS_NEEDED:
        clean["frequency"] = core_ome.REGULAR
        clean["max_doses_per_day"] = clean["reported_doses_per_day"] = None
    else:
        clean["doses_per_day"] = None
    return clean


def _changed(current: MedicationVersion | None, clean: dict[str, Any]) -> list[str]:
    return [f for f in MEDICATION_FIELDS if current is None or getattr(current, f) != clean[f]]


@transaction.atomic
def medication_add(*, actor: User, patient: Patient, data: dict[str, Any]) -> Medication:
    clean = _clean(data)
    validate_medication({**clean, "effective_from": clean["start_date"]})
    medication = Medication.objects.create(patient=patient)
    version = MedicationVersion.objects.create(
        medication=medication,
        version=1,
        effective_from=clean["start_date"],
        recorded_by=actor,
        **clean,
    )
    audit.record_event(
        actor=actor,
        action=AuditAction.CREATE,
        patient=patient,
        obj=version,
        changed_fields=_changed(None, clean),
    )
    ome_record_from(patient=patient, since=clean["start_date"])
    return medication


@transaction.atomic
def medication_change(
    *,
    actor: User,
    medication: Medication,
    data: dict[str, Any],
    effective_from: date,
    expected_version: int,
    change_reason: str,
) -> MedicationVersion:
    """A new version from ``effective_from``; the old one is kept. Optimistic concurrency as in
    treatment.services.plan_save: the medication row is locked, an older form raises EditConflict."""
    Medication.objects.select_for_update(no_key=True).only("pk").get(pk=medication.pk)
    current = medication.versions.order_by("-version").first()
    clean = _clean(data)
    changed = _changed(current, clean)
    concurrency.check_version(current, expected_version, changed)
    validate_medication({**clean, "effective_from": effective_from})
    if not changed:
        return current
    if not change_reason.strip():
        raise ValidationError({"change_reason": gettext(CHANGE_NEEDS_REASON)})
    version = MedicationVersion.objects.create(
        medication=medication,
        version=current.version + 1,
        effective_from=effective_from,
        change_reason=change_reason.strip(),
        recorded_by=actor,
        **clean,
    )
    audit.record_event(
        actor=actor,
        action=AuditAction.CHANGE,
        patient=medication.patient,
        obj=version,
        changed_fields=changed,
    )
    since = min(effective_from, clean["stop_date"] or effective_from)
    ome_record_from(patient=medication.patient, since=since)
    return version


def ome_record_from(*, patient: Patient, since: date) -> list[OmeFigure]:
    """Store the figure at every date from ``since`` on which the list changes (a start, a stop,
    a version taking effect) and today's: a back-dated entry corrects the later figures too, and
    the stored history is what the chart draws."""
    today = date.today()
    days = {since, today} if since <= today else {since}
    for v in MedicationVersion.objects.filter(medication__patient=patient):
        days.update(d for d in (v.start_date, v.stop_date, v.effective_from) if d and d > since)
    _charts_changed(patient.pk)
    return [
        ome_record(patient=patient, as_of=day) for day in sorted(days) if day <= max(today, since)
    ]


def _charts_changed(patient_id: Any) -> None:
    """The patient's medicines charts show other data now: draw them after the commit, off the
    request (issue #16)."""
    prerender_on_commit(tasks.prerender_charts, (str(patient_id),))


def ome_record(*, patient: Patient, as_of: date, table: str | None = None) -> OmeFigure:
    """Compute the daily OME of the list on ``as_of`` and store it with its table and version."""
    table = table or settings.OME_TABLE
    versions = medication_list_on(patient, as_of)
    result = core_ome.daily_ome([v.to_core() for v in versions], table)
    payload = result.as_dict()
    return OmeFigure.objects.create(
        patient=patient,
        as_of=as_of,
        table=table,
        table_version=TABLES[table].version,
        total=Decimal(str(payload["total_ome"])),
        total_reported=(
            None
            if payload["total_ome_reported"] is None
            else Decimal(str(payload["total_ome_reported"]))
        ),
        incomplete=payload["incomplete"],
        result=payload,
    )


@transaction.atomic
def naloxone_record(
    *, actor: User, patient: Patient, offered_on: date, accepted: bool, note: str = ""
) -> NaloxoneOffer:
    offer = NaloxoneOffer.objects.create(
        patient=patient, offered_on=offered_on, accepted=accepted, note=note, recorded_by=actor
    )
    audit.record_event(
        actor=actor,
        action=AuditAction.CREATE,
        patient=patient,
        obj=offer,
        changed_fields=["offered_on", "accepted", "note"],
    )
    return offer


TAPER_FIELDS = (
    "start_date",
    "start_dose",
    "target_dose",
    "percent",
    "basis",
    "interval_days",
    "reason",
    "shared_decision",
)


def validate_taper(data: dict[str, Any]) -> None:
    try:
        core_taper.taper_schedule(
            start_dose=float(data["start_dose"]),
            target_dose=float(data["target_dose"]),
            start=data["start_date"],
            percent=float(data["percent"]),
            interval_days=int(data["interval_days"]),
            of=data["basis"],
        )
    except core_taper.TaperError as exc:
        field = {"of": "basis"}.get(exc.field, exc.field)
        raise ValidationError({field: _sentence(exc.message)}) from exc


@transaction.atomic
def taper_plan_save(
    *,
    actor: User,
    patient: Patient,
    data: dict[str, Any],
    expected_version: int,
    change_reason: str = "",
) -> TaperPlan:
    Patient.objects.select_for_update(no_key=True).only("pk").get(pk=patient.pk)
    current = TaperPlan.objects.filter(patient=patient).order_by("-version").first()
    current_version = current.version if current else 0
    changed = [f for f in TAPER_FIELDS if current is None or getattr(current, f) != data[f]]
    concurrency.check_version(current, expected_version, changed)
    validate_taper(data)
    if current is not None:
        if not changed:
            return current
        if not change_reason.strip():
            raise ValidationError({"change_reason": gettext(TAPER_CHANGE_NEEDS_REASON)})
    table = settings.OME_TABLE
    plan = TaperPlan.objects.create(
        patient=patient,
        version=current_version + 1,
        signed_by=actor,
        change_reason=change_reason.strip(),
        table=table,
        table_version=TABLES[table].version,
        **{f: data[f] for f in TAPER_FIELDS},
    )
    audit.record_event(
        actor=actor,
        action=AuditAction.CREATE if current is None else AuditAction.CHANGE,
        patient=patient,
        obj=plan,
        changed_fields=changed,
    )
    _charts_changed(patient.pk)
    return plan


STEP_FIELDS = (
    "on",
    "dose_before",
    "dose_after",
    "paused",
    "increase_marked",
    "reason",
    "shared_decision",
    "withdrawal",
    "pain",
    "mood",
    "function",
    "next_review",
)


def validate_step(data: dict[str, Any]) -> None:
    errors = {}
    before, after = data["dose_before"], data["dose_after"]
    if after > before and not data.get("increase_marked"):
        errors["dose_after"] = gettext(INCREASE_NOT_MARKED)
    if data.get("paused") and after != before:
        errors["paused"] = gettext("A pause keeps the dose: the dose after equals the dose before.")
    if data.get("next_review") and data["next_review"] < data["on"]:
        errors["next_review"] = gettext("The next review is before the step.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def taper_step_record(
    *, actor: User, patient: Patient, plan: TaperPlan, data: dict[str, Any]
) -> TaperStep:
    validate_step(data)
    step = TaperStep.objects.create(
        patient=patient, plan=plan, recorded_by=actor, **{f: data[f] for f in STEP_FIELDS}
    )
    audit.record_event(
        actor=actor,
        action=AuditAction.CREATE,
        patient=patient,
        obj=step,
        changed_fields=[f for f in STEP_FIELDS if data.get(f) not in (None, "", False)],
    )
    _charts_changed(patient.pk)
    return step


@transaction.atomic
def ome_recompute(*, actor: User, patient: Patient) -> list[OmeFigure]:
    """Recompute the whole history with the clinic's table (after the clinic changes OME_TABLE);
    the old figures stay, with the table that produced them."""
    starts = MedicationVersion.objects.filter(medication__patient=patient).values_list(
        "start_date", flat=True
    )
    if not starts:
        return []
    figures = ome_record_from(patient=patient, since=min(starts))
    audit.record_event(
        actor=actor, action=AuditAction.CREATE, patient=patient, obj=figures[-1],
        changed_fields=["table"],
    )  # fmt: skip
    return figures
