"""The cast, defined once (shared/STYLE.md §3.9).

Ana is a physiotherapist on Jannick's and Susan's care team in the North team; Bob leads the
North team; Dina is a North psychologist on no care team; Charlie is a clinician in the South team;
Priya is a programme admin. Jannick and Susan are the two illustrative patients (DESIGN.md).
"""

from __future__ import annotations

import os
from datetime import date, timedelta

import pytest
from django.core.cache import caches
from django.db import connection
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from painclinic.celery import app as celery_app
from painclinic.models import Discipline, Role
from tests.factories import ContactFactory, EpisodeFactory, PatientFactory, TeamFactory, UserFactory

# Property tests must not depend on wall-clock speed: on a loaded machine the 200 ms deadline and
# the "input generation is slow" health check failed correct code (issue #9). One profile, always
# loaded (CI and locally); the properties and their example counts stay as strict as written.
hypothesis_settings.register_profile(
    "painclinic", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("painclinic")


def pytest_sessionstart(session) -> None:
    from django.conf import settings

    if getattr(settings, "REQUIRE_POSTGRES", False) and (
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql"
    ):
        raise pytest.UsageError("REQUIRE_POSTGRES=1: the suite must run on PostgreSQL.")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix) -> None:
    """Give each test run its own database, so that two runs on one machine (a developer and CI,
    or several developers) never drop each other's test database mid-run."""
    from django.conf import settings

    suffix = os.environ.get("PAINCLINIC_TEST_DB_SUFFIX") or str(os.getpid())
    for db in settings.DATABASES.values():
        db.setdefault("TEST", {})["NAME"] = f"test_{db['NAME']}_{suffix}"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    # PBKDF2 takes ~350 ms a login (performance.md 2.2); tests use MD5.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def mark_session_verified(client, user):
    """Complete the second step for a test client's session, as django_otp.login() does after a
    right code: the user gets a confirmed authenticator, and the session names it
    (the key OTPMiddleware reads). Returns the device."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Test authenticator", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


@pytest.fixture(autouse=True)
def _force_login_passes_the_second_step(monkeypatch):
    """``client.force_login(user)`` stands for a finished log-in, password and code (painclinic
    MFA, issue #15). ``force_login(user, otp_verified=False)`` stops after the password, as the
    MFA tests need."""
    from django.test import Client

    original = Client.force_login

    def force_login(self, user, backend=None, *, otp_verified=True):
        original(self, user, backend)
        if otp_verified:
            mark_session_verified(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture(autouse=True)
def _empty_chart_cache(settings) -> None:
    """Each test starts with an empty chart cache of its own, in memory (the deployment keeps
    charts in files under MEDIA_ROOT; painclinic/chart_cache.py), so "drawn once" is counted
    from this test's first request."""
    settings.CACHES = {
        **settings.CACHES,
        "charts": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "charts-under-test",
        },
    }
    caches["charts"].clear()


@pytest.fixture(autouse=True)
def _eager_celery():
    """Tasks run in-process unless a test starts a real worker (stack.md: flip the app config)."""
    old = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield celery_app
    celery_app.conf.task_always_eager = old


@pytest.fixture
def north(db):
    return TeamFactory(name="Pain Rehabilitation North")


@pytest.fixture
def south(db):
    return TeamFactory(name="Pain Rehabilitation South")


@pytest.fixture
def ana(north):
    return UserFactory(
        username="ana",
        first_name="Ana",
        last_name="Costa",
        role=Role.CLINICIAN,
        discipline=Discipline.PHYSIOTHERAPIST,
        team=north,
    )


@pytest.fixture
def dina(north):
    return UserFactory(
        username="dina",
        first_name="Dina",
        last_name="Okafor",
        role=Role.CLINICIAN,
        discipline=Discipline.PSYCHOLOGIST,
        team=north,
    )


@pytest.fixture
def bob(north):
    return UserFactory(
        username="bob",
        first_name="Bob",
        last_name="Hughes",
        role=Role.TEAM_LEAD,
        discipline=Discipline.PSYCHOLOGIST,
        team=north,
    )


@pytest.fixture
def charlie(south):
    return UserFactory(
        username="charlie",
        first_name="Charlie",
        last_name="Nguyen",
        role=Role.CLINICIAN,
        discipline=Discipline.OCCUPATIONAL_THERAPIST,
        team=south,
    )


@pytest.fixture
def fay(south):
    return UserFactory(
        username="fay",
        first_name="Fay",
        last_name="Morgan",
        role=Role.TEAM_LEAD,
        discipline=Discipline.NURSE,
        team=south,
    )


@pytest.fixture
def priya(north):
    return UserFactory(
        username="priya",
        first_name="Priya",
        last_name="Shah",
        role=Role.PROGRAMME_ADMIN,
        discipline=Discipline.OTHER,
        team=north,
    )


def give_consent(patient, actor, kinds=("treatment", "gp_sharing", "patient_links")):
    """Jannick and Susan consented at their first visit to treatment, sharing with their GP and
    links by e-mail or text message: links and letters check it (issue #10)."""
    from patients.models import ConsentRecord

    # Written directly (not through the audited service) so that the fixtures add no audit
    # events that tests counting a patient's events would see.
    for kind in kinds:
        ConsentRecord.objects.create(
            patient=patient,
            kind=kind,
            state="given",
            decided_on=date.today() - timedelta(days=1),
            recorded_by=actor,
        )


@pytest.fixture
def jannick(ana, north):
    patient = PatientFactory(
        identifier="DEMO-JANNICK",
        given_name="Jannick",
        family_name="de Vries",
        date_of_birth=date.today() - timedelta(days=38 * 365 + 20),
        sex="male",
        primary_condition="MG30.04",
    )
    episode = EpisodeFactory(patient=patient, team=north, lead_clinician=ana, care_team=[ana])
    ContactFactory(episode=episode, clinician=ana, note="First assessment")
    give_consent(patient, ana)
    return patient


@pytest.fixture
def susan(ana, north):
    patient = PatientFactory(
        identifier="DEMO-SUSAN",
        given_name="Susan",
        family_name="Whitfield",
        date_of_birth=date.today() - timedelta(days=54 * 365),
        sex="female",
        primary_condition="MG30.00",
    )
    EpisodeFactory(patient=patient, team=north, lead_clinician=ana, care_team=[ana])
    give_consent(patient, ana)
    return patient


@pytest.fixture
def is_postgres() -> bool:
    return connection.vendor == "postgresql"
