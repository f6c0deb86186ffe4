"""Two-step verification after the password (issue #15; security.md A6).

Bob leads the North team, so he must set up an authenticator before anything opens; Ana is a
clinician, for whom the clinic may make it optional. The codes are made here as the phone would
(django_otp.oath.totp over the device's secret).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from painclinic.models import AuditAction, AuditEvent
from tests.assessment.factories import made_up_wording
from tests.factories import UserFactory

PASSWORD = "correct horse battery staple"


def _password_login(client, username):
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return response


def _code(device, *, steps_ahead=0):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=steps_ahead):06d}"


def _authenticator(user):
    return TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)


def _actions(user):
    return list(
        AuditEvent.objects.filter(actor=user, action__startswith="mfa_")
        .order_by("at", "id")
        .values_list("action", flat=True)
    )


@pytest.mark.django_db
def test_after_the_password_ana_must_enter_her_code_before_any_page_opens(client, ana, jannick):
    device = _authenticator(ana)
    _password_login(client, "ana")
    record = reverse("patients:detail", kwargs={"patient_id": jannick.pk})
    for url in (reverse("caseload"), record, reverse("patients:list"), "/admin/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("mfa_verify")), url
    # Not verified, so nothing of Jannick's was shown.
    assert not AuditEvent.objects.filter(patient=jannick, action=AuditAction.VIEW).exists()

    response = client.post(
        reverse("mfa_verify") + f"?next={record}", {"code": _code(device), "next": record}
    )
    assert response.status_code == 302
    assert response["Location"] == record
    assert client.get(record).status_code == 200
    assert _actions(ana) == [AuditAction.MFA_VERIFIED]


@pytest.mark.django_db
def test_every_page_of_ours_waits_for_the_code(client, ana, jannick):
    """Walks the URL resolver like the access suite: no page of ours opens before the code."""
    from tests.test_access import our_urls, url_parameters_for

    _authenticator(ana)
    client.force_login(ana, otp_verified=False)
    known = url_parameters_for(jannick, ana)
    opened, checked = [], 0
    for name, pattern in our_urls():
        if name in ("login", "logout", "mfa_verify", "mfa_setup") or not name:
            continue
        kwargs = {key: known[key] for key in pattern.pattern.converters if key in known}
        if len(kwargs) != len(pattern.pattern.converters):
            continue  # public link pages take a token, not a session
        if getattr(pattern.callback, "access_policy", None) == "public":
            continue
        response = client.get(reverse(name, kwargs=kwargs))
        checked += 1
        if not (response.status_code == 302 and reverse("mfa_verify") in response["Location"]):
            opened.append(f"{name} -> {response.status_code}")
    assert opened == []
    print(f"{checked} pages checked")
    assert checked > 50  # the walk found the app's pages, so the check is not vacuous


@pytest.mark.django_db
def test_the_session_gets_a_new_key_when_the_code_is_accepted(client, ana):
    device = _authenticator(ana)
    _password_login(client, "ana")
    before = client.session.session_key
    client.post(reverse("mfa_verify"), {"code": _code(device)})
    assert client.session.session_key != before


@pytest.mark.django_db
def test_a_code_works_once(client, ana):
    device = _authenticator(ana)
    code = _code(device)
    _password_login(client, "ana")
    assert client.post(reverse("mfa_verify"), {"code": code}).status_code == 302
    client.post(reverse("logout"))
    _password_login(client, "ana")
    response = client.post(reverse("mfa_verify"), {"code": code})
    assert response.status_code == 200
    assert b"That code is not right" in response.content


@pytest.mark.django_db
def test_a_code_from_a_minute_and_a_half_ago_is_refused(client, ana):
    device = _authenticator(ana)
    _password_login(client, "ana")
    response = client.post(reverse("mfa_verify"), {"code": _code(device, steps_ahead=-3)})
    assert response.status_code == 200
    assert client.get(reverse("caseload")).status_code == 302


@pytest.mark.django_db
def test_five_wrong_codes_lock_the_second_step_even_for_the_right_code(client, ana):
    device = _authenticator(ana)
    _password_login(client, "ana")
    for _ in range(4):
        assert client.post(reverse("mfa_verify"), {"code": "000000"}).status_code == 200
    response = client.post(reverse("mfa_verify"), {"code": "000000"})
    assert response.status_code == 429
    response = client.post(reverse("mfa_verify"), {"code": _code(device)})
    assert response.status_code == 429
    assert b"Too many wrong codes" in response.content
    assert client.get(reverse("caseload")).status_code == 302
    assert _actions(ana) == [AuditAction.MFA_FAILED] * 5 + [AuditAction.MFA_LOCKED]


@pytest.mark.django_db
def test_the_code_lockout_ends_after_fifteen_minutes(client, ana):
    device = _authenticator(ana)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        _password_login(client, "ana")
        for _ in range(5):
            client.post(reverse("mfa_verify"), {"code": "000000"})
        traveller.shift(timedelta(minutes=16))
        response = client.post(reverse("mfa_verify"), {"code": _code(device)})
        assert response.status_code == 302
        assert client.get(reverse("caseload")).status_code == 200


@pytest.mark.django_db
def test_a_lockout_of_ana_does_not_lock_dina(client, ana, dina):
    _authenticator(ana)
    dina_device = _authenticator(dina)
    client.force_login(ana, otp_verified=False)
    for _ in range(5):
        client.post(reverse("mfa_verify"), {"code": "000000"})
    client.force_login(dina, otp_verified=False)
    assert client.post(reverse("mfa_verify"), {"code": _code(dina_device)}).status_code == 302


@pytest.mark.django_db
def test_a_recovery_code_lets_ana_in_once(client, ana):
    _authenticator(ana)
    from painclinic import mfa

    codes = mfa.regenerate_recovery_codes(ana)
    assert len(codes) == 10
    _password_login(client, "ana")
    response = client.post(reverse("mfa_verify"), {"code": codes[0]}, follow=True)
    assert response.request["PATH_INFO"] == reverse("caseload")
    assert b"9 are left" in response.content
    client.post(reverse("logout"))
    _password_login(client, "ana")
    response = client.post(reverse("mfa_verify"), {"code": codes[0]})
    assert response.status_code == 200
    assert b"That code is not right" in response.content
    assert StaticToken.objects.filter(device__user=ana).count() == 9
    assert AuditAction.MFA_RECOVERY_USED in _actions(ana)


@pytest.mark.django_db
def test_bob_the_team_lead_must_set_up_an_authenticator_before_anything_opens(client, bob):
    _password_login(client, "bob")
    for url in (reverse("caseload"), reverse("team:dashboard"), reverse("audit_log")):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("mfa_setup")), url
    page = client.get(reverse("mfa_setup"))
    assert page.status_code == 200
    assert b"data:image/svg+xml" in page.content  # the QR code, drawn here: no outside service
    assert b"<script" not in page.content.split(b"</main>")[0].split(b"<main")[1]
    # The phone scans the code; its first code confirms the set-up.
    device = TOTPDevice.objects.get(user=bob, confirmed=False)
    response = client.post(reverse("mfa_setup"), {"code": _code(device)})
    assert response.status_code == 200
    codes = response.context["codes"]
    assert len(codes) == 10
    assert all(code.encode() in response.content for code in codes)
    assert client.get(reverse("team:dashboard")).status_code == 200
    assert _actions(bob) == [AuditAction.MFA_CODES_ISSUED, AuditAction.MFA_ENROLLED]
    # The recovery codes are shown once: the account page only counts them.
    status = client.get(reverse("mfa_recovery_codes"))
    assert b"10 recovery codes left" in status.content
    assert codes[0].encode() not in status.content


@pytest.mark.django_db
def test_a_wrong_first_code_does_not_turn_mfa_on(client, bob):
    client.force_login(bob, otp_verified=False)
    client.get(reverse("mfa_setup"))
    response = client.post(reverse("mfa_setup"), {"code": "123456"})
    assert response.status_code == 200
    assert b"That code is not right" in response.content
    assert not TOTPDevice.objects.filter(user=bob, confirmed=True).exists()
    assert client.get(reverse("team:dashboard")).status_code == 302


@pytest.mark.django_db
def test_programme_admins_and_superusers_must_enrol_too(client, priya):
    admin = UserFactory(username="root-admin", is_staff=True, is_superuser=True)
    for user, url in ((priya, reverse("programmes:list")), (admin, "/admin/")):
        client.force_login(user, otp_verified=False)
        response = client.get(url)
        assert response.status_code == 302, user
        assert response["Location"].startswith(reverse("mfa_setup")), user


@pytest.mark.django_db
def test_mfa_is_optional_for_clinicians_unless_the_clinic_requires_it(client, ana, settings):
    client.force_login(ana, otp_verified=False)
    assert client.get(reverse("caseload")).status_code == 200
    settings.MFA_REQUIRED_FOR_CLINICIANS = True
    response = client.get(reverse("caseload"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_setup"))


@pytest.mark.django_db
def test_new_recovery_codes_need_a_fresh_code_and_retire_the_old(client, ana):
    device = _authenticator(ana)
    from painclinic import mfa

    old = mfa.regenerate_recovery_codes(ana)
    client.force_login(ana)
    response = client.post(reverse("mfa_recovery_codes"), {"code": "000000"})
    assert b"That code is not right" in response.content
    assert set(StaticToken.objects.values_list("token", flat=True)) == set(old)
    response = client.post(reverse("mfa_recovery_codes"), {"code": _code(device)})
    new = response.context["codes"]
    assert set(StaticToken.objects.values_list("token", flat=True)) == set(new)
    assert not set(new) & set(old)


@pytest.mark.django_db
def test_the_idle_timeout_still_ends_a_verified_session(client, ana, settings):
    client.force_login(ana)
    with time_machine.travel(timezone.now() + timedelta(minutes=31), tick=False):
        response = client.get(reverse("caseload"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


@pytest.mark.django_db
def test_an_unverified_session_cannot_open_the_admin(client):
    admin = UserFactory(username="root-admin", is_staff=True, is_superuser=True)
    _authenticator(admin)
    client.force_login(admin, otp_verified=False)
    response = client.get("/admin/painclinic/user/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_verify"))
    client.force_login(admin)
    assert client.get("/admin/painclinic/user/").status_code == 200


@pytest.mark.django_db
def test_the_demo_enrols_its_leads_with_a_printed_secret_and_only_in_demo_mode(
    client, settings, capsys
):
    from django.core.management import CommandError, call_command

    from demo.management.commands.seed_demo_mfa import demo_code, demo_secret

    call_command("seed_demo", patients=2, stdout=None)
    with pytest.raises(CommandError, match="Demo only"):
        call_command("seed_demo_mfa")
    settings.DEBUG = True
    call_command("seed_demo_mfa")
    printed = capsys.readouterr().out
    assert demo_secret() in printed
    assert "bob" in printed
    assert "ana" not in printed.split("enter")[0]
    client.post(reverse("login"), {"username": "bob", "password": "painclinic-demo"})
    assert client.get(reverse("caseload"))["Location"].startswith(reverse("mfa_verify"))
    assert client.post(reverse("mfa_verify"), {"code": demo_code()}).status_code == 302
    assert client.get(reverse("caseload")).status_code == 200


@pytest.mark.django_db
def test_a_patients_link_page_opens_in_a_browser_with_an_unverified_staff_session(
    client, bob, jannick, ana
):
    """Public pages (the patient's questionnaire link) ask nobody for a code."""
    from assessment import services

    session = services.session_start(
        actor=ana,
        patient=jannick,
        episode=jannick.episodes.get(),
        time_point="first_visit",
        instrument_keys=["tsk11"],
    )
    made_up_wording("tsk11")
    _link, token = services.patient_link_issue(actor=ana, session=session)
    client.force_login(bob, otp_verified=False)
    assert client.get(reverse("assessment:link", args=[token])).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("lost", ["deleted", "unconfirmed", "given to dina"])
def test_a_session_whose_device_is_gone_is_asked_for_the_code_again(client, bob, dina, lost):
    """The devices a session may be verified by are read with the user (issue #16: no query of
    their own on every page). As with django-otp's own check, a device deleted, unconfirmed or
    given to someone else since the code was entered verifies nothing: the session forgets it
    and the next page asks again."""
    from django_otp import DEVICE_ID_SESSION_KEY

    device = _authenticator(bob)
    _password_login(client, "bob")
    client.post(reverse("mfa_verify"), {"code": _code(device)})
    response = client.get(reverse("caseload"))
    assert response.status_code == 200
    assert response.wsgi_request.user.otp_device.pk == device.pk
    if lost == "deleted":
        device.delete()
    elif lost == "unconfirmed":
        TOTPDevice.objects.filter(pk=device.pk).update(confirmed=False)
    else:
        TOTPDevice.objects.filter(pk=device.pk).update(user=dina)
    _authenticator(bob)  # another device of his: enrolled still, so the code is asked for
    response = client.get(reverse("caseload"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_verify"))
    assert DEVICE_ID_SESSION_KEY not in client.session


@pytest.mark.django_db
def test_a_session_verified_by_a_recovery_code_stays_verified_until_the_codes_go(client, ana):
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_static.models import StaticDevice

    from painclinic import mfa

    _authenticator(ana)
    codes = mfa.regenerate_recovery_codes(ana)
    _password_login(client, "ana")
    client.post(reverse("mfa_verify"), {"code": codes[0]})
    assert client.get(reverse("patients:list")).status_code == 200
    StaticDevice.objects.filter(user=ana).update(confirmed=False)
    response = client.get(reverse("patients:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_verify"))
    assert DEVICE_ID_SESSION_KEY not in client.session
