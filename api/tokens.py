"""Creating, revoking and checking API tokens: the only writes of the api app (audited)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from api.models import ApiToken, TokenScope
from painclinic import audit
from painclinic.models import AuditAction

if TYPE_CHECKING:
    from painclinic.models import User

# "pc-" and hex digits: easy to spot in a leaked-secrets scan, and readable on a page.
TOKEN_PREFIX = "pc-"
# A token lives at most 90 days: long enough for a device or a diary integration, short enough
# that a forgotten one dies (ASVS 5.0 7.3 lifetimes; the clinic may shorten it).
MAX_LIFETIME_DAYS = 90
MSG_LIFETIME = gettext_noop("Choose between 1 and {max} days.")
MSG_NOT_VERIFIED = gettext_noop("Finish two-step verification before creating an API token.")


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def token_create(
    *, actor: User, name: str, scope: str, days: int, otp_verified: bool
) -> tuple[ApiToken, str]:
    """A new token for ``actor``; returns the row and the token itself, which is never stored
    and cannot be shown again. Only a session that passed two-step verification may create one
    (painclinic/mfa.py; security.md A6: a token must not be a way around the second factor)."""
    if not otp_verified:
        raise PermissionDenied(gettext(MSG_NOT_VERIFIED))
    if scope not in TokenScope.values:
        raise ValidationError({"scope": "Choose read only or read and write."})
    if not 1 <= int(days) <= MAX_LIFETIME_DAYS:
        raise ValidationError({"days": gettext(MSG_LIFETIME).format(max=MAX_LIFETIME_DAYS)})
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the token a name, e.g. the device that uses it."})
    raw = TOKEN_PREFIX + secrets.token_hex(32)  # 256 random bits
    token = ApiToken.objects.create(
        user=actor,
        name=name[:80],
        prefix=raw[:11],
        key_hash=hash_token(raw),
        scope=scope,
        expires_at=timezone.now() + timedelta(days=int(days)),
    )
    audit.record_event(actor=actor, action=AuditAction.CREATE, obj=token)
    return token, raw


@transaction.atomic
def token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    """Revoke one of the actor's own tokens (from then on every request with it is refused)."""
    token = ApiToken.objects.select_for_update(no_key=True).get(pk=token.pk, user=actor)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record_event(
            actor=actor, action=AuditAction.CHANGE, obj=token, changed_fields=["revoked_at"]
        )
    return token


def token_for(raw: str) -> ApiToken | None:
    """The usable token with this value, or None (unknown, expired, revoked, user inactive)."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.usable().select_related("user").filter(key_hash=hash_token(raw)).first()
    )
    if token is not None:
        now = timezone.now()
        # Written at most once a minute, so a busy device does not write on every request.
        if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def tokens_of(user: User):
    return ApiToken.objects.filter(user=user)
