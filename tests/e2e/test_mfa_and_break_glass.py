"""In the browser (issue #15): Bob, a new team lead, must set up his authenticator app from the
QR code before anything opens (the QR code must render under the strict CSP); Charlie, on call,
opens Jannick's record by emergency access and sees the banner on its pages."""

from __future__ import annotations

import base64

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from patients.models import EmergencyAccess


def _code_for(secret_in_groups: str) -> str:
    secret = secret_in_groups.replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return f"{TOTP(key).token():06d}"


@pytest.mark.django_db(transaction=True)
def test_bob_sets_up_his_authenticator_before_anything_opens(page, live_server, screenshot, bob):
    blocked_images = []
    page.on(
        "console",
        lambda m: blocked_images.append(m.text[:200]) if "img-src" in m.text else None,
    )
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("bob")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/mfa/setup/" in url)
    expect(page.get_by_role("heading", name="Set up two-step verification")).to_be_visible()
    qr = page.get_by_role("img", name="QR code for your authenticator app")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.naturalWidth") > 0  # drawn, not blocked
    screenshot("mfa_01_setup")
    # Nothing else opens yet.
    page.goto(f"{live_server.url}/team/")
    page.wait_for_url(lambda url: "/mfa/setup/" in url)

    page.get_by_label("Code").fill(_code_for(page.get_by_test_id("mfa-secret").inner_text()))
    page.get_by_role("button", name="Turn on two-step verification").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    expect(page.get_by_test_id("recovery-codes").locator("li")).to_have_count(10)
    screenshot("mfa_02_recovery_codes")
    page.get_by_role("link", name="I have kept my codes: continue").click()
    page.goto(f"{live_server.url}/team/")
    expect(page.get_by_role("heading", name="Caseload review")).to_be_visible()
    assert blocked_images == []


@pytest.mark.django_db(transaction=True)
def test_charlie_on_call_opens_jannick_by_emergency_access(
    page, live_server, login, screenshot, charlie, jannick
):
    login("charlie")
    page.get_by_role("link", name="Emergency access").click()
    page.get_by_label("Patient identifier").fill("DEMO-JANNICK")
    page.get_by_label("Why do you need this record?").fill(
        "On call tonight: Jannick phoned the ward with a severe flare-up."
    )
    page.get_by_role("button", name="Open the record").click()
    banner = page.get_by_test_id("break-glass-banner")
    expect(banner).to_contain_text("Emergency access")
    expect(banner).to_contain_text("severe flare-up")
    expect(page.get_by_role("heading", name="Jannick de Vries")).to_be_visible()
    screenshot("break_glass_01_record")
    assert EmergencyAccess.objects.filter(user=charlie, patient=jannick).count() == 1
