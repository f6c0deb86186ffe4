"""Susan answers PHQ-9 item 9 = 1 ("several days") on her phone through a link. The care team is
told at once; the signal stays on her record, Ana's caseload and Bob's review (overdue after one
working day) until Ana records her response: a safety assessment and a safety plan, printed for
Susan with the crisis contacts (issue #10; shared/reference/safety.md §1-2)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from assessment import services
from assessment.models import TimePoint

BANNER = "Self-harm risk — response needed"


@pytest.mark.django_db(transaction=True)
def test_a_self_harm_answer_by_link_reaches_the_team_and_is_answered_with_a_plan(
    page, live_server, screenshot, login, susan, ana, bob
):
    session = services.session_start(
        actor=ana,
        patient=susan,
        episode=susan.episodes.get(),
        time_point=TimePoint.REVIEW,
        instrument_keys=["phq9"],
    )
    _link, token = services.patient_link_issue(actor=ana, session=session)

    # Susan, on her phone.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/p/{token}/")
    for item, code in zip(range(1, 10), [2, 2, 1, 1, 2, 1, 1, 0, 1], strict=True):
        page.locator(f"input[name$='item_{item}'][value='{code}']").check()
    # Her answer to item 9 is saved as she goes; the crisis contacts appear at once.
    expect(page.get_by_role("heading", name="If you are in danger now")).to_be_visible()
    screenshot("safety_01_patient_item9_phone")
    page.get_by_role("button", name="Send to my clinician").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    crisis = page.get_by_test_id("crisis-contacts")
    expect(crisis).to_contain_text("If you are in danger now")
    expect(crisis).to_contain_text("999")
    expect(crisis).to_contain_text("116 123")
    expect(crisis).to_contain_text("option 2")
    expect(page.get_by_text("risk level", exact=False)).to_have_count(0)
    screenshot("safety_02_patient_thanks_crisis_contacts")

    # Ana: her caseload, the notification, Susan's pages.
    page.set_viewport_size({"width": 1280, "height": 900})
    login("ana")
    page.goto(f"{live_server.url}/caseload/")
    expect(page.get_by_test_id("caseload-safety")).to_have_text(BANNER)
    expect(page.get_by_test_id("nav-notifications")).to_contain_text("1")
    screenshot("safety_03_caseload_badge_and_notification")
    page.get_by_test_id("nav-notifications").click()
    expect(page.get_by_test_id("notification")).to_contain_text(
        "answered a question about self-harm"
    )
    screenshot("safety_04_notifications")
    page.get_by_role("button", name="Open the record").click()
    expect(page.get_by_test_id("safety-banner")).to_contain_text(BANNER)
    expect(page.get_by_test_id("nav-notifications")).not_to_contain_text("1")
    page.goto(f"{live_server.url}/patients/{susan.pk}/")
    expect(page.get_by_test_id("safety-banner")).to_contain_text(BANNER)
    screenshot("safety_05_patient_record_banner")

    # Four days later nobody has responded: Bob's review lists it first, overdue.
    with time_machine.travel(timezone.now() + timedelta(days=4), tick=True):
        page.context.clear_cookies()
        login("bob")
        page.goto(f"{live_server.url}/team/")
        first = page.locator("#h-attention ~ div table tbody tr").first
        expect(first).to_contain_text(BANNER)
        expect(first).to_contain_text("overdue since")
        expect(first).to_contain_text(susan.full_name)
        screenshot("safety_06_team_lead_overdue")

    # Ana records her response and a safety plan with Susan.
    page.context.clear_cookies()
    login("ana")
    page.goto(f"{live_server.url}/patients/{susan.pk}/safety/")
    page.get_by_role("link", name="Record a safety assessment").click()
    page.get_by_label("What was discussed").fill(
        "Called Susan. Thoughts of being better off dead on some days, no plans; lives with "
        "her husband; wants to keep gardening."
    )
    page.get_by_label("Protective factors").fill("Husband, grandchildren, her garden.")
    page.get_by_label("Safety plan made or reviewed with the patient").check()
    screenshot("safety_07_safety_assessment_form")
    page.get_by_role("button", name="Save the safety assessment").click()
    expect(page.get_by_test_id("safety-assessment")).to_contain_text("Safety plan made")
    expect(page.get_by_test_id("safety-banner")).to_have_count(0)
    page.get_by_role("link", name="Make a safety plan").click()
    page.get_by_label("Warning signs that a crisis may be starting").fill(
        "Not sleeping\nStaying in bed all day"
    )
    page.get_by_label("Things I can do on my own to take my mind off it").fill(
        "Potter in the greenhouse\nListen to the radio"
    )
    page.get_by_label("People I can ask for help").fill("Husband: 07700 900123")
    page.get_by_label("Making my surroundings safer").fill(
        "Pregabalin kept by her husband; weekly supply only."
    )
    page.get_by_label("My reasons for living").fill("My grandchildren")
    page.get_by_role("button", name="Save the safety plan").click()
    expect(page.get_by_text("Safety plan saved as version 1.")).to_be_visible()
    page.goto(f"{live_server.url}/caseload/")
    expect(page.get_by_test_id("caseload-safety")).to_have_count(0)
    screenshot("safety_08_caseload_signal_cleared")

    page.goto(f"{live_server.url}/patients/{susan.pk}/safety/")
    page.get_by_role("link", name="Print for the patient").click()
    expect(page.get_by_role("heading", name="Safety plan for Susan Whitfield")).to_be_visible()
    crisis = page.get_by_test_id("crisis-contacts")
    expect(crisis).to_contain_text("Samaritans")
    expect(crisis).to_contain_text("116 123")
    expect(crisis).to_contain_text("NHS 111")
    page.emulate_media(media="print")
    screenshot("safety_09_printed_plan")
