"""Page-shaped reads for treatment. The patient always comes from the access policy (views);
every query here is scoped to that patient, and the number of queries does not grow with rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch
from django.utils import timezone

from assessment import instruments
from assessment.instruments.base import Unscorable
from assessment.instruments.gas import (
    GasGoal,
    GasResult,
    gas_baseline_t_score,
    gas_t_score,
)
from assessment.selectors import latest_scores
from painclinic.access import clinical_staff
from patients.models import Episode, Patient
from treatment import exposure, pacing
from treatment.models import (
    ExposureSession,
    FlareUpPlan,
    Goal,
    GoalReview,
    GoalReviewAmendment,
    HierarchyItem,
    PacingLogEntry,
    PacingPlan,
    PacingScheduleChange,
    SuggestionRecord,
    TreatmentPlan,
    YellowFlag,
)
from treatment.services import quota_rule_for
from treatment.suggestions import FLAG_BOOM_BUST, RULES_BY_KEY, Suggestion, suggest

if TYPE_CHECKING:
    from painclinic.models import User


def profile_scores(patient: Patient) -> dict[str, dict]:
    """The assessment contract ``latest_scores`` (signed results only)."""
    return latest_scores(patient)


def episode_for(patient: Patient, episode_id: int) -> Episode:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(Episode, pk=episode_id, patient=patient)


def _plans(episode: Episode):
    return (
        TreatmentPlan.objects.filter(episode=episode)
        .select_related("signed_by")
        .prefetch_related("interventions__delivered_by")
        .order_by("-version")
    )


def current_plan(episode: Episode | None) -> TreatmentPlan | None:
    if episode is None:
        return None
    return _plans(episode).first()


def plan_history(episode: Episode) -> list[TreatmentPlan]:
    return list(_plans(episode))


def care_team_users(episode: Episode) -> list[User]:
    """Who may deliver an intervention: the care team's members who give clinical care
    (painclinic.access.clinical_staff; a member whose role changed is not offered)."""
    return list(clinical_staff().filter(care_team_places__episode=episode).order_by("last_name"))


# --- suggestions ------------------------------------------------------------------------------


@dataclass
class SuggestionRow:
    suggestion: Suggestion
    decision: SuggestionRecord | None  # the latest decision on this rule, if any


def activity_flags(patient: Patient, plan: TreatmentPlan | None) -> set[str]:
    """Boom-and-bust from the clinician (a yellow flag on the plan) or from a pacing log."""
    flags: set[str] = set()
    if plan is not None and YellowFlag.BOOM_BUST in plan.yellow_flags:
        flags.add(FLAG_BOOM_BUST)
    for overview in pacing_overviews(patient):
        report = overview.adherence
        if report is not None and report.boom_bust:
            flags.add(FLAG_BOOM_BUST)
    return flags


def suggestion_rows(
    patient: Patient, episode: Episode | None, *, scores: dict | None = None, plan=None
) -> list[SuggestionRow]:
    scores = profile_scores(patient) if scores is None else scores
    made = suggest(scores, flags=activity_flags(patient, plan))
    latest: dict[str, SuggestionRecord] = {}
    if episode is not None:
        for record in SuggestionRecord.objects.filter(episode=episode).select_related("decided_by"):
            latest.setdefault(record.rule_key, record)  # newest first (Meta.ordering)
    return [SuggestionRow(s, latest.get(s.rule.key)) for s in made]


def suggestion_by_key(patient: Patient, episode: Episode, rule_key: str) -> Suggestion | None:
    plan = current_plan(episode)
    for row in suggestion_rows(patient, episode, plan=plan):
        if row.suggestion.rule.key == rule_key:
            return row.suggestion
    return None


def decision_history(episode: Episode | None) -> list[SuggestionRecord]:
    if episode is None:
        return []
    return list(SuggestionRecord.objects.filter(episode=episode).select_related("decided_by"))


def accepted_interventions(episode: Episode | None) -> set[str]:
    """Interventions of the suggestions whose latest decision is 'accepted'."""
    chosen: set[str] = set()
    seen: set[str] = set()
    for record in decision_history(episode):
        if record.rule_key in seen:
            continue
        seen.add(record.rule_key)
        rule = RULES_BY_KEY.get(record.rule_key)
        if record.decision == "accepted" and rule is not None:
            chosen.update(rule.interventions)
    return chosen


# --- goals and GAS ----------------------------------------------------------------------------


def goals_for(episode: Episode | None) -> list[Goal]:
    if episode is None:
        return []
    reviews = GoalReview.objects.select_related("recorded_by").prefetch_related(
        Prefetch("amendments", queryset=GoalReviewAmendment.objects.select_related("amended_by"))
    )
    return list(
        Goal.objects.filter(episode=episode).prefetch_related(Prefetch("reviews", queryset=reviews))
    )


@dataclass
class GasPoint:
    day: date | None  # None: the baseline (every goal at its baseline level)
    label: str
    result: GasResult | Unscorable
    # Where the point sits on a time axis: the review date, or for the baseline the day the
    # first goal was set (so a chart spaces reviews by the time between them).
    on: date | None = None

    @property
    def t_score(self) -> float | None:
        return self.result.t_score if isinstance(self.result, GasResult) else None

    @property
    def reason(self) -> str:
        return self.result.reason if isinstance(self.result, Unscorable) else ""


def gas_history(goals: list[Goal]) -> list[GasPoint]:
    """The GAS T-score at baseline and at every review date (Kiresuk & Sherman 1968, weights,
    ρ 0.3, as corrected in Turner-Stokes 2009).

    At a review date each goal set by then counts with its latest review on or before that date
    (amendments applied); a goal not yet reviewed by then makes that date unscorable, with the
    reason gas.py gives (all goals are scored at a GAS review; instruments.md §22).

    Retired goals (never deleted): a goal retired after it was reviewed counts in the baseline and
    at the review dates before the day it was retired, so earlier points do not change; from that
    day on the score is over the remaining goals. A goal withdrawn before any review (set by
    mistake, or replaced before it was scored) does not count anywhere.
    """
    goals = [g for g in goals if not (g.is_retired and not g.reviews.all())]
    if not goals:
        return []
    points = [
        GasPoint(
            None,
            "Baseline",
            gas_baseline_t_score([GasGoal(None, float(g.weight), g.baseline_level) for g in goals]),
            on=min(timezone.localdate(g.created_at) for g in goals),
        )
    ]
    days = sorted({r.review_date for g in goals for r in g.reviews.all()})
    for day in days:
        included = [
            g
            for g in goals
            if g.created_at.date() <= day
            and (g.retired_at is None or day < timezone.localdate(g.retired_at))
        ]
        gas_goals = []
        for goal in included:
            reviews = [r for r in goal.reviews.all() if r.review_date <= day]
            level = reviews[-1].effective()[0] if reviews else None
            gas_goals.append(GasGoal(level, float(goal.weight), goal.baseline_level))
        points.append(GasPoint(day, day.strftime("%d %b %Y"), gas_t_score(gas_goals), on=day))
    return points


def latest_level(goal: Goal) -> int | None:
    reviews = list(goal.reviews.all())
    return reviews[-1].effective()[0] if reviews else None


# --- graded exposure --------------------------------------------------------------------------


def hierarchy_for(patient: Patient) -> list[HierarchyItem]:
    return list(
        HierarchyItem.objects.filter(patient=patient).prefetch_related(
            Prefetch("sessions", queryset=ExposureSession.objects.order_by("session_number"))
        )
    )


def experiments(items: list[HierarchyItem]) -> list[exposure.BehaviouralExperiment]:
    """Experiments with their outcome logged; a pending prediction is not an experiment yet."""
    return [
        exposure.BehaviouralExperiment(
            session=s.session_number,
            item=item.activity,
            expectancy_before=float(s.expectancy_before),
            expectancy_after=_float(s.expectancy_after),
            outcome_observed=_float(s.outcome_observed),
            fear_before=float(s.fear_before),
            fear_peak=_float(s.fear_peak),
            fear_after=_float(s.fear_after),
        )
        for item in items
        for s in item.sessions.all()
        if s.took_place
    ]


def _float(value) -> float | None:
    return None if value is None else float(value)


def exposure_summary(items: list[HierarchyItem]) -> exposure.ExposureSummary:
    return exposure.summarise_experiments(experiments(items))


def _with_items(items: list[HierarchyItem], keep) -> list[ExposureSession]:
    rows = []
    for item in items:
        for s in item.sessions.all():
            if keep(s):
                s.item = item
                rows.append(s)
    return sorted(rows, key=lambda s: (s.session_number, s.pk))


def sessions_for(items: list[HierarchyItem]) -> list[ExposureSession]:
    """Every experiment with its outcome logged, in session order, with its item attached (no
    extra queries)."""
    return _with_items(items, lambda s: s.took_place)


def pending_for(items: list[HierarchyItem]) -> list[ExposureSession]:
    """Predictions recorded before an experiment whose outcome is not logged yet."""
    return _with_items(items, lambda s: s.is_pending)


def not_done_for(items: list[HierarchyItem]) -> list[ExposureSession]:
    """Predictions closed because the experiment did not take place (kept, with the reason)."""
    return _with_items(items, lambda s: bool(s.not_done_reason))


def pending_experiment(item: HierarchyItem) -> ExposureSession | None:
    return ExposureSession.objects.filter(item=item, outcome_recorded_at__isnull=True).first()


def experiment_for(patient: Patient, experiment_id: int) -> ExposureSession:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(
        ExposureSession.objects.select_related("item"), pk=experiment_id, item__patient=patient
    )


# --- pacing -----------------------------------------------------------------------------------


@dataclass
class ScheduleVersion:
    """One version of a pacing plan's schedule: the plan itself (version 1) or a later change."""

    number: int
    effective_from: date
    source: PacingPlan | PacingScheduleChange
    rule: pacing.QuotaRule
    start: pacing.StartingQuota | Unscorable
    schedule: tuple[float, ...] = ()  # per step
    daily: tuple[float, ...] = ()  # per day from effective_from
    error: str = ""

    @property
    def change(self) -> PacingScheduleChange | None:
        return self.source if isinstance(self.source, PacingScheduleChange) else None


def _schedule_version(number, effective_from, source) -> ScheduleVersion:
    rule = quota_rule_for(source.rule_kind, float(source.rule_proportion))
    start = pacing.starting_quota(source.baseline, rule, round_down_to=None)
    version = ScheduleVersion(number, effective_from, source, rule, start)
    if isinstance(start, Unscorable):
        return version
    increment = pacing.IncrementRule(source.increment_kind, float(source.increment_amount))
    try:
        version.schedule = pacing.quota_schedule(
            start.value,
            increment,
            steps=source.steps,
            target=float(source.target) if source.target else None,
        )
    except ValueError as exc:
        version.error = str(exc)
        return version
    version.daily = pacing.expand_schedule(version.schedule, days_per_step=source.days_per_step)
    return version


@dataclass
class PacingOverview:
    plan: PacingPlan
    rule: pacing.QuotaRule  # of the version in force today
    start: pacing.StartingQuota | Unscorable
    schedule: tuple[float, ...] = ()  # per step, of the version in force today
    daily: tuple[float, ...] = ()  # per day from start_date, across all versions
    log: list[PacingLogEntry] = field(default_factory=list)
    days: list[date] = field(default_factory=list)
    done: list[float | None] = field(default_factory=list)
    adherence: pacing.AdherenceReport | None = None
    error: str = ""
    versions: list[ScheduleVersion] = field(default_factory=list)
    in_force: ScheduleVersion | None = None


def pacing_overview(plan: PacingPlan) -> PacingOverview:
    """Starting quota, schedule and adherence of one plan, from the pure core (pacing.py).

    The schedule may have later versions (``PacingScheduleChange``): each runs from its own first
    day, the days before keep their quota (pacing.versioned_daily_quotas), and the log is judged
    against the quota of its day."""
    versions = [_schedule_version(1, plan.start_date, plan)]
    for number, change in enumerate(plan.changes.all(), start=2):
        versions.append(_schedule_version(number, change.effective_from, change))
    today = date.today()
    in_force = [v for v in versions if v.effective_from <= today][-1:] or versions[:1]
    now = in_force[0]
    overview = PacingOverview(
        plan=plan,
        rule=now.rule,
        start=now.start,
        schedule=now.schedule,
        log=list(plan.log.all()),
        error=now.error,
        versions=versions,
        in_force=now,
    )
    if isinstance(versions[0].start, Unscorable) or versions[0].error:
        return overview
    overview.daily = pacing.versioned_daily_quotas(
        [((v.effective_from - plan.start_date).days, v.daily) for v in versions]
    )
    # A day logged twice counts with its latest entry; both rows are kept.
    by_day: dict[date, float] = {}
    for entry in sorted(overview.log, key=lambda e: (e.day, e.recorded_at, e.pk)):
        by_day[entry.day] = float(entry.done)
    last_logged = max(by_day) if by_day else None
    if last_logged is not None:
        n = min((last_logged - plan.start_date).days + 1, len(overview.daily))
        overview.days = [plan.start_date + timedelta(days=i) for i in range(n)]
        overview.done = [by_day.get(d) for d in overview.days]
        overview.adherence = pacing.adherence(overview.done, overview.daily[:n])
    return overview


_CHANGES = Prefetch(
    "changes",
    queryset=PacingScheduleChange.objects.select_related("created_by").order_by(
        "effective_from", "id"
    ),
)


def pacing_overviews(patient: Patient) -> list[PacingOverview]:
    plans = PacingPlan.objects.filter(patient=patient).prefetch_related("log", _CHANGES)
    return [pacing_overview(plan) for plan in plans]


def pacing_plan_for(patient: Patient, pacing_id: int) -> PacingPlan:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(
        PacingPlan.objects.prefetch_related("log", _CHANGES), pk=pacing_id, patient=patient
    )


# --- flare-up ---------------------------------------------------------------------------------


def current_flare_up_plan(patient: Patient) -> FlareUpPlan | None:
    return (
        FlareUpPlan.objects.filter(patient=patient)
        .select_related("signed_by")
        .order_by("-version")
        .first()
    )


def flare_up_history(patient: Patient) -> list[FlareUpPlan]:
    return list(
        FlareUpPlan.objects.filter(patient=patient).select_related("signed_by").order_by("-version")
    )


# --- the treatment page and the printable documents -------------------------------------------


@dataclass(frozen=True)
class ProfileLine:
    """One questionnaire result as a letter states it: the instrument's name, the total as the
    pages show it (whole numbers, else one decimal), the band's label, the date."""

    name: str
    total: str
    band: str
    date: date | None


def _plain_number(value) -> str:
    if value is None:
        return "–"
    value = float(value)
    return str(int(value)) if value.is_integer() else f"{value:.1f}"


def profile_lines(scores: dict[str, dict]) -> list[ProfileLine]:
    """The latest signed results in the words the pages use (no instrument keys, band names or
    raw floats reach a letter: issue #9)."""
    lines = []
    for key, result in scores.items():
        try:
            definition = instruments.get(key)
        except KeyError:
            continue  # an instrument no longer in the library has no name to print
        total = _plain_number(result.get("total"))
        if result.get("total") is None and result.get("subscales"):
            # FABQ, DASS-21: no total, so each subscale by its label ("work 21").
            subscales = result["subscales"]
            total = ", ".join(
                f"{rule.label} {_plain_number(subscales[rule.id])}"
                for rule in definition.scores  # in the definition's order
                if rule.id in subscales
            )
        lines.append(
            ProfileLine(
                name=definition.short_name,
                total=total,
                band=result.get("band_label") or "",  # stored when signed
                date=result.get("date"),
            )
        )
    return sorted(lines, key=lambda line: line.name)


def treatment_overview(patient: Patient) -> dict[str, Any]:
    """Everything the treatment page, the summary and the GP letter show."""
    episode = Episode.objects.current_for(patient)
    plan = current_plan(episode)
    scores = profile_scores(patient)
    goals = goals_for(episode)
    items = hierarchy_for(patient)
    overviews = pacing_overviews(patient)
    flags: set[str] = set()
    if plan is not None and YellowFlag.BOOM_BUST in plan.yellow_flags:
        flags.add(FLAG_BOOM_BUST)
    if any(o.adherence is not None and o.adherence.boom_bust for o in overviews):
        flags.add(FLAG_BOOM_BUST)
    made = suggest(scores, flags=flags)
    latest: dict[str, SuggestionRecord] = {}
    records = decision_history(episode)
    for record in records:
        latest.setdefault(record.rule_key, record)
    history = gas_history(goals)
    current_goals = [g for g in goals if not g.is_retired]
    return {
        "episode": episode,
        "plan": plan,
        "scores": scores,
        "profile_lines": profile_lines(scores),
        "suggestions": [SuggestionRow(s, latest.get(s.rule.key)) for s in made],
        "decisions": records,
        "goals": current_goals,
        "retired_goals": [g for g in goals if g.is_retired],
        "goal_levels": {g.pk: latest_level(g) for g in current_goals},
        "gas_history": history,
        "gas_latest": next((p for p in reversed(history) if p.day is not None), None),
        "hierarchy": [i for i in items if not i.is_retired],
        "exposure_summary": exposure_summary(items),
        "sessions": sessions_for(items),
        "pacing": overviews,
        "flare_up": current_flare_up_plan(patient),
    }


def goals_of_patient(patient: Patient) -> list[Goal]:
    """Every goal of every episode of the patient (retired ones too), reviews and amendments
    prefetched, with the episode (for its status). For exports (interop)."""
    reviews = GoalReview.objects.prefetch_related("amendments")
    return list(
        Goal.objects.filter(episode__patient=patient)
        .select_related("episode")
        .prefetch_related(Prefetch("reviews", queryset=reviews))
        .order_by("episode__referral_date", "id")
    )


def current_plans(patient: Patient) -> list[TreatmentPlan]:
    """The current (highest) plan version of each episode of the patient, interventions
    prefetched. For exports (interop)."""
    plans = (
        TreatmentPlan.objects.filter(episode__patient=patient)
        .select_related("episode")
        .prefetch_related("interventions")
        .order_by("episode_id", "-version")
    )
    seen: set[int] = set()
    out = []
    for plan in plans:
        if plan.episode_id not in seen:
            seen.add(plan.episode_id)
            out.append(plan)
    return out
