"""Request context for the audit log, the absolute session cap, and no-store caching."""

from __future__ import annotations

import logging
import re
import time
import uuid
from functools import partial
from typing import TYPE_CHECKING

import django_otp.middleware
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.template import loader
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.models import Device

from painclinic import audit, mfa
from painclinic.access import PUBLIC

if TYPE_CHECKING:
    from collections.abc import Callable

logger = logging.getLogger(__name__)

SESSION_LOGIN_AT_KEY = "painclinic_login_at"
# When the session's expiry was last pushed forward (painclinic.middleware.SessionRenewalMiddleware).
SESSION_RENEWED_AT_KEY = "painclinic_renewed_at"
_REQUEST_ID_OK = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def client_address(request: HttpRequest) -> str | None:
    if settings.AUDIT_TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    """Gives every request an id and makes (address, id, agent) available to the audit log."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        # Accept a proxy's id only when it looks like one: it is written to the audit log.
        request_id = incoming if _REQUEST_ID_OK.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        tokens = audit.set_request_context(
            audit.RequestContext(
                client_address=client_address(request),
                request_id=request_id,
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
            )
        )
        try:
            response = self.get_response(request)
        finally:
            audit.reset_request_context(tokens)
        response["X-Request-ID"] = request_id
        return response

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> None:
        match = getattr(request, "resolver_match", None)
        if match is not None and match.view_name:
            context = audit.current_request_context()
            audit._current.set(
                audit.RequestContext(
                    client_address=context.client_address,
                    request_id=context.request_id,
                    user_agent=context.user_agent,
                    view_name=match.view_name,
                )
            )


class SessionRenewalMiddleware:
    """The idle timeout (ASVS 4.0.3 3.3.2; HIPAA 164.312(a)(2)(iii)) without a session write on
    every request: an active session's expiry (SESSION_COOKIE_AGE after its last save) is pushed
    forward at most once every SESSION_RENEW_SECONDS.

    SESSION_SAVE_EVERY_REQUEST did the same with an UPDATE and a COMMIT (a disk flush) on every
    page (issue #16). Now a session ends at most SESSION_COOKIE_AGE after the last request (never
    later) and at least SESSION_COOKIE_AGE - SESSION_RENEW_SECONDS after it. A request that
    changes the session anyway (log-in, MFA, messages) saves it and records the renewal.
    Sits after SessionMiddleware, so its response step runs before the session is saved.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # An anonymous visitor's empty session stays unsaved (no row per page view).
        if session is None or not session.accessed or session.is_empty():
            return response
        now = time.time()
        renewed_at = session.get(SESSION_RENEWED_AT_KEY)
        if (
            session.modified
            or not isinstance(renewed_at, (int, float))
            or not 0 <= now - renewed_at < settings.SESSION_RENEW_SECONDS
        ):
            session[SESSION_RENEWED_AT_KEY] = now  # marks it modified: SessionMiddleware saves
        return response


class AbsoluteSessionLimitMiddleware:
    """Log out a session older than SESSION_ABSOLUTE_LIMIT, however active (ASVS 4.0.3 3.3.2).

    The idle timeout is SESSION_COOKIE_AGE, renewed by SessionRenewalMiddleware.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            login_at = request.session.get(SESSION_LOGIN_AT_KEY)
            limit = settings.SESSION_ABSOLUTE_LIMIT.total_seconds()
            if login_at is None or time.time() - float(login_at) > limit:
                logout(request)
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)


class NoStoreForAuthenticatedMiddleware:
    """Pages for a logged-in user carry patient data: no browser or proxy may cache them
    (ASVS 5.0 14.3.2)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = "no-store, private"
        return response


class DatabaseLostMiddleware:
    """The database connection dropped in the middle of a request (a restart, a failover, a
    killed backend): answer 503 with a clear message instead of a 500 (issue #15).

    A save runs in one transaction, so a dropped connection means nothing of it was written; the
    page says so. The broken connection is closed first, so that the rest of the response (the
    session, the audit context) gets a fresh one instead of failing a second time.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        # Say in the log what the database answered (a dropped connection, a deadlock, a
        # timeout): the page shows only the reference.
        logger.error("Database error answered 503: %r", exception, exc_info=exception)
        for conn in connections.all(initialized_only=True):
            conn.close_if_unusable_or_obsolete()
        template = loader.get_template("database_lost.html")
        body = template.render(
            {
                "saving": request.method not in ("GET", "HEAD", "OPTIONS"),
                "request_id": getattr(request, "request_id", ""),
            }
        )
        response = HttpResponse(body, status=503)
        response["Retry-After"] = "10"
        return response


class OTPMiddleware(django_otp.middleware.OTPMiddleware):
    """django-otp's OTPMiddleware, checking the session's device against the confirmed devices
    read with the user (``painclinic.backends``, ``mfa.with_confirmed_devices``) instead of a
    query of its own on every request (issue #16).

    Exactly as strict as django-otp's ``_verify_user_sync``/``_finalize_device``: the session is
    verified only by a device that exists, belongs to this user and is confirmed; otherwise the
    session forgets the device (unverified: ``MFARequiredMiddleware`` asks for a code again).
    ``user.otp_device`` is the device itself, read only if something asks for more than
    whether there is one. A user read some other way, or a device type not read with the
    user, is checked by django-otp's own code.
    """

    def _verify_user_sync(self, request: HttpRequest, user):
        confirmed = mfa.confirmed_devices(user) if user.is_authenticated else None
        persistent_id = request.session.get(DEVICE_ID_SESSION_KEY) if confirmed else None
        if confirmed is None or not persistent_id:
            return super()._verify_user_sync(request, user)
        persistent_id = self._normalize_persistent_id(persistent_id)
        if persistent_id.rsplit("/", 1)[0] not in _VERIFYING_LABELS:
            return super()._verify_user_sync(request, user)
        self._init_user_fields(user)
        if persistent_id in confirmed:
            user.otp_device = SimpleLazyObject(partial(Device.from_persistent_id, persistent_id))
        else:
            del request.session[DEVICE_ID_SESSION_KEY]
        return user


_VERIFYING_LABELS = frozenset(model.model_label() for model in mfa.VERIFYING_DEVICES)


# Pages an authenticated but not yet verified session may open: the second step itself and the
# way out. Everything else, the Django admin included, waits for the code (security.md A6).
MFA_PAGES = frozenset({"login", "logout", "mfa_verify", "mfa_setup"})


class MFARequiredMiddleware:
    """After the password, the code: an unverified session reaches only the MFA pages.

    Someone who has set up an authenticator is always asked for a code; someone who must use MFA
    (``painclinic.mfa.mfa_required``) and has not is sent to set it up. Needs django-otp's
    OTPMiddleware before it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or mfa.is_verified(request):
            return None
        match = getattr(request, "resolver_match", None)
        if match is not None and match.view_name in MFA_PAGES:
            return None
        if getattr(view_func, "access_policy", None) == PUBLIC:
            return None  # a patient's link page asks no clinician for anything
        if mfa.is_enrolled(user):
            target = "mfa_verify"
        elif mfa.mfa_required(user):
            target = "mfa_setup"
        else:
            return None
        query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
        return HttpResponseRedirect(resolve_url(target) + (f"?{query}" if query else ""))
