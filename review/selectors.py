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
    BooleanField,
    Case,
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.fields.json import KT, KeyTextTransform
from django.db.models.functions import Cast

from assessment import instruments
from assessment import selectors as assessment_selectors
from assessment.models import RedFlagScreen, ResultSummary
from assessment.selectors import NOT_AVAILABLE
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
from sced.models import AnalysisRun, AnalysisState, Study

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
    """The facts the rules read of each episode: last signed scorable assessment, goals, latest
    plan (columns kept current by the assessment and treatment services, issue #16), the open
    red-flag referral (a page's episodes only: the list selects by ``_open_red_flag_referrals``)."""
    open_referral = RedFlagScreen.objects.filter(
        episode=OuterRef("pk"), outcome="referred", referral_outcome_at__isnull=True
    ).order_by("-referral_date", "-id")
    return episodes.annotate(
        red_flag_referred_on=Subquery(
            open_referral.values("referral_date")[:1], output_field=DateField()
        ),
        red_flag_urgency=Subquery(open_referral.values("referral_urgency")[:1]),
        last_signed=F("last_signed_assessment"),
        has_plan=ExpressionWrapper(Q(latest_plan_flags__isnull=False), output_field=BooleanField()),
        plan_flags=F("latest_plan_flags"),
    )


def _open_red_flag_referrals():
    """Episodes with a red-flag referral whose outcome is not yet recorded (an uncorrelated
    subquery: read once, not probed per episode)."""
    return RedFlagScreen.objects.filter(
        outcome="referred", referral_outcome_at__isnull=True
    ).values("episode_id")


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


def _first_and_latest_results(episodes) -> OutcomeFacts:
    """RCI baseline (first) vs latest of each episode's outcome instruments, and the bands of
    the latest, from the stored summary (assessment.models.ResultSummary, kept current by the
    assessment services, its classification included): one indexed query over ``episodes`` (a
    queryset or a list of ids). Picking them out of every administration per request took two
    scans of ~90-100 ms each at 1,000 patients (issue #16); tests/review/test_result_summary.py
    checks the two give the same facts. The team review reads it for a page's episodes only;
    its lists and counts select by the stored classification in SQL."""
    out = OutcomeFacts()
    # 0 episode, 1 instrument, 2 latest date, 3 classification, 4 latest band, 5 lead
    rows = (
        ResultSummary.objects.filter(episode__in=episodes)
        .exclude(instrument_key__in=PROCESS_KEYS)
        .order_by()
        .values_list(
            "episode_id",
            "instrument_key",
            "latest_date",
            "classification",
            "latest_band_name",
            "episode__lead_clinician_id",
        )
    )
    for episode_id, key, latest_on, classification, band, lead in rows:
        out.lead_of[episode_id] = lead
        out.latest_on[episode_id] = max(latest_on, out.latest_on.get(episode_id, latest_on))
        out.change[episode_id][_short_name(key)] = classification
        if (key, band) in HIGH_RISK_BANDS:
            out.high_risk[episode_id].append(HIGH_RISK_BANDS[(key, band)])
    # An episode with two high-risk bands lists them in HIGH_RISK_BANDS' order (the page joins
    # them into one reason), whatever order the rows came in.
    for flags in out.high_risk.values():
        flags.sort(key=HIGH_RISK_ORDER.index)
    return out


def _classified_episodes(classification: str):
    """Episodes with an outcome measure (process measures left out) of this stored
    classification: an uncorrelated subquery on the summary's partial index."""
    return (
        ResultSummary.objects.filter(classification=classification)
        .exclude(instrument_key__in=PROCESS_KEYS)
        .values("episode_id")
    )


def _high_risk_unaddressed() -> Q:
    """rules.high_risk_without_plan in SQL: a latest result in a high-risk band (stored in the
    summary) that the latest plan's flags (Episode.latest_plan_flags) do not address
    (``_plan_addresses``: no plan never addresses one; a band needing no particular flag wants
    any flag). The episodes in a band are read once (uncorrelated), not probed per episode."""
    needs: dict[tuple[str, str | None], list[str]] = defaultdict(list)
    for (key, band), (_, need) in HIGH_RISK_BANDS.items():
        needs[(key, need)].append(band)
    found = Q(pk__in=[])
    for (key, need), bands in needs.items():
        in_band = Q(
            pk__in=ResultSummary.objects.filter(
                instrument_key=key, latest_band_name__in=bands
            ).values("episode_id")
        )
        unaddressed = Q(latest_plan_flags__isnull=True) | (
            Q(latest_plan_flags=[]) if need is None else ~Q(latest_plan_flags__contains=[need])
        )
        found |= in_band & unaddressed
    return found


def _in_force_runs(episodes):
    """The DONE analysis run in force of each study of ``episodes`` (a queryset or ids): the run
    of the data in force (sced.models.Study.analysis_input_hash), not merely the newest: a
    struck-out value can bring back an earlier run's data. A study that never named one ("")
    keeps the newest DONE run. Ordered for DISTINCT ON (study)."""
    return (
        AnalysisRun.objects.filter(state=AnalysisState.DONE, study__episode__in=episodes)
        .filter(Q(input_hash=F("study__analysis_input_hash")) | Q(study__analysis_input_hash=""))
        .order_by("study_id", "-created_at", "-id")
    )


def _sced_by_episode(episodes) -> dict[int, tuple[bool | None, tuple[str, ...]]]:
    """The SCED finding of each episode's studies from their run in force, in ONE query, read
    from the run's stored finding (sced.models.AnalysisRun.finding: only what
    review.rules.sced_finding reads). For a page's episodes; the not-on-track list selects in
    SQL (``_sced_no_improvement_episodes``)."""
    findings: dict[int, list] = defaultdict(list)
    for episode_id, entry in _distinct_on(
        _in_force_runs(episodes), ("study_id",), ("-created_at", "-id"),
        ("study__episode_id", "finding"),
    ):  # fmt: skip
        findings[episode_id].append(rules.sced_finding(entry))
    return {e: rules.sced_no_improvement(f) for e, f in findings.items()}


def _sced_no_improvement_episodes():
    """Episodes with a study whose finding in force shows no improvement
    (rules.ScedFinding.no_improvement: its NAP below rules.NAP_WEAK_BELOW, or its 95% interval
    holding rules.NAP_NO_DIFFERENCE), from the NAP stored on each study (sced.models.Study
    .finding_nap, kept by the sced models and services; issue #16: the run in force of every
    study was picked and its finding read on each request). An uncorrelated subquery."""
    return Study.objects.filter(
        Q(finding_nap__lt=rules.NAP_WEAK_BELOW)
        | Q(
            finding_nap__isnull=False,
            finding_nap_ci_lower__lte=rules.NAP_NO_DIFFERENCE,
            finding_nap_ci_upper__gte=rules.NAP_NO_DIFFERENCE,
        )
    ).values("episode_id")


@dataclass
class AttentionRow:
    episode: Episode
    attention: rules.Attention
    days_waiting: int | None
    # Links and labels the page shows, made once per page by the view (review.views.dashboard).
    links: dict[str, str] = field(default_factory=dict)


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


def _clinician_rows(user, teams, episodes, today: date):
    """Caseload counts, contacts and process measures per lead clinician: SQL aggregates."""
    waiting = Q(status__in=(EpisodeStatus.REFERRED, EpisodeStatus.WAITING))
    # Uncorrelated (episode IN the classified rows' episodes): read once from their partial
    # index, not probed per episode inside the aggregate.
    classified = (
        ResultSummary.objects.exclude(instrument_key__in=PROCESS_KEYS)
        .exclude(classification=NOT_AVAILABLE)
        .values("episode_id")
    )
    improved = classified.filter(classification=rules.RELIABLY_IMPROVED)
    counts = {
        r["lead_clinician_id"]: r
        for r in episodes.order_by()
        .values("lead_clinician_id")
        .annotate(
            waiting=Count("pk", filter=waiting),
            active=Count("pk", filter=Q(status=EpisodeStatus.ACTIVE)),
            on_hold=Count("pk", filter=Q(status=EpisodeStatus.ON_HOLD)),
            first_referral=Min("referral_date", filter=waiting),
            # The reliable improvement rate's counts (rules.reliable_improvement_rate): episodes
            # whose change on some outcome measure could be classified, and those reliably
            # improved on at least one, from the stored classifications (issue #16: not by
            # reading every episode's results).
            classified=Count("pk", filter=Q(pk__in=classified)),
            improved=Count("pk", filter=Q(pk__in=improved)),
            # The mean GAS T-score: each episode's T at its goals' latest reviews, stored by the
            # treatment services (Episode.gas_t_score; issue #16: every review of the team's
            # goals was read and scored per request). n, mean and the sums for the SD
            # (not StdDev: see the process measures below).
            gas_n=Count("gas_t_score"),
            gas_mean=Avg("gas_t_score"),
            gas_sum=Sum("gas_t_score"),
            gas_sum_sq=Sum(F("gas_t_score") * F("gas_t_score")),
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
    gas_of = {
        lead: estimates.mean_t_interval_from_summary(
            c["gas_n"],
            c["gas_mean"],
            estimates.sample_sd_from_sums(c["gas_n"], c["gas_sum"], c["gas_sum_sq"]),
            bounds=GAS_T_RANGE,
        )
        for lead, c in counts.items()
        if c["gas_n"]
    }
    no_gas = estimates.mean_t_interval([], bounds=GAS_T_RANGE)

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
                rules.reliable_improvement_rate_of_counts(
                    c.get("improved", 0), c.get("classified", 0)
                ),
            ),
            ("Mean GAS T-score", gas_of.get(user_id, no_gas)),
        ]
        rows.append(row)
    return rows, sum(p["n"] for (rated, _), p in process.items() if rated is None)


# --- Attention lists in SQL -----------------------------------------------------------------
LIST_ORDER = {key: i for i, key in enumerate(rules.ATTENTION_LISTS)}


def _list_filters(
    episodes, team_rules: rules.ReviewRules, outcomes: OutcomeFacts, today: date
) -> dict[str, Q]:
    """Each attention list as a SQL filter mirroring its pure rule in review/rules.py, on columns
    and summaries the services keep current (issue #16: no episode is read into Python to
    decide a list)."""
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
    sced = _sced_no_improvement_episodes()
    not_on_track = active & (
        Q(pk__in=_classified_episodes(rules.RELIABLY_DETERIORATED))
        | Q(pk__in=sced)
        | (
            Q(status_since__lte=weeks_ago)
            & ~Q(pk__in=_classified_episodes(rules.RELIABLY_IMPROVED))
        )
    )
    # rules.high_risk_without_plan
    high_risk = ~Q(status=EpisodeStatus.DISCHARGED) & _high_risk_unaddressed()
    # rules.without_goals_or_plan
    no_goals = active & (Q(has_goals=False) | Q(latest_plan_flags__isnull=True))
    # rules.self_harm_response: episodes (not discharged) of patients with an open signal
    self_harm = ~Q(status=EpisodeStatus.DISCHARGED) & Q(pk__in=list(outcomes.self_harm))
    return {
        rules.SELF_HARM_RESPONSE: self_harm,
        # rules.red_flag_referral_open
        rules.RED_FLAG_REFERRAL: Q(pk__in=_open_red_flag_referrals()),
        rules.OVERDUE_REVIEW: overdue,
        rules.NOT_ON_TRACK: not_on_track,
        rules.HIGH_RISK_NO_PLAN: high_risk,
        rules.NO_GOALS_OR_PLAN: no_goals,
    }


# The entry's columns, in this order (``attention_rows`` yields them as tuples).
ENTRY_COLUMNS = (
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
# Whatever the sort, the self-harm list comes first ("safety_first": 0 for it, 1 otherwise).
SORTS = {
    "name": "safety_first, family, given, episode_id, list_order",
    "clinician": "safety_first, lead_first, lead_last, family, episode_id, list_order",
    "-waiting": "safety_first, waiting_since ASC NULLS LAST, family, episode_id, list_order",
    "list": "list_order, family, given, episode_id",
}


class AttentionEntries:
    """Every (episode, list) entry of the review, filtered and ordered in SQL, in one statement:
    the team's episodes are read once, each list's filter evaluated on each as a boolean column
    (``hits``: its subqueries built once) beside the names it is sorted by, and one SELECT per
    list over that read turns an episode into its entries; a page is read with the count of all
    entries beside it (``COUNT(*) OVER ()``). Issue #16: a union of one query per list read the
    team's episodes and joined the patients and clinicians six times, and a Paginator ran it
    twice (118 + 122 ms at 10,000 patients)."""

    def __init__(self, hits: QuerySet, keys: list[str], sort: str) -> None:
        self.hits, self.keys = hits, keys
        self.order = SORTS.get(sort, SORTS["name"])

    # The columns ``hits`` selects before its list flags (``attention_rows``).
    COLUMNS = ("episode_id", "family", "given", "lead_first", "lead_last", "waiting_since")

    def _from(self) -> tuple[str, str, list]:
        """``WITH h AS MATERIALIZED (the episodes and their flags)`` and the union of one
        SELECT per list over ``h``: the flags are computed once per episode (a ``VALUES`` row
        per list evaluated them per list, ~5 ms more at 10,000 patients)."""
        inner, params = self.hits.query.sql_with_params()
        flags = ", ".join(f"hit_{i}" for i in range(len(self.keys)))
        parts = []
        for i, key in enumerate(self.keys):
            # ::boolean: Django writes a filter that can match nothing (no open signal) as 0.
            parts.append(
                "SELECT h.episode_id, %s AS list_key, %s AS list_order, h.family, h.given, "
                "h.lead_first, h.lead_last, h.waiting_since, %s AS safety_first "
                f"FROM h WHERE h.hit_{i}::boolean"
            )
            params = (*params, key, LIST_ORDER[key], 0 if key == rules.SELF_HARM_RESPONSE else 1)
        return (
            f"WITH h ({', '.join(self.COLUMNS)}, {flags}) AS MATERIALIZED ({inner}) ",
            " UNION ALL ".join(parts),
            list(params),
        )

    def _sql(self, tail: str = "") -> tuple[str, list]:
        with_h, union, params = self._from()
        return f"{with_h} SELECT u.*{tail} FROM ({union}) AS u ORDER BY {self.order}", params

    def __iter__(self):
        sql, params = self._sql()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return iter(cursor.fetchall())

    def count(self) -> int:
        with_h, union, params = self._from()
        with connection.cursor() as cursor:
            cursor.execute(f"{with_h} SELECT COUNT(*) FROM ({union}) AS u", params)
            return cursor.fetchone()[0]

    def window(self, offset: int, limit: int) -> tuple[list[tuple], int]:
        """The entries ``offset`` to ``offset + limit`` and the number of all entries (0 rows
        past the end, with the count still given when there are any entries at all)."""
        sql, params = self._sql(", COUNT(*) OVER () AS total")
        with connection.cursor() as cursor:
            cursor.execute(f"{sql} LIMIT %s OFFSET %s", (*params, limit, offset))
            rows = cursor.fetchall()
        if not rows and offset:
            return [], self.count()
        return [row[:-1] for row in rows], (rows[0][-1] if rows else 0)


def attention_rows(data: dict[str, Any], filters: dict[str, Any], sort: str = "name"):
    """Every (episode, list) entry, filtered and ordered in SQL (not evaluated): an
    ``AttentionEntries`` (iterate it for every entry, ``window`` for a page)."""
    episodes = data["rule_episodes"]
    if filters.get("clinician"):
        episodes = episodes.filter(lead_clinician_id=filters["clinician"])
    if filters.get("status"):
        episodes = episodes.filter(status=filters["status"])
    if filters.get("condition"):
        episodes = episodes.filter(patient__primary_condition=filters["condition"])
    keys = [k for k in data["list_filters"] if not filters.get("list") or filters["list"] == k]
    hits = {
        f"hit_{i}": ExpressionWrapper(data["list_filters"][key], output_field=BooleanField())
        for i, key in enumerate(keys)
    }
    waiting_since = Case(
        When(status__in=(EpisodeStatus.REFERRED, EpisodeStatus.WAITING), then=F("referral_date")),
        default=None,
        output_field=DateField(),
    )
    columns = {
        "family": F("patient__family_name"),
        "given": F("patient__given_name"),
        "lead_first": F("lead_clinician__first_name"),
        "lead_last": F("lead_clinician__last_name"),
        "waiting_since": waiting_since,
    }
    return AttentionEntries(
        episodes.order_by().annotate(**columns, **hits).values_list("pk", *columns, *hits),
        keys,
        sort,
    )


class _Counted(list):
    """A page's rows standing for all ``total`` entries, for Django's Paginator (which asks
    the list for its count and slices out the page it already holds)."""

    def __init__(self, rows: list, total: int, offset: int) -> None:
        super().__init__(rows)
        self.total, self.offset = total, offset

    def count(self) -> int:  # type: ignore[override]
        return self.total

    def __getitem__(self, index):
        if isinstance(index, slice):
            start = (index.start or 0) - self.offset
            stop = None if index.stop is None else index.stop - self.offset
            return list.__getitem__(self, slice(max(start, 0), stop))
        return list.__getitem__(self, index - self.offset)


def _page_number(number, total: int, per_page: int) -> int:
    """Paginator.get_page's reading of a page number: not a whole number -> the first page;
    below 1 or past the end -> the last page."""
    try:
        wanted = int(number)
    except (TypeError, ValueError):
        return 1
    last = max(1, -(-total // per_page))
    return wanted if 1 <= wanted <= last else last


def attention_page(
    data: dict[str, Any], filters: dict[str, Any], sort: str, number, per_page: int
) -> Page:
    """One page of the attention lists: the page and the count in one SQL statement, then the
    page's episodes in one query, each entry re-evaluated by its pure rule for the reasons
    shown."""
    today = data["today"]
    entries_of = attention_rows(data, filters, sort)
    try:
        fetched = max(int(number), 1)
    except (TypeError, ValueError):
        fetched = 1
    entries, total = entries_of.window((fetched - 1) * per_page, per_page)
    shown = _page_number(number, total, per_page)
    if shown != fetched:  # out of range: the last page, as Paginator.get_page gives it
        entries, total = entries_of.window((shown - 1) * per_page, per_page)
    page = Paginator(_Counted(entries, total, (shown - 1) * per_page), per_page).page(shown)
    by_id = {
        e.pk: e
        for e in data["rule_episodes"]
        .filter(pk__in={row[0] for row in entries})
        .select_related("patient", "lead_clinician", "team")
    }
    outcomes = outcomes_of(data, list(by_id))
    rows = []
    for episode_id, key, *_ in entries:
        e = by_id[episode_id]
        facts = case_facts(e, outcomes)
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


def outcomes_of(data: dict[str, Any], episode_ids) -> OutcomeFacts:
    """The outcome facts of some of the review's episodes (a page's): their stored first and
    latest results and the findings of their SCED studies (a query each), with the team's open
    self-harm signals."""
    outcomes = _first_and_latest_results(episode_ids)
    outcomes.sced = _sced_by_episode(episode_ids)
    outcomes.self_harm = data["outcomes"].self_harm
    return outcomes


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
    # Team-wide, only what has few rows (the open self-harm signals); the results and SCED
    # findings of each episode are read for the page shown (``outcomes_of``).
    outcomes = OutcomeFacts(self_harm=open_signals_by_episode(episodes))
    rule_episodes = _with_rule_facts(episodes)
    clinicians, not_attributed = _clinician_rows(user, teams, episodes, today)
    return {
        "today": today,
        "teams": teams,
        "rules": team_rules,
        "clinicians": clinicians,
        "ratings_not_attributed": not_attributed,
        "outcomes": outcomes,
        "rule_episodes": rule_episodes,
        "list_filters": _list_filters(episodes, team_rules, outcomes, today),
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
