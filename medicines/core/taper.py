"""Taper schedules and adherence (shared/reference/medication.md §5).

Never stop abruptly or reduce rapidly from high doses [CDC22-IG V; HHS19 V; FDA19t V]. Defaults
below are the reference's, marked: ~10 % a month or slower after a year or more of use
[CDC22-X S]; "a month" is taken as 28 days so steps fall on the same weekday [U design]. A pause
holds the dose (withdrawal, pain or mood worse; a lower stable dose is an acceptable goal
[HHS19 U]). Doses are daily doses (mg/day or OME). ``opioid_dose`` shows a step in mg of the one opioid
being tapered; the prescriber still writes the prescription.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

DEFAULT_PERCENT = 10.0  # per interval [CDC22-X S]
DEFAULT_INTERVAL_DAYS = 28  # "monthly" [CDC22-X S] as 4 weeks [U design]
OF_CURRENT = "current"  # percent of the dose at each step (slows as it falls)
OF_STARTING = "starting"  # percent of the starting dose (equal steps)
MAX_PERCENT = 25.0  # FDA labels: no more than 10-25 % every 2-4 weeks [S]
MAX_STEPS = 200


class TaperError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Step:
    number: int
    on: date
    dose_before: float
    dose_after: float
    paused: bool = False

    @property
    def percent_change(self) -> float:
        return percent_change(self.dose_before, self.dose_after)

    def as_dict(self) -> dict:
        return {
            "step": self.number,
            "date": self.on.isoformat(),
            "dose_before": round(self.dose_before, 1),
            "dose_after": round(self.dose_after, 1),
            "percent_change": round(self.percent_change, 1),
            "paused": self.paused,
        }


def percent_change(before: float, after: float) -> float:
    return 0.0 if before == 0 else (after - before) / before * 100


def taper_schedule(
    *,
    start_dose: float,
    target_dose: float,
    start: date,
    percent: float = DEFAULT_PERCENT,
    interval_days: int = DEFAULT_INTERVAL_DAYS,
    of: str = OF_CURRENT,
    pauses: dict[int, int] | None = None,
    min_step: float = 0.5,
) -> list[Step]:
    """Planned steps from ``start_dose`` down to ``target_dose``.

    ``pauses`` maps a step number to extra days the dose is held after that step. With ``of``
    current, reductions shrink as the dose falls; once a reduction would be below ``min_step``
    (mg/day) the next step goes to the target, so the schedule ends.
    """
    if start_dose <= 0:
        raise TaperError("start_dose", "must be more than 0")
    if not 0 <= target_dose < start_dose:
        raise TaperError("target_dose", "must be at least 0 and below the starting dose")
    if not 0 < percent <= MAX_PERCENT:
        raise TaperError("percent", f"must be more than 0 and at most {MAX_PERCENT:g} %")
    if interval_days < 7:
        raise TaperError("interval_days", "must be at least 7 days")
    if of not in (OF_CURRENT, OF_STARTING):
        raise TaperError("of", "must be 'current' or 'starting'")
    pauses = pauses or {}
    steps: list[Step] = []
    dose, on = start_dose, start
    while dose > target_dose and len(steps) < MAX_STEPS:
        base = dose if of == OF_CURRENT else start_dose
        reduction = max(base * percent / 100, min_step)
        after = max(target_dose, dose - reduction)
        if after - target_dose < min_step:
            after = target_dose
        number = len(steps) + 1
        steps.append(Step(number, on, dose, after))
        dose = after
        on = on + timedelta(days=interval_days + pauses.get(number, 0))
    return steps


def planned_dose_on(steps: list[Step], day: date, start_dose: float) -> float:
    dose = start_dose
    for step in steps:
        if step.on <= day:
            dose = step.dose_after
    return dose


ON_PLAN = "on plan"
FASTER = "faster than planned"
SLOWER = "slower than planned"


def adherence(
    steps: list[Step],
    start_dose: float,
    recorded: list[tuple[date, float]],
    tolerance_percent: float = 5.0,
) -> list[dict]:
    """Each recorded (date, dose) against the planned dose on that date."""
    rows = []
    for day, dose in sorted(recorded):
        planned = planned_dose_on(steps, day, start_dose)
        diff = percent_change(planned, dose) if planned else (0.0 if dose == 0 else 100.0)
        status = ON_PLAN if abs(diff) <= tolerance_percent else (FASTER if diff < 0 else SLOWER)
        rows.append(
            {
                "date": day.isoformat(),
                "dose": round(dose, 1),
                "planned": round(planned, 1),
                "difference_percent": round(diff, 1),
                "status": status,
            }
        )
    return rows


@dataclass(frozen=True)
class OpioidDose:
    exact: float  # mg of the opioid a day: the OME divided by the factor that produced it
    practical: float  # rounded by the clinic's rule below
    rounded_to: float | None  # the tablet strength it is a multiple of, or None (1 decimal)


def opioid_dose(ome: float, factor: float, strengths: tuple[float, ...] = ()) -> OpioidDose:
    """A daily OME back in mg a day of the one opioid it was computed from (same drug, same
    factor: the inverse of the record's own sum, not a switch to another opioid, for which the
    tables must not be used [CDC22-IG V]).

    Clinic policy [U design], not a guideline's: round to the nearest whole number of the
    smallest tablet strength (any such daily dose can be given in whole tablets; halves round
    up), or to 1 decimal where the product's strengths are not known.
    """
    if factor <= 0:
        raise ValueError("factor must be more than 0")
    exact = ome / factor
    if strengths:
        smallest = min(strengths)
        practical = math.floor(exact / smallest + 0.5 + 1e-9) * smallest
        return OpioidDose(round(exact, 1), float(practical), float(smallest))
    return OpioidDose(round(exact, 1), math.floor(exact * 10 + 0.5 + 1e-9) / 10, None)
