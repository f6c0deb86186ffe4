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
# The floor as it was first measured (issue #16): the session saved on every request, as the
# app's idle timeout once did. The app now renews it at most once a minute
# (painclinic.middleware.SessionRenewalMiddleware); the floor is kept as it was so that the
# ratios before and after compare.
SESSION_SAVE_EVERY_REQUEST = True
# The user read as Django reads it (one row), not with the app's extras read alongside
# (painclinic/backends.py, issue #16), so that the floor stays what it was.
AUTH_USER_QUERY_EXTRAS = False
