"""Daily oral morphine equivalents (shared/reference/medication.md §2, §3).

Per line: strength x units per dose x doses per day x factor; the total is the sum over lines
[CDC22-IG V; CDC-MME-IG V]. Patches: µg/h x patches worn x factor, never x24 or x wear days
[CDC-MME-IG V]. As needed: the prescribed maximum (the CDC calculator "assumes the most aggressive
dosing" [CDC-MME-IG V]) and, separately, the patient-reported average [U design]; warnings use the
prescribed maximum. Rounded to 1 dp; a line without a factor is "cannot compute", never 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from medicines.core.coprescription import co_prescriptions
from medicines.core.products import (
    DRUGS,
    NALOXONE_OME,
    OPIOID_NAMES,
    PRODUCTS,
    TABLES,
    UNIT_ALIASES,
    Product,
    factor_for,
)

REGULAR = "regular"
AS_NEEDED = "as_needed"
FREQUENCIES = (REGULAR, AS_NEEDED)

# Plausible ranges for input checks [U design]: beyond these a typing slip is likelier than a dose.
MAX_UNITS_PER_DOSE = 10
MAX_DOSES_PER_DAY = 24
MAX_PATCHES = 4


class MedicationInputError(ValueError):
    """Bad input, naming the field so that a form or the command can say where."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Medication:
    """One line of a medication list. ``product`` for an opioid, ``name`` for anything else."""

    product: str = ""
    name: str = ""
    strength: float = 0.0
    units_per_dose: float = 1.0
    frequency: str = REGULAR
    doses_per_day: float | None = None
    max_doses_per_day: float | None = None
    reported_doses_per_day: float | None = None

    @property
    def is_opioid(self) -> bool:
        return bool(self.product)

    @property
    def label(self) -> str:
        if self.name:
            return self.name
        return PRODUCTS[self.product].name if self.product in PRODUCTS else self.product

    def scaled(self, k: float) -> Medication:
        """The same line with k times the strength (property tests)."""
        return Medication(**{**self.__dict__, "strength": self.strength * k})


def _number(value, field: str, *, minimum: float, maximum: float, allow_zero=False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MedicationInputError(field, f"must be a number, not {value!r}")
    low_ok = value >= minimum if allow_zero else value > minimum
    if not low_ok or value > maximum:
        raise MedicationInputError(
            field, f"{value:g} is outside the plausible range ({minimum:g} to {maximum:g})"
        )
    return float(value)


def _optional(payload: dict, key: str, field: str, maximum: float, *, allow_zero=False):
    if payload.get(key) is None:
        return None
    return _number(payload[key], field, minimum=0, maximum=maximum, allow_zero=allow_zero)


def check_unit(product: Product, unit: str | None, field: str = "unit") -> None:
    if unit is None:
        return
    canonical = UNIT_ALIASES.get(str(unit).strip().lower().replace("μ", "µ"))
    if canonical is None:
        canonical = UNIT_ALIASES.get(str(unit).strip())
    if canonical != product.unit:
        raise MedicationInputError(
            field, f"{unit} does not fit {product.name} (its strength is in {product.unit})"
        )


def medication_from_dict(payload: object, prefix: str = "") -> Medication:
    """Validate one line of input; errors name the field (e.g. ``medications[1].strength``)."""
    if not isinstance(payload, dict):
        raise MedicationInputError(prefix or "medication", "must be an object")
    f = lambda name: f"{prefix}.{name}" if prefix else name  # noqa: E731
    product_key = payload.get("product") or ""
    name = str(payload.get("name") or "").strip()
    if not product_key:
        if not name:
            raise MedicationInputError(f("product"), "give a product from the list or a name")
        if name.split()[0].lower() in OPIOID_NAMES:
            raise MedicationInputError(
                f("product"), f"{name} is an opioid: choose its product from the list"
            )
        return Medication(name=name)
    if product_key not in PRODUCTS:
        raise MedicationInputError(f("product"), f"unknown product {product_key!r}")
    product = PRODUCTS[product_key]
    check_unit(product, payload.get("unit"), f("unit"))
    if "strength" not in payload:
        raise MedicationInputError(f("strength"), "is required")
    strength = _number(payload["strength"], f("strength"), minimum=0, maximum=product.max_strength)
    frequency = payload.get("frequency", REGULAR)
    if frequency not in FREQUENCIES:
        raise MedicationInputError(f("frequency"), "must be 'regular' or 'as_needed'")
    max_units = MAX_PATCHES if product.is_patch else MAX_UNITS_PER_DOSE
    units = _number(
        payload.get("units_per_dose", 1), f("units_per_dose"), minimum=0, maximum=max_units
    )
    doses = _optional(payload, "doses_per_day", f("doses_per_day"), MAX_DOSES_PER_DAY)
    max_doses = _optional(payload, "max_doses_per_day", f("max_doses_per_day"), MAX_DOSES_PER_DAY)
    reported = _optional(
        payload,
        "reported_doses_per_day",
        f("reported_doses_per_day"),
        MAX_DOSES_PER_DAY,
        allow_zero=True,
    )
    if product.is_patch:
        # A patch releases its rate continuously: patches worn is the dose; doses per day is 1.
        if frequency != REGULAR:
            raise MedicationInputError(f("frequency"), "a patch is worn regularly")
        if doses not in (None, 1):
            raise MedicationInputError(
                f("doses_per_day"), "a patch counts its µg/h rate once a day: give 1 or leave out"
            )
        doses = 1.0
    elif frequency == REGULAR:
        if doses is None:
            raise MedicationInputError(f("doses_per_day"), "is required for a regular dose")
    else:
        if max_doses is None:
            raise MedicationInputError(
                f("max_doses_per_day"), "an as-needed dose needs its prescribed maximum a day"
            )
        if reported is not None and reported > max_doses:
            raise MedicationInputError(
                f("reported_doses_per_day"), "is more than the prescribed maximum a day"
            )
    return Medication(
        product=product_key,
        name=name,
        strength=strength,
        units_per_dose=units,
        frequency=frequency,
        doses_per_day=doses if frequency == REGULAR else None,
        max_doses_per_day=max_doses if frequency == AS_NEEDED else None,
        reported_doses_per_day=reported if frequency == AS_NEEDED else None,
    )


@dataclass
class Line:
    medication: Medication
    drug: str
    unit: str
    factor: float | None
    factor_source: str
    dose_per_day: float | None  # mg/day, or µg/h in total for patches (prescribed basis)
    ome: float | None  # prescribed basis (regular dose, or as-needed maximum)
    reported_dose_per_day: float | None = None
    ome_reported: float | None = None  # as needed: the patient-reported average
    cannot_compute: str = ""

    def as_dict(self) -> dict:
        m = self.medication
        return {
            "product": m.product,
            "medication": m.label,
            "drug": self.drug,
            "frequency": m.frequency,
            "basis": "prescribed maximum" if m.frequency == AS_NEEDED else "regular dose",
            "dose_per_day": _round(self.dose_per_day),
            "dose_unit": f"{self.unit}/day" if self.unit == "mg" else self.unit,
            "factor": self.factor,
            "factor_source": self.factor_source,
            "ome": _round(self.ome),
            "reported_dose_per_day": _round(self.reported_dose_per_day),
            "ome_reported": _round(self.ome_reported),
            "cannot_compute": self.cannot_compute or None,
        }


@dataclass
class OmeResult:
    table: str
    table_name: str
    table_version: str
    lines: list[Line]
    total: float
    total_reported: float | None
    incomplete: bool
    warnings: list[dict] = field(default_factory=list)
    co_prescriptions: list[dict] = field(default_factory=list)
    thresholds_crossed: list[float] = field(default_factory=list)
    naloxone_indicated: bool = False
    other_medications: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "table": self.table,
            "table_name": self.table_name,
            "table_version": self.table_version,
            "unit": "mg oral morphine equivalent per day",
            "total_ome": _round(self.total),
            "total_ome_basis": "regular doses and as-needed prescribed maximum",
            "total_ome_reported": _round(self.total_reported),
            "incomplete": self.incomplete,
            "lines": [line.as_dict() for line in self.lines],
            "other_medications": self.other_medications,
            "thresholds_crossed": self.thresholds_crossed,
            "naloxone_indicated": self.naloxone_indicated,
            "warnings": self.warnings,
            "co_prescriptions": self.co_prescriptions,
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value + 0.0, 1)


def _per_day(unit_dose: float, doses: float | None) -> float | None:
    return None if doses is None else unit_dose * doses


def line_for(med: Medication, table: str) -> Line:
    product = PRODUCTS[med.product]
    factor = factor_for(product.drug, table)
    unit_dose = med.strength * med.units_per_dose
    prescribed_doses = med.doses_per_day if med.frequency == REGULAR else med.max_doses_per_day
    if product.is_patch:
        prescribed_doses = 1.0  # the µg/h rate is already per day's wear [CDC-MME-IG V]
    dose = _per_day(unit_dose, prescribed_doses)
    reported = _per_day(unit_dose, med.reported_doses_per_day)
    line = Line(med, product.drug, product.unit, factor.value, factor.source, dose, None, reported)
    if not factor.computable:
        line.cannot_compute = factor.excluded_reason
        return line
    if factor.lookup is not None:
        # The table's fixed equivalences, per patch worn [OA S]; a strength it does not list
        # is not interpolated.
        per_patch = factor.lookup.get(med.strength)
        if per_patch is None:
            listed = ", ".join(f"{s:g}" for s in factor.lookup)
            line.cannot_compute = (
                f"the table lists {DRUGS[product.drug].name.lower()} patches of {listed} µg/h only"
            )
            return line
        line.factor = per_patch / med.strength
        line.ome = per_patch * med.units_per_dose
        return line
    line.ome = dose * factor.value
    if reported is not None:
        line.ome_reported = reported * factor.value
    return line


def daily_ome(medications: list[Medication], table: str) -> OmeResult:
    if table not in TABLES:
        raise MedicationInputError("table", f"unknown table {table!r}")
    spec = TABLES[table]
    opioids = [m for m in medications if m.is_opioid]
    lines = [line_for(m, table) for m in opioids]
    computed = [line for line in lines if line.ome is not None]
    total = sum(line.ome for line in computed)
    reported_parts = [
        line.ome_reported if line.medication.frequency == AS_NEEDED else line.ome
        for line in computed
    ]
    has_as_needed = any(line.medication.frequency == AS_NEEDED for line in computed)
    total_reported = (
        sum(reported_parts)
        if has_as_needed and all(part is not None for part in reported_parts)
        else None
    )
    warnings: list[dict] = []
    for line in lines:
        if line.cannot_compute:
            warnings.append(
                {
                    "kind": "cannot_compute",
                    "medication": line.medication.label,
                    "message": f"{line.medication.label}: cannot compute: {line.cannot_compute}. "
                    "The total leaves it out.",
                }
            )
    for drug in dict.fromkeys(line.drug for line in lines):
        if DRUGS[drug].warning:
            warnings.append({"kind": drug, "message": DRUGS[drug].warning})
    crossed = [t for t in spec.thresholds if total >= t.ome]
    for t in crossed:
        warnings.append(
            {"kind": "threshold", "threshold": t.ome, "message": t.message, "source": t.source}
        )
    others = [m.label for m in medications if not m.is_opioid]
    coprs = co_prescriptions(list(dict.fromkeys(m.label for m in opioids)), others)
    naloxone = bool(opioids) and (
        total >= NALOXONE_OME or any(c.drug_class == "benzodiazepine" for c in coprs)
    )
    return OmeResult(
        table=table,
        table_name=spec.name,
        table_version=spec.version,
        lines=lines,
        total=total,
        total_reported=total_reported,
        incomplete=any(line.cannot_compute for line in lines),
        warnings=warnings,
        co_prescriptions=[c.as_dict() for c in coprs],
        thresholds_crossed=[t.ome for t in crossed],
        naloxone_indicated=naloxone,
        other_medications=others,
    )


def ome_payload(payload: object, table: str | None = None) -> dict:
    """The command's contract: ``{"table": .., "medications": [..]}`` (or a bare list) in,
    ``OmeResult.as_dict()`` out. Raises MedicationInputError naming the field."""
    if isinstance(payload, list):
        payload = {"medications": payload}
    if not isinstance(payload, dict):
        raise MedicationInputError("payload", "must be an object or a list of medications")
    chosen = table or payload.get("table") or "cdc2022"
    if chosen not in TABLES:
        raise MedicationInputError("table", f"must be one of {', '.join(TABLES)}")
    meds = payload.get("medications")
    if not isinstance(meds, list):
        raise MedicationInputError("medications", "must be a list")
    parsed = [medication_from_dict(m, f"medications[{i}]") for i, m in enumerate(meds)]
    return daily_ome(parsed, chosen).as_dict()
