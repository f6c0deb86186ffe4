"""Logging in: lockout after repeated failures, password rules, idle and absolute timeouts."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from painclinic.models import AuditAction, AuditEvent

PASSWORD = "correct horse battery staple"


def _login(client, username="ana", password=PASSWORD, address="10.0.0.5"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


@pytest.mark.django_db
def test_ana_logs_in_and_lands_on_her_caseload(client, ana):
    response = _login(client)
    assert response.status_code == 302
    assert client.get(response["Location"], follow=True).request["PATH_INFO"] == reverse("caseload")
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN, actor=ana).count() == 1


@pytest.mark.django_db
def test_five_wrong_passwords_lock_the_account_on_that_computer_even_for_the_right_one(client, ana):
    for _ in range(4):
        assert _login(client, password="not the password").status_code == 200
    # The fifth failure reaches AXES_FAILURE_LIMIT and is answered with the lockout page.
    assert _login(client, password="not the password").status_code == 429
    response = _login(client)
    assert response.status_code == 429
    assert b"Too many failed log-in attempts" in response.content


@pytest.mark.django_db
def test_ana_may_type_her_username_in_capitals(client, ana):
    response = _login(client, username="ANA")
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN, actor=ana).count() == 1


@pytest.mark.django_db
def test_failures_as_ana_and_ANA_count_against_the_same_account(client, ana):
    for name in ("ANA", "ana", "Ana", "ANA"):
        assert _login(client, username=name, password="not the password").status_code == 200
    assert _login(client, username="ana", password="not the password").status_code == 429
    assert _login(client, username="Ana").status_code == 429


@pytest.mark.django_db
def test_a_lockout_from_one_address_does_not_lock_ana_out_elsewhere(client, ana):
    for _ in range(6):
        _login(client, password="not the password", address="203.0.113.9")
    assert _login(client, address="10.0.0.5").status_code == 302


@pytest.mark.django_db
def test_the_lockout_ends_after_fifteen_minutes(client, ana):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(5):
            _login(client, password="not the password")
        assert _login(client).status_code == 429
        traveller.shift(timedelta(minutes=16))
        assert _login(client).status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize(
    "password",
    ["short-pass1", "password1234", "123456789012"],
    ids=["eleven characters", "common password", "all digits"],
)
def test_weak_passwords_are_refused(password, ana):
    with pytest.raises(ValidationError):
        validate_password(password, user=ana)


@pytest.mark.django_db
def test_a_long_passphrase_without_composition_rules_is_accepted(ana):
    passphrase = "the garden needs weeding after the rain"  # no digit, no capital, no symbol
    assert validate_password(passphrase, user=ana) is None  # raises ValidationError when refused
    ana.set_password(passphrase)
    assert ana.check_password(passphrase)


@pytest.mark.django_db
def test_a_session_idle_for_31_minutes_is_over(client, ana, settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert "painclinic.middleware.SessionRenewalMiddleware" in settings.MIDDLEWARE
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        _login(client)
        traveller.shift(timedelta(minutes=29))
        assert client.get(reverse("caseload")).status_code == 200
        traveller.shift(timedelta(minutes=29))  # activity renewed the session 29 minutes ago
        assert client.get(reverse("caseload")).status_code == 200
        traveller.shift(timedelta(minutes=31))
        response = client.get(reverse("caseload"))
        assert response.status_code == 302
        assert "/login/" in response["Location"]


@pytest.mark.django_db
def test_an_active_session_ends_after_twelve_hours(client, ana):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        _login(client)
        for _ in range(12 * 3):  # a request every 20 minutes all day long
            traveller.shift(timedelta(minutes=20))
            assert client.get(reverse("caseload")).status_code == 200
        traveller.shift(timedelta(minutes=1))
        response = client.get(reverse("caseload"))
        assert response.status_code == 302
        assert "/login/" in response["Location"]


@pytest.mark.django_db
def test_logout_is_a_post_and_ends_the_session(client, ana):
    _login(client)
    assert client.get(reverse("logout")).status_code == 405
    client.post(reverse("logout"))
    assert client.get(reverse("caseload")).status_code == 302


@pytest.mark.django_db
def test_patient_pages_are_not_cached(client, jannick, ana):
    client.force_login(ana)
    session = client.session
    import time

    session["painclinic_login_at"] = time.time()
    session.save()
    response = client.get(reverse("patients:detail", kwargs={"patient_id": jannick.pk}))
    assert response["Cache-Control"] == "no-store, private"
    assert "object-src 'none'" in response["Content-Security-Policy"]
