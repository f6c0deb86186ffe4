"""The team lead's caseload review: attention-list rules and the interval statistics of the
process measures. PURE: plain inputs (dataclasses, dates, numbers), no Django (STYLE.md §3.2).

Attention lists (issue #6), each entry with the reason it is listed:
- self-harm risk, response needed (issue #10, first): an open self-harm signal on the patient,
  overdue once the clinic's working-day interval has passed;
- overdue review: no signed assessment within the team's review interval;
- not on track: a reliable deterioration (Jacobson & Truax RCI, instruments.md §23) on the latest
  outcome, an SCED analysis showing no improvement, or no reliable improvement after a set
  number of weeks of treatment;
- high-risk yellow flags (STarT Back high risk, PHQ-9 severe) with no plan addressing them;
- active patients without goals or without a signed plan;
- a red-flag referral whose outcome is not yet recorded (issue #10): listed until it is.
Facts that are not known (``None``: e.g. the treatment app has no record yet) never list a
patient: an unknown is not a finding.

Intervals: a rate gets the Wilson score interval (Wilson 1927, doi:10.1080/01621459.1927.10502953;
recommended over the Wald interval for small n by Newcombe 1998, doi:10.1002/(SICI)1097-0258(19980430)17:8<857::AID-SIM777>3.0.CO;2-E);
a mean gets the t interval, mean ± t(0.975, n−1)·s/√n. Both 95%.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from scipy import stats

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from datetime import date

SELF_HARM_RESPONSE = "self_harm_response"
RED_FLAG_REFERRAL = "red_flag_referral"
OVERDUE_REVIEW = "overdue_review"
NOT_ON_TRACK = "not_on_track"
HIGH_RISK_NO_PLAN = "high_risk_no_plan"
NO_GOALS_OR_PLAN = "no_goals_or_plan"

ATTENTION_LISTS = {
    # First: an open self-harm signal waits for a clinician's recorded response (issue #10;
    # shared/reference/safety.md §1). Listed by the signal, never by a score or "risk level".
    SELF_HARM_RESPONSE: "Self-harm risk — response needed",
    RED_FLAG_REFERRAL: "Red-flag referral awaiting its outcome",
    OVERDUE_REVIEW: "Overdue review",
    NOT_ON_TRACK: "Not on track",
    HIGH_RISK_NO_PLAN: "High-risk yellow flags without a plan",
    NO_GOALS_OR_PLAN: "Active without goals or a signed plan",
}

RELIABLY_IMPROVED = "reliably_improved"
RELIABLY_DETERIORATED = "reliably_deteriorated"

REASON_NO_ASSESSMENT = (
    "No signed assessment in {days} days since {since} (review every {interval})."
)
REASON_LAST_ASSESSMENT = "Last signed assessment {days} days ago (review every {interval})."
REASON_DETERIORATED = "Reliable deterioration on {instrument}."
REASON_SCED = "SCED analysis shows no improvement."
REASON_SCED_NAP = "SCED: NAP {nap:.2f}{ci} in '{measure}' — no improvement{p}."
REASON_NO_IMPROVEMENT = "No reliable improvement after {weeks} weeks of treatment."
# Said differently when no outcome has been measured twice: the improvement cannot be judged.
REASON_NOT_REMEASURED = (
    "{weeks} weeks of treatment and no outcome measured twice: improvement cannot be judged."
)
REASON_SELF_HARM_DUE = "Raised {raised}; no response recorded yet (due by {due})."
REASON_SELF_HARM_OVERDUE = "Raised {raised}; no response recorded — overdue since {due}."
REASON_HIGH_RISK = "{flags}; no plan addresses it."
REASON_NO_GOALS = "Active without goals."
REASON_NO_PLAN = "Active without a signed plan."
REASON_RED_FLAG = "Referred for red flags on {day} ({urgency}); outcome not yet recorded."
URGENCY_WORDS = {"emergency": "emergency", "urgent": "urgent", "routine": "routine"}

SMALL_N = 10
SMALL_N_WARNING = "n = {n}: too few to read anything into."
NO_DATA = "No data yet."
TOO_FEW = "too few to estimate"
CLIPPED_NOTE = "Interval limited to the scale's range ({low}–{high})."
Z_95 = 1.959963984540054


@dataclass(frozen=True)
class ReviewRules:
    review_interval_days: int = 90
    no_improvement_after_weeks: int = 12


@dataclass(frozen=True)
class CaseFacts:
    episode_id: int
    status: str  # patients.models.EpisodeStatus value
    referral_date: date
    status_since: date
    last_signed_assessment: date | None = None
    # instrument short name -> RCI classification of baseline vs latest
    change: dict[str, str] = field(default_factory=dict)
    sced_no_improvement: bool | None = None
    sced_reasons: tuple[str, ...] = ()  # the findings behind sced_no_improvement, worded
    high_risk_flags: tuple[str, ...] = ()
    flags_addressed_by_plan: bool | None = None
    has_goals: bool | None = None
    has_signed_plan: bool | None = None
    # The patient's oldest open self-harm signal: when it was raised, when its response is due
    # (the clinic's working-day interval) and whether that has passed; None: no open signal.
    self_harm_raised: date | None = None
    self_harm_due: date | None = None
    self_harm_overdue: bool = False
    # The open red-flag referral: (date referred, urgency key), None when none is open.
    red_flag_referral: tuple[date, str] | None = None


@dataclass(frozen=True)
class Attention:
    list_key: str
    reasons: tuple[str, ...]

    @property
    def title(self) -> str:
        return ATTENTION_LISTS[self.list_key]


def _fmt_day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def self_harm_response(f: CaseFacts) -> Attention | None:
    """Any open signal lists the patient, whatever the episode's status but discharged."""
    if f.self_harm_raised is None or f.status == "discharged":
        return None
    template = REASON_SELF_HARM_OVERDUE if f.self_harm_overdue else REASON_SELF_HARM_DUE
    due = _fmt_day(f.self_harm_due) if f.self_harm_due else "—"
    reason = template.format(raised=_fmt_day(f.self_harm_raised), due=due)
    return Attention(SELF_HARM_RESPONSE, (reason,))


def overdue_review(f: CaseFacts, rules: ReviewRules, today: date) -> Attention | None:
    if f.status != "active":
        return None
    interval = f"{rules.review_interval_days} days"
    if f.last_signed_assessment is None:
        days = (today - f.referral_date).days
        if days <= rules.review_interval_days:
            return None
        reason = REASON_NO_ASSESSMENT.format(
            days=days, since=f"referral on {_fmt_day(f.referral_date)}", interval=interval
        )
        return Attention(OVERDUE_REVIEW, (reason,))
    days = (today - f.last_signed_assessment).days
    if days <= rules.review_interval_days:
        return None
    return Attention(OVERDUE_REVIEW, (REASON_LAST_ASSESSMENT.format(days=days, interval=interval),))


def not_on_track(f: CaseFacts, rules: ReviewRules, today: date) -> Attention | None:
    if f.status != "active":
        return None
    reasons = [
        REASON_DETERIORATED.format(instrument=name)
        for name, classification in sorted(f.change.items())
        if classification == RELIABLY_DETERIORATED
    ]
    if f.sced_no_improvement:
        reasons.extend(f.sced_reasons or (REASON_SCED,))
    weeks = (today - f.status_since).days // 7
    improved = any(c == RELIABLY_IMPROVED for c in f.change.values())
    if weeks >= rules.no_improvement_after_weeks and not improved:
        reason = REASON_NO_IMPROVEMENT if f.change else REASON_NOT_REMEASURED
        reasons.append(reason.format(weeks=weeks))
    return Attention(NOT_ON_TRACK, tuple(reasons)) if reasons else None


# --- SCED "no improvement" ------------------------------------------------------------------
# Read from the latest DONE analysis of a study (sced.study_analysis.analyse_study results): the
# study's first measure and its first baseline–intervention comparison (A-B, or A1-B1).
# "No improvement" = NAP below 0.66, the upper limit of "weak or no effect" in Parker & Vannest
# (2009, doi:10.1016/j.beth.2008.10.006: 0–0.65 weak, 0.66–0.92 medium, 0.93–1 strong), OR a 95%
# CI of NAP that includes 0.5 (no difference). The randomization p is worded beside it but does
# not decide: with few admissible start points the smallest attainable p is above 0.05 whatever
# the data (sced.study_analysis._reading), so p > 0.05 alone is not evidence of no effect.
NAP_WEAK_BELOW = 0.66
NAP_NO_DIFFERENCE = 0.5


@dataclass(frozen=True)
class ScedFinding:
    measure: str
    nap: float
    ci_low: float | None
    ci_high: float | None
    p_value: float | None

    @property
    def no_improvement(self) -> bool:
        ci_includes_half = (
            self.ci_low is not None
            and self.ci_high is not None
            and self.ci_low <= NAP_NO_DIFFERENCE <= self.ci_high
        )
        return self.nap < NAP_WEAK_BELOW or ci_includes_half

    @property
    def reason(self) -> str:
        # A missing interval is left out, not shown as "?–?".
        ci = (
            ""
            if self.ci_low is None or self.ci_high is None
            else f" (95% CI {self.ci_low:.2f}–{self.ci_high:.2f})"
        )
        p = "" if self.p_value is None else f"; randomization p = {self.p_value:.3f}"
        return REASON_SCED_NAP.format(nap=self.nap, ci=ci, measure=self.measure, p=p)


def sced_finding(measure_entry: dict | None) -> ScedFinding | None:
    """The NAP finding of one stored measure result; None when it was not analysed (an unknown
    is not a finding)."""
    if not measure_entry or "analysis" not in measure_entry:
        return None
    comparisons = (measure_entry.get("analysis") or {}).get("comparisons") or {}
    comparison = next(iter(comparisons.values()), None)
    if not comparison:
        return None
    nap = (comparison.get("effect_sizes") or {}).get("NAP") or {}
    if nap.get("estimate") is None:
        return None
    return ScedFinding(
        measure=str(measure_entry.get("name", "")),
        nap=float(nap["estimate"]),
        ci_low=nap.get("ci_lower"),
        ci_high=nap.get("ci_upper"),
        p_value=(measure_entry.get("randomization") or {}).get("p_value"),
    )


def sced_no_improvement(findings: Iterable[ScedFinding | None]) -> tuple[bool | None, tuple]:
    """(any study shows no improvement, the reasons); (None, ()) when nothing was analysed."""
    known = [f for f in findings if f is not None]
    if not known:
        return None, ()
    reasons = tuple(f.reason for f in known if f.no_improvement)
    return bool(reasons), reasons


def high_risk_without_plan(f: CaseFacts) -> Attention | None:
    if not f.high_risk_flags or f.flags_addressed_by_plan is True or f.status == "discharged":
        return None
    return Attention(
        HIGH_RISK_NO_PLAN, (REASON_HIGH_RISK.format(flags="; ".join(f.high_risk_flags)),)
    )


def without_goals_or_plan(f: CaseFacts) -> Attention | None:
    if f.status != "active":
        return None
    reasons = []
    if f.has_goals is False:
        reasons.append(REASON_NO_GOALS)
    if f.has_signed_plan is False:
        reasons.append(REASON_NO_PLAN)
    return Attention(NO_GOALS_OR_PLAN, tuple(reasons)) if reasons else None


def red_flag_referral_open(f: CaseFacts) -> Attention | None:
    """A referral for suspected serious pathology stays listed until its outcome is recorded,
    whatever the episode's status (safety.md §3: referral follow-up)."""
    if f.red_flag_referral is None:
        return None
    day, urgency = f.red_flag_referral
    reason = REASON_RED_FLAG.format(day=_fmt_day(day), urgency=URGENCY_WORDS.get(urgency, "—"))
    return Attention(RED_FLAG_REFERRAL, (reason,))


def attention_for(f: CaseFacts, rules: ReviewRules, today: date) -> list[Attention]:
    """Every attention list the case belongs on, in the order the page shows the lists."""
    found = [
        self_harm_response(f),
        red_flag_referral_open(f),
        overdue_review(f, rules, today),
        not_on_track(f, rules, today),
        high_risk_without_plan(f),
        without_goals_or_plan(f),
    ]
    return [a for a in found if a is not None]


# --- Process measures and outcome rates ---------------------------------------------------


@dataclass(frozen=True)
class Estimate:
    """A mean or a rate with its 95% interval and the method, and a plain small-n warning.

    ``low``/``high`` are None when the interval cannot be estimated (n < 2 for a mean, or a t
    interval wider than the whole scale); ``clipped`` says the interval was limited to the
    scale's range (``bounds``)."""

    kind: str  # "mean" | "rate"
    n: int
    value: float | None
    low: float | None
    high: float | None
    method: str
    successes: int | None = None
    bounds: tuple[float, float] | None = None
    clipped: bool = False

    @property
    def percent(self) -> str:
        return "" if self.value is None else f"{self.value:.0%}"

    @property
    def value_text(self) -> str:
        """The estimate as a page shows it: a rate as a percentage with its count, a mean to one
        decimal; never a raw float."""
        if self.value is None:
            return "—"
        if self.kind == "rate":
            return f"{self.value:.0%} ({self.successes} of {self.n})"
        return f"{self.value:.1f}"

    @property
    def interval_text(self) -> str:
        if self.n == 0:
            return "—"
        if self.low is None or self.high is None:
            return TOO_FEW
        if self.kind == "rate":
            return f"{self.low:.0%}–{self.high:.0%}"
        return f"{self.low:.1f}–{self.high:.1f}"

    @property
    def warning(self) -> str:
        if self.n == 0:
            return NO_DATA
        parts = []
        if self.n < SMALL_N:
            parts.append(SMALL_N_WARNING.format(n=self.n))
        if self.clipped and self.bounds is not None:
            parts.append(CLIPPED_NOTE.format(low=_num(self.bounds[0]), high=_num(self.bounds[1])))
        return " ".join(parts)


def _num(x: float) -> str:
    return f"{x:.0f}" if float(x).is_integer() else f"{x:.1f}"


WILSON = "Wilson score 95% interval"
T_INTERVAL = "t 95% interval (mean ± t·s/√n)"


def wilson_interval(successes: int, n: int, z: float = Z_95) -> Estimate:
    if n <= 0:
        return Estimate("rate", 0, None, None, None, WILSON, successes=0)
    if not 0 <= successes <= n:
        raise ValueError("successes must be between 0 and n")
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return Estimate(
        "rate", n, p, max(0.0, centre - half), min(1.0, centre + half), WILSON, successes
    )


def mean_t_interval(
    values: Sequence[float], *, bounds: tuple[float, float] | None = None
) -> Estimate:
    values = [float(v) for v in values]
    n = len(values)
    if n == 0:
        return Estimate("mean", 0, None, None, None, T_INTERVAL, bounds=bounds)
    mean = sum(values) / n
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1)) if n > 1 else None
    return mean_t_interval_from_summary(n, mean, sd, bounds=bounds)


def sample_sd_from_sums(n: int, total: float | None, sum_of_squares: float | None) -> float | None:
    """Sample SD (n − 1) from SQL SUM(x) and SUM(x²): portable where STDDEV_SAMP is not (Django's
    SQLite StdDev raises for n = 1; PostgreSQL answers NULL). None for n < 2."""
    if n < 2 or total is None or sum_of_squares is None:
        return None
    variance = (float(sum_of_squares) - float(total) ** 2 / n) / (n - 1)
    return math.sqrt(max(variance, 0.0))  # rounding can make a zero variance slightly negative


def mean_t_interval_from_summary(
    n: int, mean: float | None, sd: float | None, *, bounds: tuple[float, float] | None = None
) -> Estimate:
    """The same interval from n, mean and sample SD (n − 1), e.g. SQL AVG and STDDEV_SAMP.

    With ``bounds`` (the scale's range, e.g. WAI-SR 12–60) the interval is limited to the scale,
    and an interval that would cover the whole scale is not shown (too few to estimate): with
    n = 2, t(0.975, 1) = 12.7 and "−116.5–188.5" on a 12–60 scale says nothing."""
    if n == 0 or mean is None:
        return Estimate("mean", 0, None, None, None, T_INTERVAL, bounds=bounds)
    mean = float(mean)
    if n == 1 or sd is None:
        return Estimate("mean", n, mean, None, None, T_INTERVAL, bounds=bounds)
    sd = float(sd)
    half = float(stats.t.ppf(0.975, n - 1)) * sd / math.sqrt(n)
    low, high = mean - half, mean + half
    clipped = False
    if bounds is not None:
        floor, ceiling = bounds
        if low <= floor and high >= ceiling:
            return Estimate("mean", n, mean, None, None, T_INTERVAL, bounds=bounds)
        clipped = low < floor or high > ceiling
        low, high = max(low, floor), min(high, ceiling)
    return Estimate("mean", n, mean, low, high, T_INTERVAL, bounds=bounds, clipped=clipped)


def reliable_improvement_rate(classifications: Iterable[str]) -> Estimate:
    """Share reliably improved among patients whose change could be classified."""
    classified = [c for c in classifications if c != "not_available"]
    return wilson_interval(sum(c == RELIABLY_IMPROVED for c in classified), len(classified))
