"""The idle timeout renewed at most once a minute (issue #16): an active session's expiry moves
forward without a session write on every page, and a session still ends at most 30 minutes after
its last request (at the earliest 29)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.core.checks import run_checks
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

PASSWORD = "correct horse battery staple"


def _login(client):
    response = client.post(reverse("login"), {"username": "ana", "password": PASSWORD})
    assert response.status_code == 302
    return Session.objects.get()


def _session_writes(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in captured if q["sql"].startswith(("UPDATE", "INSERT")) and
            '"django_session"' in q["sql"]]  # fmt: skip


@pytest.mark.django_db
class TestAnaWorksThroughHerCaseload:
    def test_pages_within_a_minute_of_the_last_renewal_write_no_session(self, client, ana):
        with time_machine.travel(timezone.now(), tick=False) as traveller:
            _login(client)
            traveller.shift(timedelta(seconds=30))
            assert _session_writes(client, reverse("caseload")) == []
            traveller.shift(timedelta(seconds=29))
            assert _session_writes(client, reverse("patients:list")) == []

    def test_a_page_a_minute_after_the_last_renewal_moves_the_expiry_on(self, client, ana):
        with time_machine.travel(timezone.now(), tick=False) as traveller:
            session = _login(client)
            first_expiry = session.expire_date
            traveller.shift(timedelta(seconds=61))
            assert len(_session_writes(client, reverse("caseload"))) == 1
            session.refresh_from_db()
            assert session.expire_date == first_expiry + timedelta(seconds=61)

    def test_a_session_ends_30_minutes_after_the_last_renewal_however_recent_the_last_page(
        self, client, ana
    ):
        # The page 59 s after log-in renewed nothing, so the session ends 30 minutes after the
        # log-in: 29 minutes 2 seconds after that page, within the one-minute renewal step.
        with time_machine.travel(timezone.now(), tick=False) as traveller:
            _login(client)
            traveller.shift(timedelta(seconds=59))
            assert client.get(reverse("caseload")).status_code == 200
            traveller.shift(timedelta(minutes=29, seconds=2))
            response = client.get(reverse("caseload"))
            assert response.status_code == 302
            assert "/login/" in response["Location"]

    def test_a_session_never_outlives_30_idle_minutes(self, client, ana):
        with time_machine.travel(timezone.now(), tick=False) as traveller:
            _login(client)
            traveller.shift(timedelta(seconds=61))
            assert client.get(reverse("caseload")).status_code == 200  # renews
            traveller.shift(timedelta(minutes=29, seconds=59))
            assert client.get(reverse("caseload")).status_code == 200  # still alive, renews
            traveller.shift(timedelta(minutes=30, seconds=1))
            response = client.get(reverse("caseload"))
            assert response.status_code == 302
            assert "/login/" in response["Location"]


@pytest.mark.django_db
def test_an_anonymous_visit_to_the_login_page_stores_no_session(client):
    assert client.get(reverse("login")).status_code == 200
    assert not Session.objects.exists()


def test_the_system_check_refuses_a_session_never_renewed(settings):
    settings.MIDDLEWARE = [
        m for m in settings.MIDDLEWARE if m != "painclinic.middleware.SessionRenewalMiddleware"
    ]
    settings.SESSION_SAVE_EVERY_REQUEST = False
    assert "painclinic.E001" in {message.id for message in run_checks()}


def test_the_system_check_refuses_a_renewal_step_over_a_minute(settings):
    settings.SESSION_RENEW_SECONDS = 5 * 60
    assert "painclinic.E001" in {message.id for message in run_checks()}


def test_the_system_check_accepts_the_settings_as_shipped():
    assert "painclinic.E001" not in {message.id for message in run_checks()}
