"""THE access policy: who may list, see and change which patient.

One policy, written in three modules because each question needs the models of a different
layer; each question has exactly one entry point (shared/STYLE.md §3.4):

- here, the bottom layer (no clinical model): the access levels, who is an active user, who gives
  clinical care (``may_give_clinical_care``, ``clinical_staff``, ``check_may_give_clinical_care``),
  who may break the glass (``can_break_glass``), browse the audit log (``can_browse_audit``) or run
  programmes (``can_run_programmes``), and the view decorators that need no patient
  (``public_view``, ``authenticated_view``, ``team_lead_view``, ``programme_view``);
- ``patients/access.py``: which patient a user may see or change (care teams, the team lead's
  reach, break-glass grants): ``patients_visible_to`` (and its set form for whole lists,
  ``patients_listed_for``), ``can_view_patient``,
  ``can_change_patient``, ``can_reassign_patient``, ``get_patient_for_user``, the decorator of
  every patient-scoped view ``patient_view``, and the lead's audit scope
  ``audit_events_visible_to``;
- ``programmes/policy.py``: the programme (PMP) level: ``programmes_run_by``,
  ``programmes_open_to_referral``, ``patients_in_programmes_of``, and the combined answer
  ``access_level`` / ``can_view_pmp`` (CLINICAL, PMP or NONE).

Rules (issue #2):
- a clinician sees the patients whose care team they are on (any episode);
- a team lead sees every patient with an episode held by one of their teams, and may change them
  (reassign);
- a programme admin sees only what PMP work needs (the PMP level, issue #6), never the clinical
  record: they give no clinical care, so they are never on a care team;
- anonymous and inactive users see nothing;
- only users who give clinical care (``may_give_clinical_care``: a clinical role and discipline)
  can lead an episode or sit on a care team, and a care-team place opens the record only while
  that holds (issue #9);
- a clinician or team lead who states a reason may open one patient outside their reach for a
  limited time ("break-glass", ``patients.emergency_access``): the CLINICAL level, marked in every
  audit event and reviewed by the patient's team lead; never a programme admin (issue #15).
A patient outside a user's reach is a 404, never a 403 that confirms it exists (security.md C2).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet

from painclinic.models import Discipline, Role, Team, User

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.http import HttpRequest, HttpResponse


class AccessLevel(enum.IntEnum):
    NONE = 0
    PMP = 1  # demographics and programme logistics only (issue #6)
    CLINICAL = 2  # the whole record


def is_active_user(user: Any) -> bool:
    """Logged in and not deactivated: nobody else sees anything."""
    return bool(user is not None and user.is_authenticated and user.is_active)


# --- Who may give clinical care (issue #9) --------------------------------------------------
# Being lead clinician or on a care team opens the whole record, so only people whose role and
# discipline make them clinicians may be put there: a programme admin (or an account with no
# clinical discipline) is never offered as lead and is refused by the services even when a form is
# forged (DESIGN.md "who uses it"; security.md C1 least privilege).

CLINICAL_CARE_ROLES = (Role.CLINICIAN, Role.TEAM_LEAD)
CLINICAL_CARE_DISCIPLINES = (
    Discipline.PHYSIOTHERAPIST,
    Discipline.PSYCHOLOGIST,
    Discipline.DOCTOR,
    Discipline.OCCUPATIONAL_THERAPIST,
    Discipline.NURSE,
    # The wider multidisciplinary team may join a care team (issue #13: a pharmacist for a
    # medicines review, a social worker, an addiction specialist for opioid dependence).
    Discipline.PHARMACIST,
    Discipline.SOCIAL_WORKER,
    Discipline.ADDICTION_SPECIALIST,
)
NOT_A_CLINICIAN = "{name} does not give clinical care, so cannot lead or join a care team."


def may_give_clinical_care(user: Any) -> bool:
    """May this user be a lead clinician or a member of a care team?"""
    return (
        is_active_user(user)
        and user.role in CLINICAL_CARE_ROLES
        and user.discipline in CLINICAL_CARE_DISCIPLINES
    )


def clinical_staff(team: Team | QuerySet[Team] | None = None) -> QuerySet[User]:
    """The users who may lead or join a care team, of one team (or of several). Every picker of a
    lead clinician or care-team member starts here."""
    staff = User.objects.filter(
        is_active=True, role__in=CLINICAL_CARE_ROLES, discipline__in=CLINICAL_CARE_DISCIPLINES
    )
    if team is None:
        return staff
    if isinstance(team, QuerySet):
        return staff.filter(memberships__team__in=team).distinct()
    return staff.filter(memberships__team=team)


def check_may_give_clinical_care(user: Any) -> None:
    """The services' guard: raise ValidationError for anyone ``may_give_clinical_care`` refuses."""
    if not may_give_clinical_care(user):
        raise ValidationError(NOT_A_CLINICIAN.format(name=user), code="not_a_clinician")


def can_break_glass(user: Any) -> bool:
    """Who may open a patient outside their care teams in an emergency (on call, cover): those
    who give clinical care. A programme admin gives none, so never (issue #15)."""
    return may_give_clinical_care(user)


def can_browse_audit(user: Any) -> bool:
    return is_active_user(user) and user.role == Role.TEAM_LEAD


# --- View decorators: every view declares its access decision -------------------------------
# tests/test_access.py walks the URL resolver and fails on any view without `access_policy`.

PUBLIC = "public"
AUTHENTICATED = "authenticated"
PATIENT_READ = "patient-read"  # patients.access.patient_view()
PATIENT_WRITE = "patient-write"  # patients.access.patient_view(write=True)
TEAM_LEAD = "team-lead"


def public_view(view: Callable) -> Callable:
    """No login needed (the login page, a patient's single-use link).

    Every answer, errors included, is ``no-store``: a link page shows a patient's questions and
    answers on a phone or a shared computer without a session, so neither the browser nor a
    proxy may keep it (ASVS 5.0 14.3.2; issue #15).
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "no-store, private"
        return response

    wrapper.access_policy = PUBLIC  # type: ignore[attr-defined]
    return wrapper


def login_redirect(request: HttpRequest) -> HttpResponse:
    return redirect_to_login(request.get_full_path())


def authenticated_view(view: Callable) -> Callable:
    """Any logged-in user; the view must list patients only through
    ``patients.access.patients_visible_to``."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_active_user(request.user):
            return login_redirect(request)
        return view(request, *args, **kwargs)

    wrapper.access_policy = AUTHENTICATED  # type: ignore[attr-defined]
    return wrapper


def team_lead_view(view: Callable) -> Callable:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_active_user(request.user):
            return login_redirect(request)
        if request.user.role != Role.TEAM_LEAD:
            raise PermissionDenied("This page is for team leads.")
        return view(request, *args, **kwargs)

    wrapper.access_policy = TEAM_LEAD  # type: ignore[attr-defined]
    return wrapper


# --- Programme (PMP) level: issue #6 --------------------------------------------------------
# A programme admin runs the PMP cohorts of their team(s): they see the patients referred to or
# enrolled in those programmes at the PMP level (name, age, contact details, screening,
# enrolment, attendance, group outcomes), never the clinical record: they give no clinical care,
# so no care-team place opens it (DESIGN.md roles; STYLE.md §3.4; issue #9). Team leads of the
# programme's team may run it too. The queries of this level (which programmes, which patients)
# need the programme models, so they live in programmes/policy.py.

PROGRAMME = "programme"


def can_run_programmes(user: Any) -> bool:
    return is_active_user(user) and user.role in (Role.PROGRAMME_ADMIN, Role.TEAM_LEAD)


def programme_view(view: Callable) -> Callable:
    """Pages for running programmes (programme admins and team leads); objects under them are
    fetched through ``programmes.policy.programmes_run_by`` so another team's cohort is a 404."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_active_user(request.user):
            return login_redirect(request)
        if not can_run_programmes(request.user):
            raise PermissionDenied("This page is for programme admins.")
        return view(request, *args, **kwargs)

    wrapper.access_policy = PROGRAMME  # type: ignore[attr-defined]
    return wrapper


# --- Supervision (issue #13) ---------------------------------------------------------------
# Who records a supervisor rating of a clinician's competence or fidelity (quality/): a team
# lead of a team the clinician belongs to. No separate supervisor role: the clinic's roles are
# clinician, team lead and programme admin, and supervision is the lead's work; a clinic that
# wants other supervisors makes them leads of the team. A clinician reads their own ratings, a
# lead those of their teams (quality.selectors.ratings_visible_to).


def supervised_teams(user: Any, clinician: Any) -> QuerySet[Team]:
    """The teams in which ``user`` may rate ``clinician``: those both belong to, led by user."""
    if not is_active_user(user) or user.role != Role.TEAM_LEAD:
        return Team.objects.none()
    return (
        Team.objects.filter(memberships__user=user)
        .filter(memberships__user=clinician)
        .distinct()
        .order_by("name")
    )


def may_supervise(user: Any) -> bool:
    return is_active_user(user) and user.role == Role.TEAM_LEAD


# --- Team pages of clinical staff: MDT case conferences (issue #13) -------------------------
# A case conference discusses the team's patients, so its pages are for the clinical staff of
# the team (those who may give clinical care); a programme admin gives none and sees no clinical
# content (403); another team's conference is fetched through the user's teams, so it is a 404.

CLINICAL_STAFF = "clinical-staff"


def clinical_staff_view(view: Callable) -> Callable:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_active_user(request.user):
            return login_redirect(request)
        if not may_give_clinical_care(request.user):
            raise PermissionDenied("This page is for the team's clinical staff.")
        return view(request, *args, **kwargs)

    wrapper.access_policy = CLINICAL_STAFF  # type: ignore[attr-defined]
    return wrapper


# --- Licensed questionnaire wording (issue #14) ----------------------------------------------
# The wording of a licensed questionnaire is uploaded under the clinic's licence, so it is the
# clinic's administrators who do it: the site's staff (who run the admin site) and the team
# leads (the clinic has no separate "clinic admin" role; leads already hold clinic-wide duties
# such as the audit log). Clinicians and programme admins read the page's result on the link
# form (a refusal names what is missing) but do not upload.

ITEM_TEXT_ADMIN = "item-text-admin"


def can_manage_item_text(user: Any) -> bool:
    return is_active_user(user) and (user.is_staff or user.role == Role.TEAM_LEAD)


def item_text_admin_view(view: Callable) -> Callable:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_active_user(request.user):
            return login_redirect(request)
        if not can_manage_item_text(request.user):
            raise PermissionDenied("This page is for team leads and the clinic's administrators.")
        return view(request, *args, **kwargs)

    wrapper.access_policy = ITEM_TEXT_ADMIN  # type: ignore[attr-defined]
    return wrapper
