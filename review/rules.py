"""The team lead's caseload review: attention-list rules and their wording. PURE: plain inputs
(dataclasses, dates, numbers), no Django (STYLE.md §3.2); the interval statistics are the shared
pure library painclinic/estimates.py.

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

Intervals (painclinic.estimates): a rate gets the Wilson score interval, a mean the t interval,
both 95%, each with its source there.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from painclinic.estimates import Estimate, wilson_interval

if TYPE_CHECKING:
    from collections.abc import Iterable
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


# --- Outcome rates --------------------------------------------------------------------------


def reliable_improvement_rate(classifications: Iterable[str]) -> Estimate:
    """Share reliably improved among patients whose change could be classified."""
    classified = [c for c in classifications if c != "not_available"]
    return reliable_improvement_rate_of_counts(
        sum(c == RELIABLY_IMPROVED for c in classified), len(classified)
    )


def reliable_improvement_rate_of_counts(improved: int, classified: int) -> Estimate:
    """``reliable_improvement_rate`` from the counts alone (the team review counts in SQL)."""
    return wilson_interval(improved, classified)
