"""Settings of the benchmark's floor: a bare Django view over the same tables.

Django's default middleware (as ``startproject`` writes it), database sessions, the same
database; only ``scripts/bench.sh`` starts a server with these (never production).
"""

from painclinic.settings import *  # noqa: F403

ROOT_URLCONF = "demo.bench.urls_bare"
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
SESSION_ENGINE = "django.contrib.sessions.backends.db"
