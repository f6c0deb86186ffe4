"""The access policy, patient level: who may list, see and change which patient.

One policy in three modules, one per layer (painclinic/access.py says which question lives where).
This module answers every question that needs the patient record: care-team membership, the
team lead's reach, break-glass grants, the patient lookup of every patient-scoped view
(``patient_view``) and the team lead's audit-log scope. Every list of patients starts from
``patients_visible_to``, or from ``patients_listed_for``, the same rules as one set, for a page
that counts and pages through all of a user's patients (issue #16). Rules (issue #2, #9, #15):
- a clinician sees the patients whose care team they are on (any episode);
- a team lead sees every patient with an episode held by one of their teams, and may change them
  (reassign);
- a care-team place opens the record only while its holder gives clinical care
  (``painclinic.access.may_give_clinical_care``: a clinical role and discipline; issue #9);
- a clinician or team lead who states a reason may open one patient outside their reach for a
  limited time ("break-glass", ``patients.emergency_access``): the CLINICAL level, marked in every
  audit event and reviewed by the patient's team lead; never a programme admin (issue #15);
- anonymous and inactive users see nothing.
A patient outside a user's reach is a 404, never a 403 that confirms it exists (security.md C2).
The programme (PMP) level lives one layer up, in ``programmes/policy.py``.
"""

from __future__ import annotations

from functools import wraps
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Case, Exists, OuterRef, Q, QuerySet, Value, When
from django.http import Http404

from painclinic import audit
from painclinic.access import (
    PATIENT_READ,
    PATIENT_WRITE,
    can_break_glass,
    can_browse_audit,
    is_active_user,
    login_redirect,
    may_give_clinical_care,
)
from painclinic.models import AuditAction, AuditEvent, Membership, Role, User
from patients.models import CareTeamMember, EmergencyAccess, Episode, Patient

if TYPE_CHECKING:
    import uuid
    from collections.abc import Callable

    from django.http import HttpRequest, HttpResponse


def _care_team_q(user: User) -> Q:
    return Q(Exists(CareTeamMember.objects.filter(episode__patient=OuterRef("pk"), user=user)))


def _team_q(user: User) -> Q:
    return Q(Exists(Episode.objects.filter(patient=OuterRef("pk"), team__memberships__user=user)))


def _break_glass_q(user: User) -> Q:
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
    """Every patient the user may list (the CLINICAL level). Every list of patients starts here."""
    if not is_active_user(user):
        return Patient.objects.none()
    return Patient.objects.filter(_clinical_q(user))


def patients_listed_for(user: Any) -> QuerySet[Patient]:
    """The patients of ``patients_visible_to``, the same rules stated as one set, for a page that
    counts and pages through all of a user's patients (the patient list): the patients of the
    episodes the user reaches (a care-team place while giving clinical care, an episode held by a
    team of a team lead's) found in ONE scan of the episodes, and the break-glass grants.
    ``patients_visible_to`` asks per patient (one EXISTS per rule), which suits a lookup of one
    or a few patients; over a whole list the planner built each EXISTS as a hashed set of its own,
    each with its own scan of the episodes (issue #16: the team lead's COUNT ~13 -> ~6 ms at
    10,000 patients). Both forms list the same patients (tests/patients/test_access_forms.py)."""
    if not is_active_user(user):
        return Patient.objects.none()
    reach = Q(pk__in=[])
    if may_give_clinical_care(user):
        reach |= Q(pk__in=CareTeamMember.objects.filter(user=user).values("episode_id"))
    if user.role == Role.TEAM_LEAD:
        reach |= Q(team_id__in=Membership.objects.filter(user=user).values("team_id"))
    listed = Q(pk__in=Episode.objects.filter(reach).values("patient_id"))
    if can_break_glass(user):
        listed |= Q(pk__in=EmergencyAccess.objects.active().filter(user=user).values("patient_id"))
    return Patient.objects.filter(listed)


def care_team_episodes_q(user: Any) -> Q:
    """Episodes on whose care team the user is, of patients the user may see (the caseload).
    A place on an episode's care team is a place on its patient's care team, so for a user who
    gives clinical care the visibility EXISTS of ``patients_visible_to`` is implied: ONE EXISTS
    is applied (issue #16: the second one doubled the caseload's SQL). For anyone else the
    visibility check stays (their care-team place alone opens nothing)."""
    if not is_active_user(user):
        return Q(pk__in=[])
    on_team = Q(Exists(CareTeamMember.objects.filter(episode=OuterRef("pk"), user=user)))
    if may_give_clinical_care(user):
        return on_team
    return on_team & Q(Exists(patients_visible_to(user).filter(pk=OuterRef("patient_id"))))


def episodes_of_led_teams(user: Any, team_ids: list[int]) -> QuerySet[Episode]:
    """Episodes held by the teams ``team_ids`` that ``user`` leads (the team review). A team lead
    sees every patient with an episode held by one of their teams (``_team_q``), so each such
    episode's patient is visible: the per-row visibility EXISTS is implied and not repeated, and
    no list of episode ids is sent (issue #16: a 70 KB array the planner joined row by row)."""
    if not is_active_user(user) or user.role != Role.TEAM_LEAD or not team_ids:
        return Episode.objects.none()
    led = Episode.objects.filter(team__memberships__user=user).values("team_id")
    return Episode.objects.filter(team_id__in=team_ids).filter(team_id__in=led)


def can_view_patient(user: Any, patient: Patient) -> bool:
    return (
        is_active_user(user) and Patient.objects.filter(_clinical_q(user), pk=patient.pk).exists()
    )


def can_change_patient(user: Any, patient: Patient) -> bool:
    # Today everyone who may see the clinical record is on its care team or leads its team,
    # and both may change it. Kept as its own question because read-only roles will come
    # (e.g. a student observer, or a team lead of a neighbouring team).
    return can_view_patient(user, patient)


def can_reassign_patient(user: Any, patient: Patient) -> bool:
    """Moving a patient between clinicians is a team lead's decision."""
    if not is_active_user(user) or user.role != Role.TEAM_LEAD:
        return False
    return Patient.objects.filter(_team_q(user), pk=patient.pk).exists()


def audit_events_visible_to(user: Any) -> QuerySet[AuditEvent]:
    """Team leads browse the audit log of their team's patients (issue #2), and the events of
    their team's members that concern no patient: log-ins, failed log-ins (by the username
    typed), log-outs, exports of the log (issue #9)."""
    if not can_browse_audit(user):
        return AuditEvent.objects.none()
    members = User.objects.filter(memberships__team__memberships__user=user)
    # The patient's visibility as an EXISTS per event (index probes for the events the page
    # reads), not ``patient IN (every visible patient)``: that set was rebuilt from every patient
    # of the clinic by each query of the page (issue #16: ~30-45 ms a query at 10,000 patients).
    return AuditEvent.objects.filter(
        Q(Exists(patients_visible_to(user).filter(pk=OuterRef("patient_id"))))
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
            if is_active_user(user)
            else Value(True)
        )
        .first()
    )
    if patient is not None and not patient.regular_reach:
        _note_break_glass(request, patient)
    if patient is None:
        existing = Patient.objects.filter(pk=patient_id).first()
        if existing is not None and is_active_user(user):
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
    request.break_glass = (  # type: ignore[attr-defined]
        EmergencyAccess.objects.active()
        .filter(user=request.user, patient=patient)
        .order_by("-expires_at")
        .first()
    )
    audit.mark_break_glass(patient.pk)


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
            if not is_active_user(request.user):
                return login_redirect(request)
            needs_write = write and request.method not in ("GET", "HEAD", "OPTIONS")
            patient = get_patient_for_user(request, patient_id, write=needs_write)
            response = view(request, patient, *args, **kwargs)
            if not audit.patient_audited_in_request(patient.pk):
                audit.record_event(actor=request.user, action=AuditAction.VIEW, patient=patient)
            return response

        wrapper.access_policy = PATIENT_WRITE if write else PATIENT_READ  # type: ignore[attr-defined]
        return wrapper

    return decorator
