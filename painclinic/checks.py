"""System checks on settings that keep painclinic safe (ids painclinic.E001 ...)."""

from __future__ import annotations

from django.conf import settings
from django.core import checks

RENEWAL_MIDDLEWARE = "painclinic.middleware.SessionRenewalMiddleware"


@checks.register(checks.Tags.security, deploy=False)
def check_session_and_queue_settings(app_configs, **kwargs) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    renewed = settings.SESSION_SAVE_EVERY_REQUEST or (
        RENEWAL_MIDDLEWARE in settings.MIDDLEWARE
        and settings.MIDDLEWARE.index(RENEWAL_MIDDLEWARE)
        > settings.MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware")
        and 0 < settings.SESSION_RENEW_SECONDS <= 60
    )
    if settings.SESSION_COOKIE_AGE > 30 * 60 or not renewed:
        errors.append(
            checks.Error(
                "The idle session timeout must be at most 30 minutes, renewed by activity at "
                f"least once a minute ({RENEWAL_MIDDLEWARE} after SessionMiddleware, "
                "SESSION_RENEW_SECONDS at most 60).",
                id="painclinic.E001",
            )
        )
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600)
    if visibility < 2 * settings.CELERY_TASK_TIME_LIMIT:
        # A redelivered long task would run twice (security.md J3).
        errors.append(
            checks.Error(
                "CELERY_BROKER_TRANSPORT_OPTIONS['visibility_timeout'] must be at least twice "
                "CELERY_TASK_TIME_LIMIT.",
                id="painclinic.E002",
            )
        )
    return errors
