"""Reads for the team lead's caseload review (issue #6) and the clinician's caseload page. The
review app sits on top of the clinical apps and reads them (their models and selectors); nothing
below imports it. Lists start from the access policy; the number of queries does not grow with
the number of patients (pinned in tests/review/test_team_dashboard.py and
tests/review/test_query_counts.py).

Scale (a team of 5,000 open episodes): nothing loads every episode as an object.
- Per-clinician counts and the process-measure means are SQL aggregates (GROUP BY the lead).
- Outcome facts are read compactly: the first and the latest signed scorable result of each
  episode and instrument (stored per episode and instrument by the assessment services:
  assessment.models.ResultSummary), the latest review of each goal, the latest
  DONE SCED analysis of each study (only its first measure's JSON). The RCI, the GAS T-score
  and the SCED finding are computed in Python from these (they need the instrument library).
- The attention lists are paginated in SQL: each list is a queryset whose filter mirrors its
  pure rule in review/rules.py (the rules stay the single definition: the page's rows are
  re-evaluated by them for the reasons shown, and tests/review/test_team_scale.py checks
  that the SQL lists and the pure rules select the same episodes). Where a rule needs Python
  (RCI, SCED, high-risk bands) the SQL filter takes the ids that Python found.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import (
    Avg,
    Case,
    CharField,
    Count,
    DateField,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    JSONField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.fields.json import KT, KeyTextTransform, KeyTransform
from django.db.models.functions import Cast

from assessment import instruments
from assessment import selectors as assessment_selectors
from assessment.instruments.gas import GasGoal, gas_t_score
from assessment.models import RedFlagScreen, ResultSummary
from assessment.selectors import SignedResult, reliable_change
from mdt import selectors as mdt_selectors
from painclinic import estimates
from painclinic.models import Membership, Role, Team, User
from patients import selectors as patient_selectors
from patients.access import episodes_of_led_teams, patients_visible_to
from patients.models import (
    OPEN_STATUSES,
    Contact,
    Episode,
    EpisodeStatus,
    FollowUpCall,
    ReviewNote,
    TeamSettings,
)
from review import rules
from safety.selectors import open_signal_exists, open_signals_by_episode
from sced.models import AnalysisRun, AnalysisState
from treatment.models import Goal, GoalReview, TreatmentPlan

if TYPE_CHECKING:
    from painclinic.listing import Rows

CONTACT_WINDOW_DAYS = 28


def caseload_for(user: User) -> Rows:
    """'My caseload' (patients.selectors.caseload_for) with the self-harm badge: an open
    self-harm signal on the episode's patient (safety), in the same one query."""
    return patient_selectors.caseload_for(user).annotate(
        self_harm_open=open_signal_exists(OuterRef("patient_id"))
    )


def caseload_panels(user: User, today: date, episodes: QuerySet[Episode]) -> dict[str, Any]:
    """How many open episodes the caseload lists (``episodes``: ``caseload_for(user).queryset``,
    its filter without the page's columns), and which of its panels can have rows: notes from
    the team lead not yet read, follow-up calls overdue, open MDT actions. One query: the count
    and three plain EXISTS on the user's own rows, without the access policy: each panel's list
    (``unread_review_notes_for``, ``overdue_follow_ups_for``, ``open_actions_for``) is a subset,
    so a panel answered False is empty and its policy-scoped query is not built (issue #16: the
    three cost ~5 ms of CPU a page to compile and are usually empty; the COUNT was a query of its
    own, ~2 ms of CPU)."""
    flags = (
        User.objects.filter(pk=user.pk)
        .values(
            episodes=Subquery(
                episodes.order_by().values(n=Func(F("pk"), function="COUNT")),
                output_field=IntegerField(),
            ),
            notes=Exists(
                ReviewNote.objects.filter(addressed_to=user, acknowledged_at__isnull=True)
            ),
            calls=Exists(FollowUpCall.objects.filter(caller=user, outcome="", due_on__lt=today)),
            actions=Exists(mdt_selectors.open_actions_owned_by(user)),
        )
        .first()
    )
    return flags or {"episodes": 0, "notes": False, "calls": False, "actions": False}


# --- The team lead's caseload review ---------------------------------------------------------

# High-risk yellow flags (instruments.md §3 STarT Back, §13 PHQ-9) and the plan flags that
# address them (treatment.models.YellowFlag).
HIGH_RISK_BANDS = {
    ("startback", "high"): ("STarT Back high risk", None),  # any psychosocial flag in the plan
    ("phq9", "severe"): ("PHQ-9 severe depression", "low_mood"),
    ("phq9", "moderately_severe"): ("PHQ-9 moderately severe depression", "low_mood"),
}
HIGH_RISK_ORDER = list(HIGH_RISK_BANDS.values())
PROCESS_MEASURES = {"waisr": "WAI-SR (working alliance)", "care": "CARE (empathy)"}
PROCESS_KEYS = tuple(PROCESS_MEASURES)
# The widest range a Kiresuk-Sherman T can take (rho = 0.3, every goal at -2 or +2, many equally
# weighted goals): 50 ± 20/√0.3 ≈ 13.5–86.5 (instruments.md §22). A mean's interval is clipped to it.
GAS_T_RANGE = (50 - 20 / 0.3**0.5, 50 + 20 / 0.3**0.5)


def _scale(key: str) -> tuple[float, float] | None:
    """The declared range of an instrument's total (WAI-SR 12–60, CARE 10–50)."""
    try:
        definition = instruments.get(key)
    except KeyError:
        return None
    rule = definition.score_rule(definition.primary or "total")
    return tuple(rule.range) if rule else None


def teams_led_by(user: User):
    if user.role != Role.TEAM_LEAD:
        return Team.objects.none()
    return Team.objects.filter(memberships__user=user).order_by("name")


def review_rules_for(teams) -> rules.ReviewRules:
    """The first led team's settings (a lead of several teams sees the strictest interval)."""
    rows = list(TeamSettings.objects.filter(team__in=teams))
    if not rows:
        return rules.ReviewRules()
    return rules.ReviewRules(
        review_interval_days=min(r.review_interval_days for r in rows),
        no_improvement_after_weeks=min(r.no_improvement_after_weeks for r in rows),
    )


def team_episodes(user: User):
    """Open episodes held by the lead's teams (a queryset: nothing is evaluated here)."""
    return Episode.objects.filter(
        Exists(patients_visible_to(user).filter(pk=OuterRef("patient_id"))),
        team__in=teams_led_by(user),
        status__in=OPEN_STATUSES,
    ).order_by("patient__family_name", "patient__given_name", "pk")


def _signed_scorable():
    """Signed administrations whose score in force (the amendment's, if any) is scorable."""
    return assessment_selectors.signed_scorable()


def _with_rule_facts(episodes):
    """The facts the SQL lists read: last signed scorable assessment, goals, signed plan, the
    open red-flag referral."""
    latest_plan = TreatmentPlan.objects.filter(episode=OuterRef("pk")).order_by("-version")
    open_referral = RedFlagScreen.objects.filter(
        episode=OuterRef("pk"), outcome="referred", referral_outcome_at__isnull=True
    ).order_by("-referral_date", "-id")
    return episodes.annotate(
        red_flag_referred_on=Subquery(
            open_referral.values("referral_date")[:1], output_field=DateField()
        ),
        red_flag_urgency=Subquery(open_referral.values("referral_urgency")[:1]),
        # A column kept current by the assessment services (issue #16), not a MAX per episode.
        last_signed=F("last_signed_assessment"),
        has_plan=Exists(latest_plan),
        plan_flags=Subquery(latest_plan.values("yellow_flags")[:1]),
        has_goals=Exists(Goal.objects.filter(episode=OuterRef("pk"))),
    )


@dataclass
class OutcomeFacts:
    """Per open episode: RCI classification per instrument, high-risk flags, GAS T, SCED."""

    change: dict[int, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))
    high_risk: dict[int, list[tuple[str, str | None]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    gas_t: dict[int, float] = field(default_factory=dict)
    sced: dict[int, tuple[bool | None, tuple[str, ...]]] = field(default_factory=dict)
    lead_of: dict[int, int] = field(default_factory=dict)  # episode -> lead clinician
    # episode -> (raised, due, overdue) of the patient's oldest open self-harm signal
    self_harm: dict[int, tuple[date, date, bool]] = field(default_factory=dict)
    # episode -> date of its latest signed outcome result (the team's outcomes by quarter)
    latest_on: dict[int, date] = field(default_factory=dict)

    def episodes_with(self, classification: str) -> set[int]:
        return {e for e, c in self.change.items() if classification in c.values()}


@lru_cache(maxsize=256)
def _short_name(key: str) -> str:
    try:
        return instruments.get(key).short_name
    except KeyError:
        return key


@lru_cache(maxsize=8192)
def _change_classification(
    key: str, first_total: float | None, latest_total: float | None, *, remeasured: bool
) -> str:
    """The RCI classification of a baseline and a latest total (assessment.selectors
    .reliable_change, which reads only the totals, the instrument and whether there are two):
    a team has thousands of pairs but few distinct ones, so each is classified once."""
    latest = SignedResult(key, 0, date.min, {"total": latest_total}, amended=False)
    results = [SignedResult(key, 0, date.min, {"total": first_total}, amended=False), latest]
    return reliable_change(results if remeasured else results[1:])["classification"]


def _first_and_latest_results(episodes) -> OutcomeFacts:
    """RCI baseline (first) vs latest of each episode's outcome instruments, and the bands of
    the latest, from the stored summary (assessment.models.ResultSummary, kept current by the
    assessment services): one indexed query over the team's episodes. Picking them out of every
    administration per request took two scans of ~90-100 ms each at 1,000 patients (issue #16);
    tests/review/test_result_summary.py checks the two give the same facts."""
    out = OutcomeFacts()
    # 0 episode, 1 instrument, 2 first id, 3 first date, 4 first total, 5 first amended,
    # 6 latest id, 7 latest date, 8 latest total, 9 latest amended, 10 latest band, 11 lead
    rows = (
        ResultSummary.objects.filter(episode__in=episodes)
        .exclude(instrument_key__in=PROCESS_KEYS)
        .order_by()
        .values_list(
            "episode_id",
            "instrument_key",
            "first_result_id",
            "first_date",
            "first_total",
            "first_amended",
            "latest_result_id",
            "latest_date",
            "latest_total",
            "latest_amended",
            "latest_band_name",
            "episode__lead_clinician_id",
        )
    )
    for row in rows:
        episode_id, key = row[0], row[1]
        out.lead_of[episode_id] = row[11]
        out.latest_on[episode_id] = max(row[7], out.latest_on.get(episode_id, row[7]))
        out.change[episode_id][_short_name(key)] = _change_classification(
            key, row[4], row[8], remeasured=row[2] != row[6]
        )
        band = row[10]
        if (key, band) in HIGH_RISK_BANDS:
            out.high_risk[episode_id].append(HIGH_RISK_BANDS[(key, band)])
    # An episode with two high-risk bands lists them in HIGH_RISK_BANDS' order (the page joins
    # them into one reason), whatever order the rows came in.
    for flags in out.high_risk.values():
        flags.sort(key=HIGH_RISK_ORDER.index)
    return out


def _gas_t_by_episode(episodes, lead_of: dict[int, int]) -> dict[int, float]:
    """Kiresuk-Sherman T of each episode's goals at their latest review (instruments.md §22)."""
    goals_of: dict[int, list[GasGoal]] = defaultdict(list)
    for episode_id, weight, level, lead in _distinct_on(
        GoalReview.objects.filter(goal__episode__in=episodes),
        ("goal_id",),
        ("-review_date", "-id"),
        ("goal__episode_id", "goal__weight", "attained_level", "goal__episode__lead_clinician_id"),
    ):
        lead_of[episode_id] = lead
        goals_of[episode_id].append(GasGoal(level, float(weight)))
    out = {}
    for episode_id, goals in goals_of.items():
        result = gas_t_score(goals)
        if hasattr(result, "t_score"):
            out[episode_id] = result.t_score
    return out


# The first measure's stored result cut down in SQL to what rules.sced_finding reads (its name,
# its randomization's p value, and the NAP of its first comparison, in the stored key order):
# ~10 KB of analysis per study was decoded in Python for four numbers (issue #16). Keys it does
# not read are left out; the ones it reads keep their values, so the finding is the same.
# Built up from the few paths it reads rather than by rewriting the whole measure, and with the
# measure and its comparisons taken out once (OFFSET 0 keeps PostgreSQL from pasting the
# expression into each use): expanding every comparison with jsonb_each and rewriting the measure
# with jsonb_set took ~0.45 ms a study, most of the team review's SQL once the first and latest
# results were stored (issue #16; EXPLAIN ANALYZE in the perfreview report).
_FIRST_COMPARISON_NAP = """
    CASE WHEN jsonb_typeof(c) = 'object' AND c <> '{}'::jsonb THEN (
        SELECT jsonb_build_object(k, CASE
            WHEN jsonb_typeof(c -> k) = 'object'
                 AND jsonb_typeof(c -> k -> 'effect_sizes') = 'object'
            THEN jsonb_build_object(
                'effect_sizes', jsonb_build_object('NAP', c -> k -> 'effect_sizes' -> 'NAP'))
            ELSE c -> k END)
        FROM (SELECT jsonb_object_keys(c) AS k LIMIT 1) AS first_key
    ) ELSE c END
"""
_FINDING_ENTRY_SQL = f"""(
    SELECT CASE WHEN jsonb_typeof(m -> 'analysis') = 'object' THEN
        jsonb_build_object('analysis', CASE WHEN (m -> 'analysis') ? 'comparisons' THEN (
            SELECT jsonb_build_object('comparisons', {_FIRST_COMPARISON_NAP})
            FROM (SELECT m -> 'analysis' -> 'comparisons' AS c OFFSET 0) AS comparisons
        ) ELSE '{{}}'::jsonb END)
        || CASE WHEN m ? 'name' THEN jsonb_build_object('name', m -> 'name')
           ELSE '{{}}'::jsonb END
        || CASE
            WHEN jsonb_typeof(m -> 'randomization') = 'object' THEN jsonb_build_object(
                'randomization', CASE WHEN (m -> 'randomization') ? 'p_value'
                    THEN jsonb_build_object('p_value', m -> 'randomization' -> 'p_value')
                    ELSE '{{}}'::jsonb END)
            WHEN m ? 'randomization' THEN jsonb_build_object('randomization', m -> 'randomization')
            ELSE '{{}}'::jsonb END
    ELSE m END
    FROM (SELECT "sced_analysisrun"."results" -> 'measures' -> 0 AS m OFFSET 0) AS first_measure
)"""


def _finding_entry():
    if connection.vendor == "postgresql":
        return RawSQL(_FINDING_ENTRY_SQL, (), output_field=JSONField())
    return KeyTransform("0", KeyTransform("measures", "results"))


def _sced_by_episode(episodes) -> dict[int, tuple[bool | None, tuple[str, ...]]]:
    """The SCED finding of each episode's studies from their latest DONE analysis, in ONE query
    (only the first measure's stored result is read; review.rules.sced_finding)."""
    findings: dict[int, list] = defaultdict(list)
    for episode_id, entry in _distinct_on(
        # The run of the data in force (sced.models.Study.analysis_input_hash), not merely the
        # newest: a struck-out value can bring back an earlier run's data. A study that never
        # named one ("") keeps the newest DONE run.
        AnalysisRun.objects.filter(state=AnalysisState.DONE, study__episode__in=episodes)
        .filter(Q(input_hash=F("study__analysis_input_hash")) | Q(study__analysis_input_hash=""))
        .annotate(finding_entry=_finding_entry()),
        ("study_id",),
        ("-created_at", "-id"),
        ("study__episode_id", "finding_entry"),
    ):
        findings[episode_id].append(rules.sced_finding(entry))
    return {e: rules.sced_no_improvement(f) for e, f in findings.items()}


@dataclass
class AttentionRow:
    episode: Episode
    attention: rules.Attention
    days_waiting: int | None


@dataclass
class ClinicianRow:
    clinician: Any
    waiting: int = 0
    active: int = 0
    on_hold: int = 0
    longest_wait: int | None = None
    contacts_28d: int = 0
    measures: list[tuple[str, estimates.Estimate]] = field(default_factory=list)


def _plan_addresses(flag_needed: str | None, plan_flags: list | None) -> bool | None:
    if plan_flags is None:
        return False
    return bool(plan_flags) if flag_needed is None else flag_needed in plan_flags


def case_facts(e, outcomes: OutcomeFacts) -> rules.CaseFacts:
    """The pure rules' input for one episode annotated by ``_with_rule_facts``."""
    flags = outcomes.high_risk.get(e.pk, [])
    sced, sced_reasons = outcomes.sced.get(e.pk, (None, ()))
    return rules.CaseFacts(
        episode_id=e.pk,
        status=e.status,
        referral_date=e.referral_date,
        status_since=e.status_since,
        last_signed_assessment=e.last_signed,
        change=dict(outcomes.change.get(e.pk, {})),
        sced_no_improvement=sced,
        sced_reasons=sced_reasons,
        high_risk_flags=tuple(label for label, _ in flags),
        flags_addressed_by_plan=all(_plan_addresses(need, e.plan_flags) for _, need in flags)
        if flags
        else None,
        has_goals=e.has_goals,
        has_signed_plan=e.has_plan,
        **(
            dict(zip(("self_harm_raised", "self_harm_due", "self_harm_overdue"), harm, strict=True))
            if (harm := outcomes.self_harm.get(e.pk))
            else {}
        ),
        red_flag_referral=(e.red_flag_referred_on, e.red_flag_urgency)
        if e.red_flag_referred_on is not None
        else None,
    )


def _clinician_rows(user, teams, episodes, outcomes: OutcomeFacts, today: date):
    """Caseload counts, contacts and process measures per lead clinician: SQL aggregates."""
    waiting = Q(status__in=(EpisodeStatus.REFERRED, EpisodeStatus.WAITING))
    counts = {
        r["lead_clinician_id"]: r
        for r in episodes.order_by()
        .values("lead_clinician_id")
        .annotate(
            waiting=Count("pk", filter=waiting),
            active=Count("pk", filter=Q(status=EpisodeStatus.ACTIVE)),
            on_hold=Count("pk", filter=Q(status=EpisodeStatus.ON_HOLD)),
            first_referral=Min("referral_date", filter=waiting),
        )
    }
    since = today - timedelta(days=CONTACT_WINDOW_DAYS)
    contacts = dict(
        Contact.objects.filter(episode__in=episodes, date__gte=since)
        .order_by()
        .values("episode__lead_clinician_id")
        .annotate(n=Count("pk"))
        .values_list("episode__lead_clinician_id", "n")
    )
    total = Case(
        When(
            current_amendment__isnull=True,
            then=Cast(KT("score__total"), FloatField()),
        ),
        default=Cast(KeyTextTransform("total", "current_amendment__new_score"), FloatField()),
        output_field=FloatField(),
    )
    # Credited to the clinician the patient rated (issue #13: Administration.rated_clinician),
    # not to whoever leads the episode now: a reassignment no longer moves a rating, and a CARE
    # rating of the doctor stays with the doctor. Ratings whose rated clinician was not
    # recorded (older results the history could not attribute) group under None and are
    # counted on the page as "not recorded".
    process = {
        (r["rated_clinician_id"], r["instrument_key"]): r
        for r in _signed_scorable()
        .filter(session__episode__in=episodes, instrument_key__in=PROCESS_KEYS)
        .annotate(total=total)
        .filter(total__isnull=False)
        .order_by()
        .values("rated_clinician_id", "instrument_key")
        # SUM(x) and SUM(x²), not StdDev(sample=True): Django's SQLite StdDev raises for one
        # value (a 500 on /team/ as soon as a clinician had one signed WAI-SR or CARE).
        .annotate(
            n=Count("pk"), mean=Avg("total"), sum=Sum("total"), sum_sq=Sum(F("total") * F("total"))
        )
    }
    lead_of = outcomes.lead_of
    outcome_classes: dict[int, list[str]] = defaultdict(list)
    for episode_id, change in outcomes.change.items():
        classes = [c for c in change.values() if c != "not_available"]
        if classes and episode_id in lead_of:
            outcome_classes[lead_of[episode_id]].append(
                rules.RELIABLY_IMPROVED if rules.RELIABLY_IMPROVED in classes else "other"
            )
    gas_of: dict[int, list[float]] = defaultdict(list)
    for episode_id, t in outcomes.gas_t.items():
        if episode_id in lead_of:
            gas_of[lead_of[episode_id]].append(t)

    users = {
        m.user_id: m.user
        for m in Membership.objects.filter(team__in=teams)
        .exclude(user__role=Role.PROGRAMME_ADMIN)
        .select_related("user")
    }
    missing = (set(counts) | {rated for rated, _ in process if rated is not None}) - set(users)
    if missing:  # leads of team episodes who are not (or no longer) members
        users.update({u.pk: u for u in User.objects.filter(pk__in=missing)})
    rows = []
    for user_id, clinician in sorted(
        users.items(), key=lambda kv: (kv[1].last_name, kv[1].first_name, kv[0])
    ):
        c = counts.get(user_id, {})
        first = c.get("first_referral")
        row = ClinicianRow(
            clinician,
            waiting=c.get("waiting", 0),
            active=c.get("active", 0),
            on_hold=c.get("on_hold", 0),
            longest_wait=(today - first).days if first else None,
            contacts_28d=contacts.get(user_id, 0),
        )

        def estimate(key, user_id=user_id):
            p = process.get((user_id, key))
            if not p:
                return estimates.mean_t_interval_from_summary(0, None, None, bounds=_scale(key))
            sd = estimates.sample_sd_from_sums(p["n"], p["sum"], p["sum_sq"])
            return estimates.mean_t_interval_from_summary(p["n"], p["mean"], sd, bounds=_scale(key))

        row.measures = [
            *((label, estimate(key)) for key, label in PROCESS_MEASURES.items()),
            (
                "Reliable improvement rate",
                rules.reliable_improvement_rate(outcome_classes[user_id]),
            ),
            ("Mean GAS T-score", estimates.mean_t_interval(gas_of[user_id], bounds=GAS_T_RANGE)),
        ]
        rows.append(row)
    return rows, sum(p["n"] for (rated, _), p in process.items() if rated is None)


# --- Attention lists in SQL -----------------------------------------------------------------
LIST_ORDER = {key: i for i, key in enumerate(rules.ATTENTION_LISTS)}


def _list_filters(
    episodes, team_rules: rules.ReviewRules, outcomes: OutcomeFacts, today: date
) -> dict[str, Q]:
    """Each attention list as a SQL filter mirroring its pure rule in review/rules.py."""
    active = Q(status=EpisodeStatus.ACTIVE)
    interval_ago = today - timedelta(days=team_rules.review_interval_days)
    # rules.overdue_review
    overdue = active & (
        Q(last_signed__isnull=True, referral_date__lt=interval_ago)
        | Q(last_signed__lt=interval_ago)
    )
    # rules.not_on_track: a reliable deterioration, an SCED finding of no improvement, or
    # N weeks since the status began (weeks = days // 7) without any reliable improvement.
    weeks_ago = today - timedelta(weeks=team_rules.no_improvement_after_weeks)
    sced = [e for e, (no_improvement, _) in outcomes.sced.items() if no_improvement]
    not_on_track = active & (
        Q(pk__in=outcomes.episodes_with(rules.RELIABLY_DETERIORATED))
        | Q(pk__in=sced)
        | (
            Q(status_since__lte=weeks_ago)
            & ~Q(pk__in=outcomes.episodes_with(rules.RELIABLY_IMPROVED))
        )
    )
    # rules.high_risk_without_plan needs the bands and the plan's flags: evaluated in Python
    # on its few candidates (episodes with a high-risk band).
    high_risk = (
        [
            e.pk
            for e in episodes.filter(pk__in=list(outcomes.high_risk)).exclude(
                status=EpisodeStatus.DISCHARGED
            )
            if rules.high_risk_without_plan(case_facts(e, outcomes))
        ]
        if outcomes.high_risk
        else []
    )
    # rules.without_goals_or_plan
    no_goals = active & (Q(has_goals=False) | Q(has_plan=False))
    # rules.self_harm_response: episodes (not discharged) of patients with an open signal
    self_harm = ~Q(status=EpisodeStatus.DISCHARGED) & Q(pk__in=list(outcomes.self_harm))
    return {
        rules.SELF_HARM_RESPONSE: self_harm,
        # rules.red_flag_referral_open
        rules.RED_FLAG_REFERRAL: Q(red_flag_referred_on__isnull=False),
        rules.OVERDUE_REVIEW: overdue,
        rules.NOT_ON_TRACK: not_on_track,
        rules.HIGH_RISK_NO_PLAN: Q(pk__in=high_risk),
        rules.NO_GOALS_OR_PLAN: no_goals,
    }


# Whatever the sort, the self-harm list comes first ("safety_first": 0 for it, 1 otherwise).
SORTS = {
    "name": ("safety_first", "family", "given", "episode_id", "list_order"),
    "clinician": ("safety_first", "lead_first", "lead_last", "family", "episode_id", "list_order"),
    "-waiting": (
        "safety_first",
        F("waiting_since").asc(nulls_last=True),
        "family",
        "episode_id",
        "list_order",
    ),
    "list": ("list_order", "family", "given", "episode_id"),
}


def attention_rows(data: dict[str, Any], filters: dict[str, Any], sort: str = "name"):
    """Every (episode, list) entry as a SQL union, filtered and ordered in SQL (not evaluated)."""
    episodes = data["rule_episodes"]
    if filters.get("clinician"):
        episodes = episodes.filter(lead_clinician_id=filters["clinician"])
    if filters.get("status"):
        episodes = episodes.filter(status=filters["status"])
    if filters.get("condition"):
        episodes = episodes.filter(patient__primary_condition=filters["condition"])
    waiting_since = Case(
        When(status__in=(EpisodeStatus.REFERRED, EpisodeStatus.WAITING), then=F("referral_date")),
        default=None,
        output_field=DateField(),
    )
    parts = [
        episodes.filter(q)
        .order_by()
        .annotate(
            list_key=Value(key, output_field=CharField()),
            list_order=Value(LIST_ORDER[key], output_field=IntegerField()),
            safety_first=Value(
                0 if key == rules.SELF_HARM_RESPONSE else 1, output_field=IntegerField()
            ),
            family=F("patient__family_name"),
            given=F("patient__given_name"),
            lead_first=F("lead_clinician__first_name"),
            lead_last=F("lead_clinician__last_name"),
            waiting_since=waiting_since,
            episode_id=F("pk"),
        )
        .values_list(
            "episode_id",
            "list_key",
            "list_order",
            "family",
            "given",
            "lead_first",
            "lead_last",
            "waiting_since",
            "safety_first",
        )
        for key, q in data["list_filters"].items()
        if not filters.get("list") or filters["list"] == key
    ]
    union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return union.order_by(*SORTS.get(sort, SORTS["name"]))


def attention_page(
    data: dict[str, Any], filters: dict[str, Any], sort: str, number, per_page: int
) -> Page:
    """One page of the attention lists: count and slice in SQL, then the page's episodes in one
    query, each entry re-evaluated by its pure rule for the reasons shown."""
    today = data["today"]
    page = Paginator(attention_rows(data, filters, sort), per_page).get_page(number)
    entries = list(page.object_list)
    by_id = {
        e.pk: e
        for e in data["rule_episodes"]
        .filter(pk__in={row[0] for row in entries})
        .select_related("patient", "lead_clinician", "team")
    }
    rows = []
    for episode_id, key, *_ in entries:
        e = by_id[episode_id]
        facts = case_facts(e, data["outcomes"])
        found = {a.list_key: a for a in rules.attention_for(facts, data["rules"], today)}
        waiting = (
            (today - e.referral_date).days
            if e.status in (EpisodeStatus.REFERRED, EpisodeStatus.WAITING)
            else None
        )
        # The SQL list and the pure rule agree (tests/review/test_team_scale.py); should
        # they ever not, the entry still shows, without a reason rather than a wrong one.
        rows.append(AttentionRow(e, found.get(key) or rules.Attention(key, ()), waiting))
    page.object_list = rows
    return page


def _distinct_on(queryset, keys: tuple[str, ...], order: tuple[str, ...], fields):
    """The first row of each ``keys`` group in ``order``: DISTINCT ON on PostgreSQL; elsewhere
    (the SQLite dev database) the same rows picked in Python."""
    rows = queryset.order_by(*keys, *order)
    if connection.vendor == "postgresql":
        return list(rows.distinct(*keys).values_list(*fields))
    out, seen = [], set()
    for row in rows.values_list(*keys, *fields):
        group = row[: len(keys)]
        if group not in seen:
            seen.add(group)
            out.append(row[len(keys) :])
    return out


def caseload_review(user: User, today: date | None = None) -> dict[str, Any]:
    today = today or date.today()
    teams = list(teams_led_by(user))
    team_rules = review_rules_for(teams)
    # The access policy and the team filter are evaluated once; every later query reads the ids
    # (a PostgreSQL array: one parameter whatever the team size) instead of repeating the
    # policy's EXISTS for each of its ~10 queries.
    episodes = episodes_of_led_teams(user, [t.pk for t in teams]).filter(status__in=OPEN_STATUSES)
    outcomes = _first_and_latest_results(episodes)
    outcomes.gas_t = _gas_t_by_episode(episodes, outcomes.lead_of)
    outcomes.sced = _sced_by_episode(episodes)
    outcomes.self_harm = open_signals_by_episode(episodes)
    rule_episodes = _with_rule_facts(episodes)
    clinicians, not_attributed = _clinician_rows(user, teams, episodes, outcomes, today)
    return {
        "today": today,
        "teams": teams,
        "rules": team_rules,
        "clinicians": clinicians,
        "ratings_not_attributed": not_attributed,
        "outcomes": outcomes,
        "rule_episodes": rule_episodes,
        "list_filters": _list_filters(rule_episodes, team_rules, outcomes, today),
    }


# --- The team's waiting list (issue #13) -------------------------------------------------------

WAITING_STATUSES = (EpisodeStatus.REFERRED, EpisodeStatus.WAITING)
# Urgent first when sorting by urgency; an untriaged referral sorts with the urgent ones, since
# nobody has yet judged that it can wait.
URGENCY_RANK = {"urgent": 0, "": 0, "soon": 1, "routine": 2}


def waiting_list(user: User) -> QuerySet[Episode]:
    """The lead's teams' referred and waiting episodes: the same episodes the team review counts
    as "waiting" (``team_episodes`` with the same statuses), so both numbers agree."""
    return (
        team_episodes(user)
        .filter(status__in=WAITING_STATUSES)
        .select_related("patient", "lead_clinician", "team")
        .annotate(
            urgency_rank=Case(
                *[When(urgency=key, then=Value(rank)) for key, rank in URGENCY_RANK.items()],
                default=Value(0),
                output_field=IntegerField(),
            )
        )
    )


# --- The team's outcomes over time (issue #13) ----------------------------------------------


@dataclass(frozen=True)
class QuarterOutcome:
    """One calendar quarter: the reliable improvement rate of the patients whose latest outcome
    result fell in it; ``estimate`` is None when fewer than the minimum were classified (a
    figure of one or two patients would be both meaningless and identifying)."""

    start: date
    n: int
    estimate: estimates.Estimate | None

    @property
    def label(self) -> str:
        return f"{QUARTER_NAMES[(self.start.month - 1) // 3]} {self.start.year}"


QUARTER_NAMES = ("Jan–Mar", "Apr–Jun", "Jul–Sep", "Oct–Dec")
QUARTERS_SHOWN = 8


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _previous_quarter(start: date) -> date:
    return date(start.year - 1, 10, 1) if start.month == 1 else date(start.year, start.month - 3, 1)


def team_outcomes_by_quarter(
    user: User, today: date | None = None, min_n: int | None = None
) -> list[QuarterOutcome]:
    """Reliable improvement rate per quarter of the lead's teams, oldest first, with Wilson
    intervals: every episode (open or discharged) with a baseline and a later signed outcome,
    counted in the quarter of its latest result, improved as on the team review (reliable
    improvement on at least one outcome measure; Jacobson & Truax RCI)."""
    from django.conf import settings

    today = today or date.today()
    min_n = settings.PROGRAMME_MIN_AGGREGATE_N if min_n is None else min_n
    episodes = Episode.objects.filter(
        Exists(patients_visible_to(user).filter(pk=OuterRef("patient_id"))),
        team__in=teams_led_by(user),
    )
    outcomes = _first_and_latest_results(episodes)
    starts = [_quarter_start(today)]
    while len(starts) < QUARTERS_SHOWN:
        starts.append(_previous_quarter(starts[-1]))
    by_quarter: dict[date, list[str]] = defaultdict(list)
    for episode_id, change in outcomes.change.items():
        classes = [c for c in change.values() if c != "not_available"]
        if not classes:
            continue
        improved = rules.RELIABLY_IMPROVED in classes
        by_quarter[_quarter_start(outcomes.latest_on[episode_id])].append(
            rules.RELIABLY_IMPROVED if improved else "other"
        )
    rows = []
    for start in reversed(starts):
        classified = by_quarter.get(start, [])
        shown = len(classified) >= min_n
        rows.append(
            QuarterOutcome(
                start,
                len(classified),
                rules.reliable_improvement_rate(classified) if shown else None,
            )
        )
    return rows
