"""Break-glass: open a patient outside one's care teams, with a reason, for a limited time.

The grant itself is read by the access policy (``patients.access._break_glass_q``); here are
the writes (open, end, review) and the lead's review list. security.md C4: explicit reason,
time-boxed, one patient, always audited, reviewed.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from painclinic import access, audit
from painclinic.middleware import SESSION_LOGIN_AT_KEY
from painclinic.models import AuditAction
from patients.models import EmergencyAccess, Episode, Patient

if TYPE_CHECKING:
    from django.http import HttpRequest

    from painclinic.models import User

MIN_REASON_LENGTH = 20  # security.md C4: a reason, not "x"


def find_patient(identifier: str) -> Patient | None:
    """The patient with this identifier anywhere in the clinic (compared case-insensitively)."""
    return Patient.objects.filter(identifier__iexact=identifier.strip()).first()


def _expiry(request: HttpRequest) -> datetime:
    """BREAK_GLASS_HOURS from now, but never beyond the end of this session."""
    now = timezone.now()
    expires = now + timedelta(hours=settings.BREAK_GLASS_HOURS)
    login_at = request.session.get(SESSION_LOGIN_AT_KEY)
    if login_at is not None:
        session_end = now + (
            settings.SESSION_ABSOLUTE_LIMIT - timedelta(seconds=time.time() - float(login_at))
        )
        expires = min(expires, session_end)
    return expires


def open_emergency_access(request: HttpRequest, patient: Patient, reason: str) -> EmergencyAccess:
    """Grant the user CLINICAL access to this one patient, audited as break-glass."""
    user = request.user
    if not access.can_break_glass(user):
        raise ValidationError(_("Your role cannot use emergency access."), code="not_allowed")
    reason = reason.strip()
    if len(reason) < MIN_REASON_LENGTH:
        raise ValidationError(
            _("Say why you need this record (at least %(n)d characters).")
            % {"n": MIN_REASON_LENGTH},
            code="reason",
        )
    with transaction.atomic():
        grant = EmergencyAccess.objects.create(
            user=user, patient=patient, reason=reason, expires_at=_expiry(request)
        )
        audit.mark_break_glass(patient.pk)
        audit.record_event(actor=user, action=AuditAction.BREAK_GLASS, patient=patient, obj=grant)
    return grant


def end_emergency_access_of(user: User) -> int:
    """End the user's open grants (their session ended: log-out, or a new log-in)."""
    return EmergencyAccess.objects.active().filter(user=user).update(ended_at=timezone.now())


def review(grant: EmergencyAccess, lead: User, note: str) -> EmergencyAccess:
    grant.reviewed_by = lead
    grant.reviewed_at = timezone.now()
    grant.review_note = note.strip()
    with transaction.atomic():
        grant.save(update_fields=["reviewed_by", "reviewed_at", "review_note"])
        audit.record_event(
            actor=lead,
            action=AuditAction.CHANGE,
            patient=grant.patient,
            obj=grant,
            changed_fields=["reviewed_by", "reviewed_at", "review_note"],
        )
    return grant


def for_review_by(lead: User) -> QuerySet[EmergencyAccess]:
    """Emergency accesses to patients with an episode held by one of the lead's teams,
    not yet reviewed first."""
    if not access.can_browse_audit(lead):
        return EmergencyAccess.objects.none()
    held = Episode.objects.filter(patient=OuterRef("patient_id"), team__memberships__user=lead)
    return (
        EmergencyAccess.objects.filter(Exists(held))
        .select_related("user", "patient", "reviewed_by")
        .order_by(F("reviewed_at").asc(nulls_first=True), "-started_at", "-id")
    )
