"""Reads of the MDT case conferences (issue #13). Every read starts from the user's teams, so
another team's conference or action is out of reach (a 404 in the views)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, Prefetch, Q, QuerySet

from mdt.models import Action, Attendee, CaseConference, Discussion
from painclinic.access import clinical_staff, may_give_clinical_care
from painclinic.models import Role, Team, User
from patients.models import MdtFlag

if TYPE_CHECKING:
    from patients.models import Patient


def teams_of(user: User) -> QuerySet[Team]:
    """The teams whose conferences the user may open: their own, if they give clinical care."""
    if not may_give_clinical_care(user):
        return Team.objects.none()
    return Team.objects.filter(memberships__user=user).order_by("name")


def team_staff(team: Team) -> QuerySet[User]:
    """Who may record at a team's conference and own its actions (the access policy's staff)."""
    return clinical_staff(team)


def attendee_choices(team: Team) -> QuerySet[User]:
    """Who may attend: the team's active clinicians and leads of any discipline (a pharmacist
    or a social worker attends the MDT without being on a care team); never a programme admin."""
    return (
        User.objects.filter(
            is_active=True,
            memberships__team=team,
            role__in=(Role.CLINICIAN, Role.TEAM_LEAD),
        )
        .distinct()
        .order_by("last_name", "first_name")
    )


def conferences_visible_to(user: User) -> QuerySet[CaseConference]:
    return CaseConference.objects.filter(team__in=teams_of(user)).select_related(
        "team", "prepared_by"
    )


def conference_list(user: User) -> QuerySet[CaseConference]:
    return conferences_visible_to(user).annotate(
        n_patients=Count("discussions", distinct=True),
        n_open_actions=Count(
            "discussions__actions", filter=Q(discussions__actions__done_at__isnull=True)
        ),
    )


def agenda_for(user: User) -> QuerySet[MdtFlag]:
    """Patients the team flagged "for MDT" and no conference has taken yet, oldest first."""
    return (
        MdtFlag.objects.filter(team__in=teams_of(user), taken_at__isnull=True)
        .select_related("patient", "raised_by", "team")
        .order_by("raised_at", "id")
    )


def conference_detail(conference: CaseConference) -> dict:
    discussions = list(
        Discussion.objects.filter(conference=conference)
        .select_related("patient")
        .prefetch_related(
            Prefetch(
                "actions",
                queryset=Action.objects.select_related("owner", "done_by").order_by("due_on", "id"),
            )
        )
        .order_by("id")
    )
    attendees = list(Attendee.objects.filter(conference=conference).select_related("user"))
    return {"discussions": discussions, "attendees": attendees}


def _open_actions() -> QuerySet[Action]:
    return (
        Action.objects.filter(done_at__isnull=True)
        .select_related("owner", "discussion__patient", "discussion__conference")
        .order_by("due_on", "id")
    )


def open_actions_owned_by(user: User) -> QuerySet[Action]:
    """Open actions the user owns, of any team: a superset of ``open_actions_for``, cheap to ask
    (the caseload asks it first and builds the scoped list only when there are some)."""
    return Action.objects.filter(owner=user, done_at__isnull=True)


def open_actions_for(user: User) -> QuerySet[Action]:
    """'Your MDT actions': open actions the user owns, at conferences of their teams."""
    return _open_actions().filter(owner=user, discussion__conference__team__in=teams_of(user))


def open_actions_of_teams(teams) -> QuerySet[Action]:
    """The open actions of a lead's teams, for the team review."""
    return _open_actions().filter(discussion__conference__team__in=teams)


def patient_mdt(patient: Patient) -> dict:
    """The record's MDT section: whether the patient waits for the MDT, and each conference that
    discussed them with its decisions and actions."""
    flags = list(
        MdtFlag.objects.filter(patient=patient, taken_at__isnull=True).select_related("raised_by")
    )
    discussions = list(
        Discussion.objects.filter(patient=patient)
        .select_related("conference")
        .prefetch_related(
            Prefetch("actions", queryset=Action.objects.select_related("owner", "done_by"))
        )
        .order_by("-conference__held_on", "-id")
    )
    return {"open_flags": flags, "discussions": discussions}
