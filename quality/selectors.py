"""Reads of the quality app (issue #13): supervisor ratings a user may read, a patient's alliance
session by session, and outcomes per clinician for the team lead (with their cautions)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db.models import Q, QuerySet

from assessment.instruments import change
from assessment.models import RATED_INSTRUMENTS, Administration, AdministrationState
from assessment.selectors import NOT_AVAILABLE, SignedResult, reliable_change
from painclinic import estimates
from painclinic.access import is_active_user, may_supervise
from painclinic.models import Membership, Role, Team, User
from patients.access import patients_visible_to
from patients.models import Contact, Episode
from quality import alliance
from quality.models import SupervisorRating

# --- supervisor ratings ---------------------------------------------------------------------


def teams_led_by(user: User) -> QuerySet[Team]:
    if not may_supervise(user):
        return Team.objects.none()
    return Team.objects.filter(memberships__user=user).order_by("name")


def ratings_visible_to(user: User) -> QuerySet[SupervisorRating]:
    """A clinician reads their own ratings; a team lead those recorded in a team they lead."""
    if not is_active_user(user):
        return SupervisorRating.objects.none()
    return (
        SupervisorRating.objects.filter(Q(clinician=user) | Q(team__in=teams_led_by(user)))
        .select_related("clinician", "rater", "team", "contact")
        .order_by("-session_date", "-id")
    )


def supervisable_clinicians(user: User) -> QuerySet[User]:
    """Clinicians a lead may rate: clinical members of their teams other than themselves."""
    return (
        User.objects.filter(
            memberships__team__in=teams_led_by(user),
            role__in=(Role.CLINICIAN, Role.TEAM_LEAD),
            is_active=True,
        )
        .exclude(pk=user.pk)
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )


def recent_contacts_of_team(user: User, days: int = 90) -> QuerySet[Contact]:
    """Sessions a lead may attach a rating to: contacts of their teams' episodes, recent ones."""
    since = date.today().toordinal() - days
    return (
        Contact.objects.filter(
            episode__team__in=teams_led_by(user), date__gte=date.fromordinal(since)
        )
        .select_related("clinician")
        .order_by("-date", "-id")
    )


# --- the alliance session by session ------------------------------------------------------------


@dataclass
class AlliancePoint:
    number: int
    date: date
    total: float
    rated: str  # the rated clinician's name, or "" when not recorded
    rupture: bool = False


@dataclass
class AllianceSeries:
    points: list[AlliancePoint] = field(default_factory=list)
    smallest_fall: float | None = None  # None: the reference gives no reliability


def alliance_series(patient) -> AllianceSeries:
    """Every signed, scorable WAI-SR total of the patient, oldest first, each with the clinician
    it rated; the rupture cue where a fall exceeds the reliable change (quality.alliance)."""
    rows = (
        Administration.objects.filter(
            session__patient=patient,
            instrument_key="waisr",
            state=AdministrationState.SIGNED,
        )
        .select_related("current_amendment", "rated_clinician", "session")
        .order_by("session__date", "signed_at", "id")
    )
    series = AllianceSeries(
        smallest_fall=alliance.smallest_reliable_fall(alliance.WAISR_SD, alliance.WAISR_RELIABILITY)
    )
    for row in rows:
        score = row.current_score or {}
        if not score.get("scorable") or score.get("total") is None:
            continue
        rated = row.rated_clinician.get_full_name() if row.rated_clinician is not None else ""
        series.points.append(
            AlliancePoint(len(series.points) + 1, row.session.date, float(score["total"]), rated)
        )
    for i in alliance.ruptures([p.total for p in series.points], series.smallest_fall):
        series.points[i].rupture = True
    return series


# --- outcomes per clinician, shown with caution ----------------------------------------------


@dataclass
class ClinicianOutcome:
    clinician: User
    cases: int
    improved: int
    severe_at_start: int
    estimate: estimates.Estimate | None  # None: fewer cases than the minimum, not shown


@dataclass
class TeamOutcomes:
    minimum: int
    rows: list[ClinicianOutcome]
    team: estimates.Estimate
    team_cases: int
    team_severe_at_start: int


SEVERE_LEVEL = 3  # the two most severe band levels (0 none .. 4 most severe) at baseline


def therapist_outcomes(user: User) -> TeamOutcomes:
    """For each clinician leading episodes of the lead's teams (open or discharged): the cases
    with a first and a latest result on an outcome questionnaire, how many improved reliably on
    any of them (Jacobson-Truax RCI, assessment.selectors.reliable_change), a Wilson interval,
    and the case mix (cases that began in a severe band). A rate is shown only from
    THERAPIST_OUTCOME_MIN_CASES cases. One query for the results, one for the clinicians."""
    minimum = settings.THERAPIST_OUTCOME_MIN_CASES
    episodes = Episode.objects.filter(
        team__in=teams_led_by(user), patient__in=patients_visible_to(user)
    )
    rows = (
        Administration.objects.filter(
            session__episode__in=episodes, state=AdministrationState.SIGNED
        )
        .exclude(instrument_key__in=(*RATED_INSTRUMENTS, "gcqs"))
        .order_by("session__episode_id", "instrument_key", "session__date", "signed_at", "id")
        .values_list(
            "session__episode_id",
            "session__episode__lead_clinician_id",
            "instrument_key",
            "id",
            "session__date",
            "score",
            "current_amendment__new_score",
            "band_level",
        )
    )
    series: dict[tuple[int, str], list[SignedResult]] = defaultdict(list)
    lead_of: dict[int, int] = {}
    first_level: dict[tuple[int, str], int | None] = {}
    for episode_id, lead_id, key, result_id, day, score, amended, level in rows:
        current = amended if amended is not None else score
        if not current or not current.get("scorable"):
            continue
        lead_of[episode_id] = lead_id
        first_level.setdefault((episode_id, key), level)
        series[(episode_id, key)].append(
            SignedResult(key, result_id, day, current, amended is not None)
        )
    classes: dict[int, list[str]] = defaultdict(list)
    severe: set[int] = set()
    for (episode_id, key), results in series.items():
        if len(results) < 2:
            continue
        classes[episode_id].append(reliable_change(results)["classification"])
        if (first_level[(episode_id, key)] or 0) >= SEVERE_LEVEL:
            severe.add(episode_id)
    per_clinician: dict[int, list[int]] = defaultdict(list)
    for episode_id, found in classes.items():
        if any(c != NOT_AVAILABLE for c in found):
            per_clinician[lead_of[episode_id]].append(episode_id)
    users = {
        u.pk: u
        for u in User.objects.filter(
            Q(pk__in=list(per_clinician))
            | Q(
                pk__in=Membership.objects.filter(team__in=teams_led_by(user))
                .exclude(user__role=Role.PROGRAMME_ADMIN)
                .values("user_id")
            )
        )
    }
    out = []
    improved_all = cases_all = severe_all = 0
    for user_id, clinician in sorted(
        users.items(), key=lambda kv: (kv[1].last_name, kv[1].first_name, kv[0])
    ):
        cases = per_clinician.get(user_id, [])
        improved = sum(1 for e in cases if change.RELIABLY_IMPROVED in classes[e])
        severe_n = sum(1 for e in cases if e in severe)
        improved_all, cases_all, severe_all = (
            improved_all + improved,
            cases_all + len(cases),
            severe_all + severe_n,
        )
        shown = estimates.wilson_interval(improved, len(cases)) if len(cases) >= minimum else None
        out.append(ClinicianOutcome(clinician, len(cases), improved, severe_n, shown))
    return TeamOutcomes(
        minimum=minimum,
        rows=out,
        team=estimates.wilson_interval(improved_all, cases_all),
        team_cases=cases_all,
        team_severe_at_start=severe_all,
    )
