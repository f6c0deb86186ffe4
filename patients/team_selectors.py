"""Reads for the team lead's caseload review (issue #6). Lists start from the access policy;
the number of queries does not grow with the number of patients (pinned in
tests/patients/test_team_dashboard.py): episodes (1), signed results (1), goal reviews (1),
members (1), teams and settings (2).

Wired: assessment signed results (latest bands, RCI baseline vs latest via
``assessment.selectors.reliable_change``), treatment plans, goals and GAS reviews.
Not wired yet: SCED analysis results (``CaseFacts.sced_no_improvement`` stays unknown).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from painclinic.access import patients_visible_to
from painclinic.models import Membership, Role, Team
from patients import review
from patients.models import OPEN_STATUSES, Contact, Episode, EpisodeStatus, TeamSettings

if TYPE_CHECKING:
    from painclinic.models import User

CONTACT_WINDOW_DAYS = 28
# High-risk yellow flags (instruments.md §3 STarT Back, §13 PHQ-9) and the plan flags that
# address them (treatment.models.YellowFlag).
HIGH_RISK_BANDS = {
    ("startback", "high"): ("STarT Back high risk", None),  # any psychosocial flag in the plan
    ("phq9", "severe"): ("PHQ-9 severe depression", "low_mood"),
    ("phq9", "moderately_severe"): ("PHQ-9 moderately severe depression", "low_mood"),
}
PROCESS_MEASURES = {"waisr": "WAI-SR (working alliance)", "care": "CARE (empathy)"}
PROCESS_KEYS = tuple(PROCESS_MEASURES)


def teams_led_by(user: User):
    if user.role != Role.TEAM_LEAD:
        return Team.objects.none()
    return Team.objects.filter(memberships__user=user).order_by("name")


def review_rules_for(teams) -> review.ReviewRules:
    """The first led team's settings (a lead of several teams sees the strictest interval)."""
    rows = list(TeamSettings.objects.filter(team__in=teams))
    if not rows:
        return review.ReviewRules()
    return review.ReviewRules(
        review_interval_days=min(r.review_interval_days for r in rows),
        no_improvement_after_weeks=min(r.no_improvement_after_weeks for r in rows),
    )


def team_episodes(user: User):
    """Open episodes held by the lead's teams, with the figures the page shows, in one query."""
    from treatment.models import Goal, TreatmentPlan

    since = date.today() - timedelta(days=CONTACT_WINDOW_DAYS)
    contacts = (
        Contact.objects.filter(episode=OuterRef("pk"), date__gte=since)
        .order_by()
        .values("episode")
        .annotate(n=Count("pk"))
        .values("n")
    )
    latest_plan = TreatmentPlan.objects.filter(episode=OuterRef("pk")).order_by("-version")
    return (
        Episode.objects.filter(
            Exists(patients_visible_to(user).filter(pk=OuterRef("patient_id"))),
            team__in=teams_led_by(user),
            status__in=OPEN_STATUSES,
        )
        .select_related("patient", "lead_clinician", "team")
        .annotate(
            contacts_28d=Coalesce(Subquery(contacts, output_field=IntegerField()), 0),
            has_plan=Exists(latest_plan),
            plan_flags=Subquery(latest_plan.values("yellow_flags")[:1]),
            has_goals=Exists(Goal.objects.filter(episode=OuterRef("pk"))),
        )
        .order_by("patient__family_name", "patient__given_name", "pk")
    )


@dataclass
class ResultsByPatient:
    last_signed: dict[Any, date] = field(default_factory=dict)
    change: dict[Any, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))
    high_risk: dict[Any, list[tuple[str, str | None]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    process: dict[tuple[int, str], list[float]] = field(default_factory=lambda: defaultdict(list))


def _signed_results(episode_ids: list[int], lead_of: dict[int, int]) -> ResultsByPatient:
    """Every signed scorable result of these episodes' patients, in one query."""
    from assessment import instruments
    from assessment.models import Administration, AdministrationState
    from assessment.selectors import SignedResult, reliable_change

    out = ResultsByPatient()
    rows = (
        Administration.objects.filter(
            session__episode_id__in=episode_ids, state=AdministrationState.SIGNED
        )
        .order_by("session__date", "signed_at", "id")
        .values_list(
            "id",
            "instrument_key",
            "score",
            "session__date",
            "current_amendment__new_score",
            "session__patient_id",
            "session__episode_id",
        )
    )
    by_patient: dict[Any, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for result_id, key, score, day, amended, patient_id, episode_id in rows:
        current = amended if amended is not None else score
        if not current or not current.get("scorable"):
            continue
        previous = out.last_signed.get(patient_id)
        out.last_signed[patient_id] = day if previous is None else max(previous, day)
        if key in PROCESS_KEYS:
            if current.get("total") is not None:
                out.process[(lead_of[episode_id], key)].append(float(current["total"]))
            continue
        by_patient[patient_id][key].append(
            SignedResult(key, result_id, day, current, amended is not None)
        )
    for patient_id, by_key in by_patient.items():
        for key, results in by_key.items():
            try:
                name = instruments.get(key).short_name
            except KeyError:
                name = key
            out.change[patient_id][name] = reliable_change(results)["classification"]
            band = (results[-1].score.get("band") or {}).get("name")
            if (key, band) in HIGH_RISK_BANDS:
                out.high_risk[patient_id].append(HIGH_RISK_BANDS[(key, band)])
    return out


def _gas_t_by_episode(episode_ids: list[int]) -> dict[int, float]:
    """Kiresuk-Sherman T of each episode's goals at their latest review (instruments.md §22)."""
    from assessment.instruments.gas import GasGoal, gas_t_score
    from treatment.models import GoalReview

    latest: dict[int, tuple[int, float, int]] = {}
    goals_of: dict[int, list[int]] = defaultdict(list)
    for goal_id, episode_id, weight, level in (
        GoalReview.objects.filter(goal__episode_id__in=episode_ids)
        .order_by("review_date", "id")
        .values_list("goal_id", "goal__episode_id", "goal__weight", "attained_level")
    ):
        if goal_id not in latest:
            goals_of[episode_id].append(goal_id)
        latest[goal_id] = (episode_id, float(weight), level)
    out = {}
    for episode_id, goal_ids in goals_of.items():
        result = gas_t_score([GasGoal(latest[g][2], latest[g][1]) for g in goal_ids])
        if hasattr(result, "t_score"):
            out[episode_id] = result.t_score
    return out


@dataclass
class AttentionRow:
    episode: Episode
    attention: review.Attention
    days_waiting: int | None


@dataclass
class ClinicianRow:
    clinician: Any
    waiting: int = 0
    active: int = 0
    on_hold: int = 0
    days_waiting: list[int] = field(default_factory=list)
    contacts_28d: int = 0
    measures: list[tuple[str, review.Estimate]] = field(default_factory=list)

    @property
    def longest_wait(self) -> int | None:
        return max(self.days_waiting) if self.days_waiting else None


def _plan_addresses(flag_needed: str | None, plan_flags: list | None) -> bool | None:
    if plan_flags is None:
        return False
    return bool(plan_flags) if flag_needed is None else flag_needed in plan_flags


def caseload_review(user: User, today: date | None = None) -> dict[str, Any]:
    today = today or date.today()
    teams = list(teams_led_by(user))
    rules = review_rules_for(teams)
    episodes = list(team_episodes(user))
    ids = [e.pk for e in episodes]
    lead_of = {e.pk: e.lead_clinician_id for e in episodes}
    results = _signed_results(ids, lead_of)
    gas = _gas_t_by_episode(ids)

    members = list(
        Membership.objects.filter(team__in=teams)
        .exclude(user__role=Role.PROGRAMME_ADMIN)
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )
    clinicians: dict[int, ClinicianRow] = {}
    for m in members:
        clinicians.setdefault(m.user_id, ClinicianRow(m.user))
    attention: list[AttentionRow] = []
    outcome_classes: dict[int, list[str]] = defaultdict(list)
    gas_of: dict[int, list[float]] = defaultdict(list)
    for e in episodes:
        row = clinicians.setdefault(e.lead_clinician_id, ClinicianRow(e.lead_clinician))
        waiting = (
            (today - e.referral_date).days
            if e.status in (EpisodeStatus.REFERRED, EpisodeStatus.WAITING)
            else None
        )
        if waiting is not None:
            row.waiting += 1
            row.days_waiting.append(waiting)
        elif e.status == EpisodeStatus.ACTIVE:
            row.active += 1
        elif e.status == EpisodeStatus.ON_HOLD:
            row.on_hold += 1
        row.contacts_28d += e.contacts_28d
        flags = results.high_risk.get(e.patient_id, [])
        facts = review.CaseFacts(
            episode_id=e.pk,
            status=e.status,
            referral_date=e.referral_date,
            status_since=e.status_since,
            last_signed_assessment=results.last_signed.get(e.patient_id),
            change=dict(results.change.get(e.patient_id, {})),
            sced_no_improvement=None,
            high_risk_flags=tuple(label for label, _ in flags),
            flags_addressed_by_plan=all(_plan_addresses(need, e.plan_flags) for _, need in flags)
            if flags
            else None,
            has_goals=e.has_goals,
            has_signed_plan=e.has_plan,
        )
        for item in review.attention_for(facts, rules, today):
            attention.append(AttentionRow(e, item, waiting))
        classes = [c for c in facts.change.values() if c != "not_available"]
        if classes:
            outcome_classes[e.lead_clinician_id].append(
                review.RELIABLY_IMPROVED if review.RELIABLY_IMPROVED in classes else "other"
            )
        if e.pk in gas:
            gas_of[e.lead_clinician_id].append(gas[e.pk])
    for clinician_id, row in clinicians.items():
        row.measures = [
            *(
                (label, review.mean_t_interval(results.process.get((clinician_id, key), [])))
                for key, label in PROCESS_MEASURES.items()
            ),
            (
                "Reliable improvement rate",
                review.reliable_improvement_rate(outcome_classes[clinician_id]),
            ),
            ("Mean GAS T-score", review.mean_t_interval(gas_of[clinician_id])),
        ]
    return {
        "teams": teams,
        "rules": rules,
        "clinicians": list(clinicians.values()),
        "attention": attention,
        "episodes": episodes,
    }
