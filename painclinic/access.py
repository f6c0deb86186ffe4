"""THE access policy: who may list, see and change which patient.

Nothing else in painclinic decides this (shared/STYLE.md §3.4). Every patient-scoped view is
wrapped by ``patient_view``; every list starts from ``patients_visible_to``.

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
import uuid
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Case, Exists, OuterRef, Q, QuerySet, Value, When
from django.http import Http404

from painclinic import audit
from painclinic.models import AuditAction, Discipline, Role

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

    from painclinic.models import Team, User
    from patients.models import Patient


class AccessLevel(enum.IntEnum):
    NONE = 0
    PMP = 1  # demographics and programme logistics only (issue #6)
    CLINICAL = 2  # the whole record


def _is_active_user(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _care_team_q(user: User) -> Q:
    from patients.models import CareTeamMember

    return Q(Exists(CareTeamMember.objects.filter(episode__patient=OuterRef("pk"), user=user)))


def _team_q(user: User) -> Q:
    from patients.models import Episode

    return Q(Exists(Episode.objects.filter(patient=OuterRef("pk"), team__memberships__user=user)))


def _break_glass_q(user: User) -> Q:
    from patients.models import EmergencyAccess

    return Q(Exists(EmergencyAccess.objects.active().filter(patient=OuterRef("pk"), user=user)))


def _regular_clinical_q(user: User) -> Q:
    # A care-team place opens the record only while its holder gives clinical care: an account
    # changed to programme admin (or a non-clinical discipline) keeps no way in (issue #9).
    reach = _care_team_q(user) if may_give_clinical_care(user) else Q(pk__in=[])
    if user.role == Role.TEAM_LEAD:
        return reach | _team_q(user)
    return reach


def _clinical_q(user: User) -> Q:
    if can_break_glass(user):
        return _regular_clinical_q(user) | _break_glass_q(user)
    return _regular_clinical_q(user)


def patients_visible_to(user: Any) -> QuerySet[Patient]:
    """Every patient the user may list. Every list of patients starts here."""
    from patients.models import Patient

    if not _is_active_user(user):
        return Patient.objects.none()
    return Patient.objects.filter(_clinical_q(user))


def access_level(user: Any, patient: Patient) -> AccessLevel:
    """CLINICAL when the clinical rules allow; PMP for a patient in a programme the user runs;
    NONE otherwise."""
    if not _is_active_user(user):
        return AccessLevel.NONE
    from patients.models import Patient

    if Patient.objects.filter(_clinical_q(user), pk=patient.pk).exists():
        return AccessLevel.CLINICAL
    if patients_in_programmes_of(user).filter(pk=patient.pk).exists():
        return AccessLevel.PMP
    return AccessLevel.NONE


def can_view_patient(user: Any, patient: Patient) -> bool:
    from patients.models import Patient

    return (
        _is_active_user(user) and Patient.objects.filter(_clinical_q(user), pk=patient.pk).exists()
    )


def can_change_patient(user: Any, patient: Patient) -> bool:
    # Today everyone who may see the clinical record is on its care team or leads its team,
    # and both may change it. Kept as its own question because read-only roles will come
    # (e.g. a student observer, or a team lead of a neighbouring team).
    return can_view_patient(user, patient)


def can_reassign_patient(user: Any, patient: Patient) -> bool:
    """Moving a patient between clinicians is a team lead's decision."""
    if not _is_active_user(user) or user.role != Role.TEAM_LEAD:
        return False
    from patients.models import Patient

    return Patient.objects.filter(_team_q(user), pk=patient.pk).exists()


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
)
NOT_A_CLINICIAN = "{name} does not give clinical care, so cannot lead or join a care team."


def may_give_clinical_care(user: Any) -> bool:
    """May this user be a lead clinician or a member of a care team?"""
    return (
        _is_active_user(user)
        and user.role in CLINICAL_CARE_ROLES
        and user.discipline in CLINICAL_CARE_DISCIPLINES
    )


def clinical_staff(team: Team | QuerySet[Team] | None = None) -> QuerySet[User]:
    """The users who may lead or join a care team, of one team (or of several). Every picker of a
    lead clinician or care-team member starts here."""
    from painclinic.models import User

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
    from django.core.exceptions import ValidationError

    if not may_give_clinical_care(user):
        raise ValidationError(NOT_A_CLINICIAN.format(name=user), code="not_a_clinician")


def can_break_glass(user: Any) -> bool:
    """Who may open a patient outside their care teams in an emergency (on call, cover): those
    who give clinical care. A programme admin gives none, so never (issue #15)."""
    return may_give_clinical_care(user)


def can_browse_audit(user: Any) -> bool:
    return _is_active_user(user) and user.role == Role.TEAM_LEAD


def audit_events_visible_to(user: Any):
    """Team leads browse the audit log of their team's patients (issue #2), and the events of
    their team's members that concern no patient: log-ins, failed log-ins (by the username
    typed), log-outs, exports of the log (issue #9)."""
    from painclinic.models import AuditEvent, User

    if not can_browse_audit(user):
        return AuditEvent.objects.none()
    members = User.objects.filter(memberships__team__memberships__user=user)
    return AuditEvent.objects.filter(
        Q(patient__in=patients_visible_to(user))
        | Q(patient__isnull=True, actor__in=members)
        | Q(
            patient__isnull=True,
            actor__isnull=True,
            actor_username__in=members.values("username"),
        )
    )


def get_patient_for_user(
    request: HttpRequest, patient_id: uuid.UUID | str, *, write: bool = False
) -> Patient:
    """The patient if the user may see it (404 otherwise), checking write access (403).

    A refused request is audited as DENIED, so snooping on records shows in the log.
    """
    from patients.models import Patient

    user = request.user
    patient = (
        patients_visible_to(user)
        .filter(pk=patient_id)
        .annotate(
            regular_reach=Case(
                When(_regular_clinical_q(user), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
            if _is_active_user(user)
            else Value(True)
        )
        .first()
    )
    if patient is not None and not patient.regular_reach:
        _note_break_glass(request, patient)
    if patient is None:
        existing = Patient.objects.filter(pk=patient_id).first()
        if existing is not None and _is_active_user(user):
            audit.record_event(
                actor=user, action=AuditAction.DENIED, patient=existing, obj=existing
            )
        raise Http404("No such patient.")
    if write and not can_change_patient(user, patient):
        audit.record_event(actor=user, action=AuditAction.DENIED, patient=patient, obj=patient)
        raise PermissionDenied("You may see this patient but not change the record.")
    return patient


def _note_break_glass(request: HttpRequest, patient: Patient) -> None:
    """This request reaches the patient by emergency access only: every audit event about the
    patient carries the mark, and every page shows the banner (``request.break_glass``)."""
    from patients.models import EmergencyAccess

    request.break_glass = (  # type: ignore[attr-defined]
        EmergencyAccess.objects.active()
        .filter(user=request.user, patient=patient)
        .order_by("-expires_at")
        .first()
    )
    audit.mark_break_glass(patient.pk)


# --- View decorators: every view declares its access decision -------------------------------
# tests/test_access.py walks the URL resolver and fails on any view without `access_policy`.

PUBLIC = "public"
AUTHENTICATED = "authenticated"
PATIENT_READ = "patient-read"
PATIENT_WRITE = "patient-write"
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


def _login_redirect(request: HttpRequest) -> HttpResponse:
    return redirect_to_login(request.get_full_path())


def authenticated_view(view: Callable) -> Callable:
    """Any logged-in user; the view must list patients only through ``patients_visible_to``."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not _is_active_user(request.user):
            return _login_redirect(request)
        return view(request, *args, **kwargs)

    wrapper.access_policy = AUTHENTICATED  # type: ignore[attr-defined]
    return wrapper


def team_lead_view(view: Callable) -> Callable:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not _is_active_user(request.user):
            return _login_redirect(request)
        if request.user.role != Role.TEAM_LEAD:
            raise PermissionDenied("This page is for team leads.")
        return view(request, *args, **kwargs)

    wrapper.access_policy = TEAM_LEAD  # type: ignore[attr-defined]
    return wrapper


def patient_view(*, write: bool = False) -> Callable[[Callable], Callable]:
    """Resolve ``patient_id`` through the policy, pass the patient, audit the access.

    GET pages write exactly one VIEW event. A POST that a service has audited (CREATE/CHANGE)
    writes nothing more; a POST that only re-displays data (a form with errors) is audited as
    a VIEW, because the record was shown.
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(
            request: HttpRequest, patient_id: uuid.UUID, *args: Any, **kwargs: Any
        ) -> HttpResponse:
            if not _is_active_user(request.user):
                return _login_redirect(request)
            needs_write = write and request.method not in ("GET", "HEAD", "OPTIONS")
            patient = get_patient_for_user(request, patient_id, write=needs_write)
            response = view(request, patient, *args, **kwargs)
            if not audit.patient_audited_in_request(patient.pk):
                audit.record_event(actor=request.user, action=AuditAction.VIEW, patient=patient)
            return response

        wrapper.access_policy = PATIENT_WRITE if write else PATIENT_READ  # type: ignore[attr-defined]
        return wrapper

    return decorator


# --- Programme (PMP) level: issue #6 --------------------------------------------------------
# A programme admin runs the PMP cohorts of their team(s): they see the patients referred to or
# enrolled in those programmes at the PMP level (name, age, contact details, screening,
# enrolment, attendance, group outcomes), never the clinical record: they give no clinical care,
# so no care-team place opens it (DESIGN.md roles; STYLE.md §3.4; issue #9). Team leads of the
# programme's team may run it too.

PROGRAMME = "programme"


def can_run_programmes(user: Any) -> bool:
    return _is_active_user(user) and user.role in (Role.PROGRAMME_ADMIN, Role.TEAM_LEAD)


def programmes_run_by(user: Any):
    """The PMP programmes a user may run: those of a team the user is a member of."""
    from programmes.models import Programme

    if not can_run_programmes(user):
        return Programme.objects.none()
    return Programme.objects.filter(team__memberships__user=user).distinct()


def programmes_open_to_referral(patient: Patient):
    """The programmes a patient may be referred to: those run by a team holding one of the
    patient's episodes. A referral shows the patient's identity to the programme's team, so another
    team's programme is out of reach (issue #15: the referral form offered every team's
    programme; cross-team referral would need an explicit, audited agreement between teams)."""
    from programmes.models import Programme

    return Programme.objects.filter(team__episodes__patient=patient).distinct()


def patients_in_programmes_of(user: Any) -> QuerySet[Patient]:
    """Patients referred to or enrolled in a programme the user runs (PMP-level reach)."""
    from patients.models import Patient
    from programmes.models import Enrolment

    if not can_run_programmes(user):
        return Patient.objects.none()
    return Patient.objects.filter(
        Exists(
            Enrolment.objects.filter(
                patient=OuterRef("pk"), programme__team__memberships__user=user
            )
        )
    )


def can_view_pmp(user: Any, patient: Patient) -> bool:
    return access_level(user, patient) >= AccessLevel.PMP


def programme_view(view: Callable) -> Callable:
    """Pages for running programmes (programme admins and team leads); objects under them are
    fetched through ``programmes_run_by`` so another team's cohort is a 404."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not _is_active_user(request.user):
            return _login_redirect(request)
        if not can_run_programmes(request.user):
            raise PermissionDenied("This page is for programme admins.")
        return view(request, *args, **kwargs)

    wrapper.access_policy = PROGRAMME  # type: ignore[attr-defined]
    return wrapper


# --- Team pages of clinical staff: MDT case conferences (issue #13) -------------------------
# A case conference discusses the team's patients, so its pages are for the clinical staff of
# the team (those who may give clinical care); a programme admin gives none and sees no clinical
# content (403); another team's conference is fetched through the user's teams, so it is a 404.

CLINICAL_STAFF = "clinical-staff"


def clinical_staff_view(view: Callable) -> Callable:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not _is_active_user(request.user):
            return _login_redirect(request)
        if not may_give_clinical_care(request.user):
            raise PermissionDenied("This page is for the team's clinical staff.")
        return view(request, *args, **kwargs)

    wrapper.access_policy = CLINICAL_STAFF  # type: ignore[attr-defined]
    return wrapper
