"""Two-step verification: who must use it, enrolment, verification, recovery codes, lockout.

A password opens a session that is not yet *verified*; until a code from the user's
authenticator app (TOTP, RFC 6238, through django-otp) or a single-use recovery code is checked,
``MFARequiredMiddleware`` keeps the session on these pages (security.md A6; ASVS 5.0 6.3.3;
HIPAA 164.312(d)). Wrong codes are counted from the audit log itself: five within fifteen minutes
lock the second step for that user, as django-axes locks the first (security.md A5).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import django_otp
import segno
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Max, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from painclinic import audit
from painclinic.models import AuditAction, AuditEvent, Role

if TYPE_CHECKING:
    from datetime import datetime

    from django.http import HttpRequest
    from django_otp.models import Device

    from painclinic.models import User

AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"
ROLES_THAT_MUST_ENROL = (Role.TEAM_LEAD, Role.PROGRAMME_ADMIN)


def mfa_required(user: Any) -> bool:
    """Must this user enrol before using anything? Team leads and programme admins (they see
    whole teams and cohorts), the admin site's staff and superusers always; clinicians when the
    clinic turns MFA_REQUIRED_FOR_CLINICIANS on."""
    if not (user is not None and user.is_authenticated):
        return False
    if user.is_superuser or user.is_staff or user.role in ROLES_THAT_MUST_ENROL:
        return True
    return bool(settings.MFA_REQUIRED_FOR_CLINICIANS)


def authenticator_of(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def is_enrolled(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


# --- The session's device, read with the user ------------------------------------------------

# The device types a session can be verified by (TOTP, and recovery codes), as django-otp names
# them in the session (``Device.persistent_id``: "<app_label>.<model_name>/<id>").
VERIFYING_DEVICES: tuple[type[Device], ...] = (TOTPDevice, StaticDevice)
CONFIRMED_DEVICES_ATTR = "mfa_confirmed_devices"


@cache
def _confirmed_devices_sql() -> str:
    parts = [
        "SELECT {label} || e.id FROM {table} e WHERE e.user_id = {user}.id AND e.confirmed".format(
            label=f"'{model.model_label()}/'",
            table=connection.ops.quote_name(model._meta.db_table),
            user=connection.ops.quote_name(get_user_model()._meta.db_table),
        )
        for model in VERIFYING_DEVICES
    ]
    return "ARRAY(" + " UNION ALL ".join(parts) + ")"


def with_confirmed_devices(users: QuerySet) -> QuerySet:
    """The users, each with the persistent ids of their confirmed devices: the user query of
    every request reads them (``painclinic.backends``), so that ``painclinic.middleware.
    OTPMiddleware`` checks the session's device without a query of its own (issue #16: one
    query less on every page). PostgreSQL only (an array); elsewhere the users are returned
    as they are and the middleware reads the device as django-otp does."""
    if connection.vendor != "postgresql":
        return users
    return users.annotate(**{CONFIRMED_DEVICES_ATTR: RawSQL(_confirmed_devices_sql(), ())})


def confirmed_devices(user: Any) -> frozenset[str] | None:
    """The persistent ids of the user's confirmed devices, as read with the user, or None when
    the user was not read by ``with_confirmed_devices``."""
    ids = getattr(user, CONFIRMED_DEVICES_ATTR, None)
    return None if ids is None else frozenset(ids)


def is_verified(request: HttpRequest) -> bool:
    user = request.user
    return bool(getattr(user, "is_verified", None) and user.is_verified())


# --- Lockout --------------------------------------------------------------------------------


def locked_until(user: User) -> datetime | None:
    """The time the second step opens again, or None when it is open. Counts wrong codes in the
    last MFA_COOLOFF_TIME since the last success (a success clears earlier typos)."""
    now = timezone.now()
    since = now - settings.MFA_COOLOFF_TIME
    last_success = AuditEvent.objects.filter(
        actor=user,
        action__in=(AuditAction.MFA_VERIFIED, AuditAction.MFA_RECOVERY_USED),
        at__gte=since,
    ).aggregate(at=Max("at"))["at"]
    failures = AuditEvent.objects.filter(
        actor=user, action=AuditAction.MFA_FAILED, at__gte=max(since, last_success or since)
    )
    figures = failures.aggregate(last=Max("at"))
    if failures.count() < settings.MFA_FAILURE_LIMIT:
        return None
    return figures["last"] + settings.MFA_COOLOFF_TIME


# --- Verification ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    ok: bool
    locked_until: datetime | None = None
    used_recovery_code: bool = False


def _clean(token: str) -> str:
    return "".join(str(token).split()).lower()[:32]


def verify(request: HttpRequest, token: str) -> Outcome:
    """Check a code from the authenticator app, or a recovery code (used up by this check).
    On success the session becomes verified under a new session key."""
    user = request.user
    until = locked_until(user)
    if until is not None:
        audit.record_event(actor=user, action=AuditAction.MFA_LOCKED)
        return Outcome(ok=False, locked_until=until)
    token = _clean(token)
    device = None
    recovery = False
    if token:
        # TOTPDevice refuses a code whose time step was already used (last_t; ASVS 5.0 6.5.1).
        for candidate in TOTPDevice.objects.filter(user=user, confirmed=True):
            if django_otp.verify_token(user, candidate.persistent_id, token):
                device = candidate
                break
        if device is None:
            for candidate in StaticDevice.objects.filter(user=user, confirmed=True):
                # A static token is deleted when it matches: a recovery code works once.
                if django_otp.verify_token(user, candidate.persistent_id, token):
                    device, recovery = candidate, True
                    break
    if device is None:
        audit.record_event(actor=user, action=AuditAction.MFA_FAILED)
        return Outcome(ok=False, locked_until=locked_until(user))
    _mark_verified(request, device)
    audit.record_event(
        actor=user,
        action=AuditAction.MFA_RECOVERY_USED if recovery else AuditAction.MFA_VERIFIED,
        obj=device,
    )
    return Outcome(ok=True, used_recovery_code=recovery)


def _mark_verified(request: HttpRequest, device) -> None:
    # A new session key at the step up, as at log-in (ASVS 5.0 7.2.4: no session fixation).
    request.session.cycle_key()
    django_otp.login(request, device)


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# --- Enrolment ------------------------------------------------------------------------------


def pending_authenticator(user: User) -> TOTPDevice:
    """The not-yet-confirmed authenticator being set up (one per user; a new secret only when
    there is none, so reloading the page does not invalidate a QR code already scanned)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


def provisioning_qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// URI as an SVG QR code in a data: URI (img-src allows data:; no script)."""
    return segno.make_qr(device.config_url, error="m").svg_data_uri(scale=5, border=2)


def secret_in_groups(device: TOTPDevice) -> str:
    """The base32 secret for typing into an app by hand, in groups of four."""
    import base64

    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def confirm_enrolment(request: HttpRequest, token: str) -> list[str] | None:
    """Confirm the pending authenticator with its first code. Returns the new recovery codes
    (to show once) or None when the code is wrong (audited and counted like any wrong code)."""
    user = request.user
    if locked_until(user) is not None:
        audit.record_event(actor=user, action=AuditAction.MFA_LOCKED)
        return None
    device = pending_authenticator(user)
    if not device.verify_token(_clean(token)):
        audit.record_event(actor=user, action=AuditAction.MFA_FAILED, obj=device)
        return None
    with transaction.atomic():
        # One authenticator per person: setting up a new one retires the old.
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_recovery_codes(user)
        audit.record_event(actor=user, action=AuditAction.MFA_ENROLLED, obj=device)
    _mark_verified(request, device)
    return codes


def regenerate_recovery_codes(user: User) -> list[str]:
    """New recovery codes; the old ones stop working."""
    with transaction.atomic():
        return _new_recovery_codes(user)


def _new_recovery_codes(user: User) -> list[str]:
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(settings.MFA_RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    audit.record_event(actor=user, action=AuditAction.MFA_CODES_ISSUED, obj=device)
    return codes


def check_current_code(user: User, token: str) -> bool:
    """A fresh code from the authenticator, asked before recovery codes are replaced
    (ASVS 5.0 7.5.1: re-authentication before changing recovery data). Counted when wrong."""
    if locked_until(user) is not None:
        audit.record_event(actor=user, action=AuditAction.MFA_LOCKED)
        return False
    device = authenticator_of(user)
    if device is not None and django_otp.verify_token(user, device.persistent_id, _clean(token)):
        return True
    audit.record_event(actor=user, action=AuditAction.MFA_FAILED)
    return False
