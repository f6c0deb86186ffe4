"""painclinic settings: one file, driven by environment variables (shared/DESIGN.md).

No DATABASE_URL: an embedded SQLite file. No REDIS_URL: Celery runs tasks in-process.
With both: PostgreSQL and real workers. The README lists every variable.
"""

from __future__ import annotations

import secrets
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from painclinic.envparse import EnvError, env_bool, env_int, env_list, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent

try:
    DEBUG = env_bool("DJANGO_DEBUG", default=False)
    SECRET_KEY = env_str("DJANGO_SECRET_KEY")
    DATABASE_URL = env_url("DATABASE_URL", schemes=("postgres", "postgresql", "sqlite"))
    REDIS_URL = env_url("REDIS_URL", schemes=("redis", "rediss"))
    ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
    CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31_536_000, minimum=0)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", default=False)
    # Behind a TLS-terminating proxy only: trust X-Forwarded-For for the audit's client address.
    AUDIT_TRUST_X_FORWARDED_FOR = env_bool("AUDIT_TRUST_X_FORWARDED_FOR", default=False)
    REQUIRE_POSTGRES = env_bool("REQUIRE_POSTGRES", default=False)
    CELERY_WORKER_CONCURRENCY = env_int("CELERY_WORKER_CONCURRENCY", 1, minimum=1)
    CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "painclinic")
    MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT", str(BASE_DIR / "media")))
    # The chart cache (painclinic/chart_cache.py): a folder shared by web and worker, never
    # served as a URL, and outside MEDIA_ROOT (Django's check caches.W002: media folders are
    # often served). Past this many charts a random quarter is dropped (drawn again when next
    # asked for).
    CHART_CACHE_DIR = Path(env_str("CHART_CACHE_DIR", str(BASE_DIR / "chart-cache")))
    CHART_CACHE_MAX_ENTRIES = env_int("CHART_CACHE_MAX_ENTRIES", 50_000, minimum=100)
    STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
    LOG_LEVEL = env_str("DJANGO_LOG_LEVEL", "INFO").upper()
    # The clinic's oral morphine equivalent table (medicines/core/products.py TABLES); every
    # stored figure records the table and version that produced it.
    OME_TABLE = env_str("OME_TABLE", "cdc2022")
    if OME_TABLE not in ("cdc2022", "opioids_aware"):
        raise EnvError(f"OME_TABLE must be cdc2022 or opioids_aware, not {OME_TABLE!r}")
    # The team lead's opioid review lists patients at or above this daily OME (mg oral morphine a
    # day). Unset (None): the first threshold of the table that produced each figure (CDC 2022:
    # 50, Opioids Aware: 120; medicines/core/products.py), so a clinic that changes its table
    # gets that table's threshold. A clinic may set its own, e.g. 90 (CDC 2016 legacy tier).
    OME_REVIEW_THRESHOLD_MG = env_str("OME_REVIEW_THRESHOLD_MG", "") or None
    if OME_REVIEW_THRESHOLD_MG is not None:
        try:
            OME_REVIEW_THRESHOLD_MG = float(OME_REVIEW_THRESHOLD_MG)
        except ValueError:
            raise EnvError(
                f"OME_REVIEW_THRESHOLD_MG={OME_REVIEW_THRESHOLD_MG!r} is not a number of mg."
            ) from None
        if not 0 < OME_REVIEW_THRESHOLD_MG <= 1000:
            raise EnvError(
                f"OME_REVIEW_THRESHOLD_MG={OME_REVIEW_THRESHOLD_MG:g} must be more than 0 and at "
                "most 1000 mg oral morphine a day."
            )
    # Safety (issue #10): the crisis contacts patient pages show ("uk" or "us"), the working
    # days within which a self-harm signal needs a clinician's recorded response, and the e-mail
    # backend that tells the care team (console in `make run`; SMTP where the clinic sets one).
    CLINIC_CRISIS_CONTACTS = env_str("CLINIC_CRISIS_CONTACTS", "uk").lower()
    SAFETY_RESPONSE_WORKING_DAYS = env_int("SAFETY_RESPONSE_WORKING_DAYS", 1, minimum=0)
    EMAIL_BACKEND = env_str(
        "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
    )
    DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "painclinic@localhost")
    EMAIL_HOST = env_str("DJANGO_EMAIL_HOST", "localhost")
    EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 25, minimum=1)
    EMAIL_HOST_USER = env_str("DJANGO_EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env_str("DJANGO_EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", default=False)
except EnvError as exc:
    raise ImproperlyConfigured(str(exc)) from exc

# Management commands that sign nothing (no session, token, link or password reset) and serve
# nothing: pure calculations over stdin/files. They run without a secret so that the README's
# examples work on a fresh clone; never the server, a worker or a command that writes data.
COMMANDS_WITHOUT_SECRET = frozenset({"score", "sced_analyse", "ome"})


def _running_command_without_secret(argv: list[str]) -> bool:
    return (
        len(argv) >= 2
        and Path(argv[0]).name in ("manage.py", "django-admin")
        and argv[1] in COMMANDS_WITHOUT_SECRET
    )


if not SECRET_KEY:
    if DEBUG:
        SECRET_KEY = "dev-only-insecure-key-never-use-in-production"
    elif _running_command_without_secret(sys.argv):
        # Ephemeral: lives as long as this one process, which signs nothing with it.
        SECRET_KEY = secrets.token_urlsafe(50)
    else:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_filters",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "painclinic",
    "patients",
    "assessment",
    "treatment",
    "sced",
    "programmes",
    "medicines",
    "safety",
    "education",
    "quality",
    "review",
    "mdt",
    "interop",
    "api",
    "demo",
    # The HTTP API (issue #17): Django REST Framework, its OpenAPI 3 schema (drf-spectacular) and
    # the documentation page's own copy of Swagger UI (no CDN).
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "painclinic.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The idle timeout's renewal, at most once a minute (after SessionMiddleware: see its doc).
    "painclinic.middleware.SessionRenewalMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "painclinic.middleware.AbsoluteSessionLimitMiddleware",
    # Second factor: marks request.user verified, then keeps an unverified session on the
    # MFA pages (security.md A6).
    # (django-otp's, checking the device read with the user: painclinic/middleware.py)
    "painclinic.middleware.OTPMiddleware",
    "painclinic.middleware.MFARequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "painclinic.middleware.NoStoreForAuthenticatedMiddleware",
    "painclinic.middleware.DatabaseLostMiddleware",
    # django-axes must be last (shared/reference/stack.md gotcha 14).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "painclinic.urls"
WSGI_APPLICATION = "painclinic.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "painclinic.context_processors.navigation",
                "safety.context_processors.notifications",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": environ.Env.db_url_config(
        DATABASE_URL or f"sqlite:///{env_str('DJANGO_SQLITE_PATH', str(BASE_DIR / 'db.sqlite3'))}"
    )
}
DATABASES["default"]["CONN_MAX_AGE"] = 60 if DATABASE_URL.startswith("postgres") else 0
if DATABASE_URL.startswith("postgres"):
    # PostgreSQL's JIT compiles plans for big-looking queries: ~35 ms of compilation measured on
    # the 10,000-patient list, for a page whose SQL needs ~30 ms. Short OLTP queries never win.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
    # Parameters sent apart from the SQL (server-side binding), so that psycopg prepares a query
    # after its 5th run on a connection (kept 60 s, CONN_MAX_AGE) and PostgreSQL stops parsing
    # and planning the session, user, device and notification queries every page sends: 0.8 ->
    # 0.4 ms of server CPU per page on the 10,000-patient bench (issue #16). Django leaves
    # prepare_threshold unset (never prepare) unless given. Behind pgbouncer in transaction
    # mode, use pgbouncer >= 1.21 with max_prepared_statements set.
    DATABASES["default"]["OPTIONS"].update(server_side_binding=True, prepare_threshold=5)
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if REQUIRE_POSTGRES and DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    # CI must never test on SQLite: locking and constraints differ (stack.md "SQLite versus PostgreSQL").
    raise ImproperlyConfigured("REQUIRE_POSTGRES=1 but DATABASE_URL is not a PostgreSQL URL.")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and authentication -----------------------------------------------------------
AUTH_USER_MODEL = "painclinic.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Usernames match whatever their case (painclinic/backends.py).
    "painclinic.backends.CaseInsensitiveModelBackend",
]
# ASVS 5.0 6.2.1/6.2.4: at least 12 characters, common passwords refused, no composition rules.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 3600  # ASVS 5.0 6.4.1: reset links are short-lived

# django-axes, chosen on purpose (security.md A5); the defaults lock out by IP only and forever.
AXES_FAILURE_LIMIT = 5  # five wrong passwords; the sixth attempt is refused
# Lock the (username, address) pair: a colleague at another PC can still log in, and an attacker
# cannot lock a clinician out from elsewhere by guessing at their username.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Failures count per username case-insensitively, as the log-in matches it ("ANA" is ana).
AXES_USERNAME_CALLABLE = "painclinic.backends.axes_username"
AXES_COOLOFF_TIME = timedelta(minutes=15)  # long enough to stop guessing, short enough for a clinic
AXES_RESET_ON_SUCCESS = True  # a successful login clears earlier typos
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if AUDIT_TRUST_X_FORWARDED_FOR else ("REMOTE_ADDR",)
)

# MFA (security.md A6; ASVS 5.0 6.3.3): TOTP through django-otp with single-use recovery codes.
# Team leads, programme admins and the Django admin's staff must enrol; clinicians too when
# MFA_REQUIRED_FOR_CLINICIANS is on. Anyone who has enrolled is always asked for a code.
try:
    MFA_REQUIRED_FOR_CLINICIANS = env_bool("MFA_REQUIRED_FOR_CLINICIANS", default=False)
    # Emergency ("break-glass") access to a patient outside one's care teams (security.md C4).
    BREAK_GLASS_HOURS = env_int("BREAK_GLASS_HOURS", 12, minimum=1)
except EnvError as exc:
    raise ImproperlyConfigured(str(exc)) from exc
# Wrong codes lock the second step as wrong passwords lock the first (the same limits as axes).
MFA_FAILURE_LIMIT = AXES_FAILURE_LIMIT
MFA_COOLOFF_TIME = AXES_COOLOFF_TIME
MFA_RECOVERY_CODES = 10
OTP_TOTP_ISSUER = "painclinic"
# django-otp's own back-off (1 s, 2 s, 4 s ...) is replaced by the lockout above, which the
# audit log records and the page explains.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
# The admin never shows a device's secret.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Sessions: idle timeout 30 minutes, absolute cap 12 hours (ASVS 4.0.3 3.3.2 L2; HIPAA
# 164.312(a)(2)(iii) automatic logoff). The cap is enforced by
# painclinic.middleware.AbsoluteSessionLimitMiddleware. The idle timeout is renewed by
# painclinic.middleware.SessionRenewalMiddleware at most once a minute instead of a session
# write (UPDATE + COMMIT) on every request (issue #16): a session idle for 30 minutes is over,
# one idle for 29 minutes may be.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_RENEW_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_ABSOLUTE_LIMIT = timedelta(hours=12)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Every request's user query also reads the user's confirmed second-factor devices and the
# answers other apps register (painclinic/backends.py: the navigation's unread notifications),
# instead of a query each (issue #16). Off only in the benchmark's floor, which reads the user
# as Django does (demo/bench/settings_bare.py).
AUTH_USER_QUERY_EXTRAS = True

# --- Internationalisation -------------------------------------------------------------------
# The clinicians' interface is English (en-gb) whatever the browser asks for: there is no
# LocaleMiddleware, so Accept-Language never switches a clinician's page. Only the pages a patient
# opens by link (questionnaire, daily diary) switch language, with translation.override() and the
# link's or patient's language (painclinic/i18n.py supported_language). The catalogues are in
# locale/ (README "Translations"); the .mo files are compiled in the build, not committed.
LANGUAGE_CODE = "en-gb"
# The languages the clinic works in: a patient's preferred language, a self-report link's language
# and the licensed item text a clinic uploads are one of these (issue #14). The "i18n" stream adds
# the identical line; keep it exactly so when merging.
LANGUAGES = [("en-gb", "English"), ("nl", "Nederlands")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("DJANGO_TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Nothing serves this prefix: patient charts are health data, served only through access-checked
# views (stack.md gotcha 8). It is set because the test live server needs a string here.
MEDIA_URL = "/private-media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Security headers -----------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# django-csp 4.0 dict format (stack.md gotcha 13). No inline script anywhere; everything is ours.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
if not DEBUG:
    # Makes `check --deploy` clean behind a TLS proxy (stack.md "check --deploy").
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    # __Host- cookies: Secure, Path=/, no Domain (ASVS 5.0 3.3.1-3.3.4).
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # HSTS preload is an irreversible opt-in; the warning goes away only when it is chosen.
    SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

# --- Caches ---------------------------------------------------------------------------------
# "default": per process (API throttles, small look-ups). "charts": every chart a page shows,
# keyed by a hash of its data (painclinic/chart_cache.py; issue #16): a file per chart in
# CHART_CACHE_DIR, so a chart drawn by the worker is read by every web process.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "charts": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(CHART_CACHE_DIR),
        # A chart drawn 60 days ago is dropped (drawn again if still asked for).
        "TIMEOUT": 60 * 24 * 3600,
        "OPTIONS": {"MAX_ENTRIES": CHART_CACHE_MAX_ENTRIES, "CULL_FREQUENCY": 4},
    },
}

# What a gunicorn worker does once at start (painclinic/warmup.py, via wsgi.py): WeasyPrint's
# import and first fonts, matplotlib's first figure, so no request pays for them (issue #16).
WSGI_WARM_UP = ["treatment.documents.warm_up", "sced.plots.warm_up"]

# --- Celery ---------------------------------------------------------------------------------
# Without REDIS_URL tasks run in-process (newcomer mode); with it, real workers on Redis.
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
else:
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = "cache+memory://"
    CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
# Late acknowledgement + requeue on worker loss: a killed worker's job runs again (security.md J2);
# safe only because every task is idempotent (keyed by an input hash).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 270
# Redis redelivers an unacked message after visibility_timeout: it must exceed the longest task
# (security.md J3 measured a 8 s task running 3 times with a 5 s timeout). Kept at 12x the limit.
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, Any] = {"visibility_timeout": 3600}
CELERY_RESULT_EXPIRES = timedelta(days=1)
CELERY_TASK_TRACK_STARTED = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Bound the time a save waits for a broker that is down: the job is then marked "not enqueued"
# and sent again by the sweep (painclinic/jobs.py, issue #15), instead of a request that hangs.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
# `make run` without Redis: a real worker on an embedded broker (kombu's filesystem transport in
# a folder; SQLAlchemy is not installed here), so jobs run off the request with the same task code,
# states, retries and idempotency as on Redis (issue #16). scripts/run-demo.sh sets the folder and
# starts the worker; without the folder (tests, one-off commands) tasks stay in-process.
CELERY_EMBEDDED_BROKER_DIR = env_str("CELERY_EMBEDDED_BROKER_DIR", "")
if not REDIS_URL and CELERY_EMBEDDED_BROKER_DIR:
    _broker_dir = Path(CELERY_EMBEDDED_BROKER_DIR)
    for _sub in ("queue", "control", "results"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        **CELERY_BROKER_TRANSPORT_OPTIONS,
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "control_folder": str(_broker_dir / "control"),
    }
    CELERY_RESULT_BACKEND = f"file://{_broker_dir / 'results'}"
    CELERY_TASK_ALWAYS_EAGER = False
# The sweep of analysis runs nobody is working on (sced.services.analysis_sweep): not enqueued,
# queued too long, or running on a worker that stopped (security.md J4: the row is the truth).
ANALYSIS_SWEEP_SECONDS = env_int("ANALYSIS_SWEEP_SECONDS", 60, minimum=5)
ANALYSIS_QUEUED_STALE_AFTER_SECONDS = env_int(
    "ANALYSIS_QUEUED_STALE_AFTER_SECONDS", 600, minimum=60
)
# A running job whose worker no longer answers a ping for this long is restarted (a prefork
# worker answers while its child computes; the visibility timeout alone would wait an hour).
ANALYSIS_WORKER_GONE_SECONDS = env_int("ANALYSIS_WORKER_GONE_SECONDS", 120, minimum=10)
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    "sced-sweep-analysis-runs": {
        "task": "sced.sweep_analysis_runs",
        "schedule": float(ANALYSIS_SWEEP_SECONDS),
        # A sweep that could not run in its minute is replaced by the next one.
        "options": {"expires": float(ANALYSIS_SWEEP_SECONDS)},
    },
}

# --- Logging: structured enough to read, never patient content (security.md D5) -------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "axes": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
        # WeasyPrint logs every rendering step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

PAGINATE_BY = 25

# Programme outcomes: an aggregate over fewer participants than this is not shown to a user
# outside their care team (the programme admin), as with 1 or 2 it is their own result. Clinic
# policy (UNVERIFIED: no published rule in shared/reference; 3 is a common small-cell floor).
PROGRAMME_MIN_AGGREGATE_N = env_int("PROGRAMME_MIN_AGGREGATE_N", 3, minimum=1)

# FHIR export (interop/): the clinic's public base for its canonical URLs and local code systems.
# Empty: a reserved example domain (RFC 2606), so an export never claims someone else's namespace.
FHIR_BASE_URL = env_str("FHIR_BASE_URL", "").rstrip("/")
# Research exports move each patient's dates by a number of days derived from this secret
# (HMAC); empty: the secret key. Set it once and keep it, or the shifts change between exports.
RESEARCH_DATE_SHIFT_SECRET = env_str("RESEARCH_DATE_SHIFT_SECRET", "")

# --- HTTP API (issue #17; api/) ---------------------------------------------------------------
# Rates per token (or per user for a session, per address before log-in); README "HTTP API".
API_RATE_READ = env_str("API_RATE_READ", "600/min")
API_RATE_WRITE = env_str("API_RATE_WRITE", "60/min")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ApiTokenAuthentication",
        # The documentation page, used from a logged-in (and verified) browser session.
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.PolicyPermission"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.LimitOffset",
    "DEFAULT_THROTTLE_CLASSES": [
        "api.throttling.PerTokenOrUserThrottle",
        "api.throttling.WriteThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {"token_or_user": API_RATE_READ, "writes": API_RATE_WRITE},
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Painclinic API",
    "DESCRIPTION": "Patients in your reach, their assessment results, SCED studies, measurements "
    "and medications. Authenticate with a personal API token (Authorization: Bearer ...).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["api.permissions.PolicyPermission"],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Swagger UI from the installed drf-spectacular-sidecar package, served by whitenoise.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "StudyStateEnum": "sced.models.StudyState",
        "AnalysisStateEnum": "sced.models.AnalysisState",
    },
}
# The rNPQ scoring key from the licensed paper (Catley 2013), if the clinic holds it: 12 letters,
# T (the statement is true) or F, for items 1-12. Empty: rNPQ answers are kept and recorded as
# unscorable ("key not supplied"); no key ships with the product (issue #14).
RNPQ_SCORING_KEY = env_str("RNPQ_SCORING_KEY", "").strip().upper()
# Therapist-level outcomes (quality/, issue #13): a clinician's rate is shown only from this many
# cases with a first and a latest outcome. The reference's example is 30 closed cases [U: design
# proposal, competence.md §4]; with a therapist share of variance of 5 % the reliability of a
# therapist's mean over 30 patients is only about 0.6.
THERAPIST_OUTCOME_MIN_CASES = env_int("THERAPIST_OUTCOME_MIN_CASES", 30, minimum=1)
# The highest Flesch-Kincaid grade a fixed patient text may have (painclinic/readability.py;
# tests/treatment/test_handout_texts.py checks every text of treatment/handout_texts.py). Clinic
# policy: grade 8, a common plain-English target for patient information (issue #14's example;
# UNVERIFIED: no standard in shared/reference).
PATIENT_TEXT_MAX_GRADE = env_int("PATIENT_TEXT_MAX_GRADE", 8, minimum=1)
