"""Pacing and graded activity: starting quotas, quota schedules and adherence.

Pure: stdlib only (STYLE.md §3.2). instruments.md has no section on pacing, so every rule below is
from general knowledge of the literature and marked UNVERIFIED; each is explicit data with its
source, so the clinic can check it and pick another.

Background (UNVERIFIED, general knowledge):
- Operant graded activity sets a *quota* below the baseline tolerance, then raises it by a planned
  amount whatever the pain on the day (Fordyce WE. Behavioral Methods for Chronic Pain and Illness.
  Mosby 1976; Lindström I et al. Phys Ther 1992;72(4):279-90).
- Activity pacing: Nielson WR, Jensen MP, Karsdorp PA, Vlaeyen JWS. Clin J Pain 2013;29(5):461-8;
  Birkholtz M, Aylwin L, Harman RM. Br J Occup Ther 2004;67(10):447-52 (methods differ between
  services, which is why the rule is data here).
- Common practice: baseline over at least three recordings, start at 70-80% of the baseline mean
  ("baseline minus 20%"), or at the lowest baseline value.
- Boom-and-bust: overactivity on good days followed by enforced rest. No published numeric
  threshold was found; ``boom_margin`` is a clinic setting with a stated default.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from assessment.instruments.base import Unscorable

if TYPE_CHECKING:
    from collections.abc import Sequence

KEY = "pacing_quota"
# At least three baseline recordings before a quota is set: common practice (UNVERIFIED), so
# that one good or bad day does not set the quota.
MIN_BASELINE_RECORDINGS = 3
MAX_SCHEDULE_STEPS = 1000  # guard against a target that is never reached

QuotaRuleKind = Literal["proportion_of_baseline_mean", "lowest_baseline_value"]
QUOTA_RULE_KINDS = ("proportion_of_baseline_mean", "lowest_baseline_value")

REASON_TOO_FEW = (
    "Only {recordings}: a starting quota needs at least {needed}. "
    "Record the activity on more days first."
)


def too_few_reason(n: int, needed: int) -> str:
    """REASON_TOO_FEW with the plural said in words ("1 baseline recording", "2 … recordings")."""
    recordings = f"{n} baseline recording" + ("" if n == 1 else "s")
    return REASON_TOO_FEW.format(recordings=recordings, needed=needed)


REASON_ZERO_BASELINE = (
    "The baseline {statistic} is 0, so this rule gives a quota of 0. Set the first quota by hand."
)

ERROR_RECORDING = "baseline recording {index} must be a number ≥ 0 (got {value!r})"


def _is_number(value: object) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | float) and math.isfinite(value)


# --- starting quota ---------------------------------------------------------------------------


@dataclass(frozen=True)
class QuotaRule:
    """How the first quota is derived from the baseline recordings.

    ``proportion`` multiplies the baseline statistic (the mean, or the lowest value).
    """

    kind: QuotaRuleKind
    source: str
    proportion: float = 1.0
    min_recordings: int = MIN_BASELINE_RECORDINGS

    def __post_init__(self) -> None:
        if self.kind not in QUOTA_RULE_KINDS:
            raise ValueError(f"kind must be one of {QUOTA_RULE_KINDS} (got {self.kind!r})")
        if not _is_number(self.proportion) or not 0 < self.proportion <= 1:
            raise ValueError(f"proportion must be in (0, 1] (got {self.proportion!r})")
        if self.min_recordings < 1:
            raise ValueError("min_recordings must be at least 1")


# Shown on the pacing pages, so it names the literature only. Confidence: UNVERIFIED, not in
# shared/reference (general knowledge of the literature).
_COMMON_PRACTICE = (
    "common practice in operant graded activity and pacing (Fordyce 1976; Birkholtz et al. 2004; "
    "Nielson et al. 2013)"
)


def baseline_mean_minus_percent(percent: float) -> QuotaRule:
    """Baseline mean minus 20% is the same rule as 80% of the baseline mean."""
    return QuotaRule(
        kind="proportion_of_baseline_mean",
        proportion=1 - percent / 100,
        source=f"baseline mean minus {percent:g}%: {_COMMON_PRACTICE}",
    )


EIGHTY_PERCENT_OF_BASELINE_MEAN = QuotaRule(
    kind="proportion_of_baseline_mean",
    proportion=0.8,
    source=f"80% of the baseline mean (= baseline minus 20%): {_COMMON_PRACTICE}",
)
BASELINE_MEAN_MINUS_20_PERCENT = EIGHTY_PERCENT_OF_BASELINE_MEAN
SEVENTY_PERCENT_OF_BASELINE_MEAN = QuotaRule(
    kind="proportion_of_baseline_mean",
    proportion=0.7,
    source=f"70% of the baseline mean: {_COMMON_PRACTICE}",
)
LOWEST_BASELINE_VALUE = QuotaRule(
    kind="lowest_baseline_value",
    source=f"lowest baseline value: {_COMMON_PRACTICE}",
)


@dataclass(frozen=True)
class StartingQuota:
    value: float
    baseline_mean: float
    baseline_lowest: float
    n_recordings: int
    rule: QuotaRule

    @property
    def source(self) -> str:
        return self.rule.source


def starting_quota(
    baseline_recordings: Sequence[float | None],
    rule: QuotaRule,
    *,
    round_down_to: float | None = None,
) -> StartingQuota | Unscorable:
    """The first quota from baseline recordings (minutes, repetitions, metres …).

    ``None`` entries (a day not recorded) are skipped. Negative or non-numeric values raise
    ``ValueError``. Fewer than ``rule.min_recordings`` recordings, or a rule that gives 0, is
    ``Unscorable``. ``round_down_to`` rounds down to a practical unit (e.g. 1 minute), so the
    quota never rounds up past the rule.
    """
    values: list[float] = []
    for index, value in enumerate(baseline_recordings, start=1):
        if value is None:
            continue
        if not _is_number(value) or value < 0:
            raise ValueError(ERROR_RECORDING.format(index=index, value=value))
        values.append(float(value))
    if len(values) < rule.min_recordings:
        return Unscorable(KEY, too_few_reason(len(values), rule.min_recordings))
    mean = math.fsum(values) / len(values)
    lowest = min(values)
    if rule.kind == "proportion_of_baseline_mean":
        statistic, name = mean, "mean"
    else:
        statistic, name = lowest, "lowest value"
    if statistic == 0:
        return Unscorable(KEY, REASON_ZERO_BASELINE.format(statistic=name))
    quota = rule.proportion * statistic
    if round_down_to is not None:
        if not _is_number(round_down_to) or round_down_to <= 0:
            raise ValueError(f"round_down_to must be a positive number (got {round_down_to!r})")
        # The 1e-9 keeps 0.8 × 15 = 11.999999999999998 from rounding down to 11.
        quota = math.floor(quota / round_down_to + 1e-9) * round_down_to
        if quota == 0:
            return Unscorable(KEY, REASON_ZERO_BASELINE.format(statistic=f"{name} after rounding"))
    return StartingQuota(
        value=quota,
        baseline_mean=mean,
        baseline_lowest=lowest,
        n_recordings=len(values),
        rule=rule,
    )


# --- schedule ---------------------------------------------------------------------------------

IncrementKind = Literal["fixed", "percent"]


@dataclass(frozen=True)
class IncrementRule:
    """How the quota grows each step (session, day or week, as the plan says).

    ``fixed``: add ``amount`` units per step. ``percent``: multiply by (1 + amount/100) per step,
    compounding on the previous quota.
    """

    kind: IncrementKind
    amount: float
    # Shown on the page; confidence UNVERIFIED (general knowledge), kept here, not on the page.
    source: str = "planned with the patient (graded activity: Fordyce 1976)"

    def __post_init__(self) -> None:
        if self.kind not in ("fixed", "percent"):
            raise ValueError(f"kind must be 'fixed' or 'percent' (got {self.kind!r})")
        if not _is_number(self.amount) or self.amount <= 0:
            raise ValueError(f"amount must be a positive number (got {self.amount!r})")


def _step_value(start: float, increment: IncrementRule, step: int) -> float:
    # Computed from the start each time, not by repeated addition, so step 50 carries no drift.
    if increment.kind == "fixed":
        return start + step * increment.amount
    return start * (1 + increment.amount / 100) ** step


def quota_schedule(
    start: float,
    increment: IncrementRule,
    *,
    steps: int | None = None,
    target: float | None = None,
    cap: float | None = None,
) -> tuple[float, ...]:
    """Quotas step by step, the starting quota first.

    ``steps``: how many quotas the schedule holds (start included). ``target``: stop at the first
    quota that reaches it, clamped to the target. With both, whichever comes first. ``cap``: no
    quota exceeds it; the schedule stays at the cap for the remaining steps.
    """
    if not _is_number(start) or start < 0:
        raise ValueError(f"start must be a number ≥ 0 (got {start!r})")
    if increment.kind == "percent" and start == 0:
        raise ValueError("a percent increment cannot grow a quota of 0")
    if steps is None and target is None:
        raise ValueError("give steps, target, or both")
    if steps is not None and (isinstance(steps, bool) or not isinstance(steps, int) or steps < 1):
        raise ValueError(f"steps must be a whole number ≥ 1 (got {steps!r})")
    if steps is not None and steps > MAX_SCHEDULE_STEPS:
        raise ValueError(f"steps must be at most {MAX_SCHEDULE_STEPS}")
    if target is not None and (not _is_number(target) or target <= 0):
        raise ValueError(f"target must be a positive number (got {target!r})")
    if cap is not None:
        if not _is_number(cap) or cap < start:
            raise ValueError(f"cap must be a number ≥ the start ({start}) (got {cap!r})")
        if target is not None and steps is None and cap < target:
            raise ValueError(
                f"the target {target} is above the cap {cap} and would never be reached"
            )

    limit = steps if steps is not None else MAX_SCHEDULE_STEPS
    quotas: list[float] = []
    for step in range(limit):
        value = _step_value(start, increment, step)
        if cap is not None:
            value = min(value, cap)
        if target is not None and step > 0 and value >= target:
            quotas.append(float(target))
            return tuple(quotas)
        quotas.append(float(value))
        if target is not None and step == 0 and value >= target:
            return tuple(quotas)  # already at the target: nothing to grade
    if steps is None:
        raise ValueError(f"the target {target} is not reached within {MAX_SCHEDULE_STEPS} steps")
    return tuple(quotas)


def expand_schedule(quotas: Sequence[float], *, days_per_step: int) -> tuple[float, ...]:
    """One quota per day from a per-step schedule (e.g. weekly quotas, 7 days a step)."""
    if isinstance(days_per_step, bool) or not isinstance(days_per_step, int) or days_per_step < 1:
        raise ValueError(f"days_per_step must be a whole number ≥ 1 (got {days_per_step!r})")
    return tuple(q for q in quotas for _ in range(days_per_step))


def versioned_daily_quotas(segments: Sequence[tuple[int, Sequence[float]]]) -> tuple[float, ...]:
    """One quota per day across schedule versions (a schedule changed later, from a given day).

    ``segments``: (first day as an offset from the plan's first day, that version's daily quotas),
    in the order the versions were made. A version runs until the next one starts; the days
    before a version keep the quota they had. If a version ends before the next starts, its last
    quota is held until then (the patient keeps the last agreed quota). A later version starting
    on the same day replaces the earlier one.
    """
    days: list[float] = []
    ordered = list(segments)
    for index, (offset, daily) in enumerate(ordered):
        if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
            raise ValueError(f"a version starts on day offset ≥ 0 (got {offset!r})")
        if index and offset < ordered[index - 1][0]:
            raise ValueError("versions must be given in the order of their first day")
        del days[offset:]
        if len(days) < offset:
            if not days:
                raise ValueError("the first version must start on day 0")
            days.extend([days[-1]] * (offset - len(days)))
        days.extend(float(q) for q in daily)
    return tuple(days)


# --- adherence --------------------------------------------------------------------------------

ON_QUOTA = "on"
UNDER_QUOTA = "under"
OVER_QUOTA = "over"
NOT_RECORDED = "missing"
# How a day's status reads on the page (the values above are keys, for CSS and code).
STATUS_WORDS = {
    ON_QUOTA: "on quota",
    UNDER_QUOTA: "under quota",
    OVER_QUOTA: "over quota",
    NOT_RECORDED: "not recorded",
}

# ±10% of the quota still counts as "on quota". UNVERIFIED: clinic setting, no published value.
DEFAULT_TOLERANCE = 0.10
# A day more than 20% over quota is a "boom" day. UNVERIFIED: no published numeric threshold found
# (activity-pattern studies measure overactivity by questionnaire); clinic setting.
DEFAULT_BOOM_MARGIN = 0.20
# The "bust" must follow within this many days of the boom.
DEFAULT_BUST_WINDOW = 1

# Shown on the page. Confidence: UNVERIFIED, not in shared/reference (clinic settings).
ADHERENCE_SOURCE = (
    "Quota adherence and boom-and-bust days as this clinic defines them: the tolerance, the boom "
    "margin and the bust window are clinic settings, not published values."
)


@dataclass(frozen=True)
class DayAdherence:
    day: int  # 1-based
    quota: float
    done: float | None
    ratio: float | None  # done / quota; None when not recorded or the quota is 0
    status: str  # on / under / over / missing

    @property
    def status_words(self) -> str:
        return STATUS_WORDS[self.status]


@dataclass(frozen=True)
class BoomBust:
    boom_day: int
    bust_days: tuple[int, ...]


@dataclass(frozen=True)
class AdherenceReport:
    days: tuple[DayAdherence, ...]
    n_on: int
    n_under: int
    n_over: int
    n_missing: int
    proportion_on: float | None  # of recorded days
    boom_bust: tuple[BoomBust, ...]
    tolerance: float
    boom_margin: float
    bust_window: int
    source: str = ADHERENCE_SOURCE


def _above(value: float, limit: float) -> bool:
    # Strictly above, with float noise at the limit counted as "at the limit": 11 minutes against
    # a quota of 10 with a 10% tolerance is on quota, not over by 1e-15.
    return value > limit and not math.isclose(value, limit, rel_tol=1e-9, abs_tol=1e-9)


def _day_status(done: float, quota: float, tolerance: float) -> str:
    if _above(quota * (1 - tolerance), done):
        return UNDER_QUOTA
    if _above(done, quota * (1 + tolerance)):
        return OVER_QUOTA
    return ON_QUOTA


def adherence(
    done: Sequence[float | None],
    quotas: Sequence[float],
    *,
    tolerance: float = DEFAULT_TOLERANCE,
    boom_margin: float = DEFAULT_BOOM_MARGIN,
    bust_window: int = DEFAULT_BUST_WINDOW,
) -> AdherenceReport:
    """Compare what was done with the quota, day by day.

    ``done[i]`` and ``quotas[i]`` are day i+1 (use ``expand_schedule`` for weekly quotas); ``None``
    is a day not recorded. A day is *under* below quota·(1 − tolerance), *over* above
    quota·(1 + tolerance), else *on*. Fractions, not percent: 0.10 = 10%.

    Boom-and-bust: a day more than ``boom_margin`` over its quota (done > quota·(1 + boom_margin))
    followed, within the next ``bust_window`` days, by one or more under-quota days. Days not
    recorded are neither booms nor busts.
    """
    if len(done) != len(quotas):
        raise ValueError(
            f"{len(done)} days logged but {len(quotas)} quotas: give one quota per day"
        )
    if not _is_number(tolerance) or not 0 <= tolerance < 1:
        raise ValueError(f"tolerance must be a fraction in [0, 1) (got {tolerance!r})")
    if not _is_number(boom_margin) or boom_margin < tolerance:
        raise ValueError(
            f"boom_margin ({boom_margin!r}) must be a fraction ≥ the tolerance ({tolerance!r}): "
            "a boom day must also be over quota"
        )
    if isinstance(bust_window, bool) or not isinstance(bust_window, int) or bust_window < 1:
        raise ValueError(f"bust_window must be a whole number ≥ 1 (got {bust_window!r})")

    days: list[DayAdherence] = []
    for index, (value, quota) in enumerate(zip(done, quotas, strict=True)):
        if not _is_number(quota) or quota < 0:
            raise ValueError(f"quota for day {index + 1} must be a number ≥ 0 (got {quota!r})")
        if value is None:
            days.append(DayAdherence(index + 1, float(quota), None, None, NOT_RECORDED))
            continue
        if not _is_number(value) or value < 0:
            raise ValueError(
                f"activity done on day {index + 1} must be a number ≥ 0 (got {value!r})"
            )
        ratio = value / quota if quota > 0 else None
        days.append(
            DayAdherence(
                index + 1, float(quota), float(value), ratio, _day_status(value, quota, tolerance)
            )
        )

    episodes: list[BoomBust] = []
    for index, day in enumerate(days):
        if day.done is None or not _above(day.done, day.quota * (1 + boom_margin)):
            continue
        following = days[index + 1 : index + 1 + bust_window]
        busts = tuple(d.day for d in following if d.status == UNDER_QUOTA)
        if busts:
            episodes.append(BoomBust(boom_day=day.day, bust_days=busts))

    counts = {
        status: sum(1 for d in days if d.status == status)
        for status in (ON_QUOTA, UNDER_QUOTA, OVER_QUOTA, NOT_RECORDED)
    }
    recorded = len(days) - counts[NOT_RECORDED]
    return AdherenceReport(
        days=tuple(days),
        n_on=counts[ON_QUOTA],
        n_under=counts[UNDER_QUOTA],
        n_over=counts[OVER_QUOTA],
        n_missing=counts[NOT_RECORDED],
        proportion_on=counts[ON_QUOTA] / recorded if recorded else None,
        boom_bust=tuple(episodes),
        tolerance=float(tolerance),
        boom_margin=float(boom_margin),
        bust_window=bust_window,
    )
