"""Authentication events go to the audit log (security.md D6) and start the session clock.
A session's end also ends its emergency accesses: patients/signals.py (a patients model)."""

from __future__ import annotations

import time

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from painclinic import audit
from painclinic.middleware import SESSION_LOGIN_AT_KEY, SESSION_RENEWED_AT_KEY
from painclinic.models import AuditAction


@receiver(user_logged_in, dispatch_uid="painclinic_logged_in")
def on_logged_in(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[SESSION_LOGIN_AT_KEY] = now
        # Saved with the log-in: the idle timeout runs from here (SessionRenewalMiddleware).
        request.session[SESSION_RENEWED_AT_KEY] = now
    audit.record_event(actor=user, action=AuditAction.LOGIN)


@receiver(user_logged_out, dispatch_uid="painclinic_logged_out")
def on_logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit.record_event(actor=user, action=AuditAction.LOGOUT)


@receiver(user_login_failed, dispatch_uid="painclinic_login_failed")
def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    # Only the username typed is kept; the password never reaches the log.
    username = str((credentials or {}).get("username", ""))[:150]
    audit.record_event(actor=None, action=AuditAction.LOGIN_FAILED, actor_username=username)
