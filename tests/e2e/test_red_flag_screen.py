"""Ana screens Jannick for red flags, finds saddle numbness and refers him to the spinal on-call
team; Bob sees the referral on his attention list; the exposure page asks Ana for a reason to go
ahead; Ana records the outcome and the referral leaves Bob's list."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from assessment import red_flags


@pytest.mark.django_db(transaction=True)
def test_red_flag_screen_referral_attention_list_and_resolution(
    page, live_server, login, screenshot, ana, bob, jannick
):
    login("ana")
    page.goto(f"{live_server.url}/patients/{jannick.pk}/assessment/red-flags/")
    expect(page.get_by_text("predict serious disease poorly")).to_be_visible()
    form = page.locator("#red-flag-form")
    expect(form.locator("input[type=radio]:checked")).to_have_count(0)
    for key, _label, _hint in red_flags.ITEMS:
        answer = "present" if key == "saddle_numbness" else "absent"
        form.locator(f"input[name={key}][value={answer}]").check()
    form.get_by_label("Referred for medical review").check()
    form.get_by_label("Referred to").select_option(label="Spinal on-call team")
    form.get_by_label("Urgency").select_option(label="Emergency, the same day")
    form.get_by_label("Date referred").fill(date.today().isoformat())
    screenshot("safety_01_red_flag_screen_filled")
    form.get_by_role("button", name="Record the screen").click()
    expect(page.get_by_text("Referral open: outcome not yet recorded")).to_be_visible()
    screenshot("safety_02_red_flag_referral_open")

    page.goto(f"{live_server.url}/patients/{jannick.pk}/treatment/exposure/")
    expect(page.get_by_text("Red-flag referral open")).to_be_visible()
    screenshot("safety_03_exposure_needs_override")

    page.context.clear_cookies()  # log the previous user out
    login("bob")
    page.goto(f"{live_server.url}/team/")
    expect(page.get_by_text("outcome not yet recorded").first).to_be_visible()
    screenshot("safety_04_lead_attention_list_red_flag")

    page.context.clear_cookies()
    login("ana")
    page.goto(f"{live_server.url}/patients/{jannick.pk}/assessment/red-flags/")
    page.get_by_label("What came of the referral").fill("MRI the same day: no compression.")
    page.get_by_label("Date of the outcome").fill(date.today().isoformat())
    page.get_by_role("button", name="Record the outcome of the referral").click()
    expect(page.get_by_text("The outcome of the referral is recorded.")).to_be_visible()

    page.context.clear_cookies()  # log the previous user out
    login("bob")
    page.goto(f"{live_server.url}/team/")
    expect(page.get_by_text("outcome not yet recorded")).to_have_count(0)
    screenshot("safety_05_lead_list_after_outcome")
