"""Susan fills in the PHQ-9 on her phone through a single-use link; it arrives as a draft."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from assessment import services
from assessment.models import Administration, TimePoint


@pytest.mark.django_db(transaction=True)
def test_susan_answers_on_her_phone_and_ana_gets_a_draft(page, live_server, screenshot, susan, ana):
    session = services.session_start(
        actor=ana,
        patient=susan,
        episode=susan.episodes.get(),
        time_point=TimePoint.REVIEW,
        instrument_keys=["phq9"],
    )
    _link, token = services.patient_link_issue(actor=ana, session=session)

    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.goto(f"{live_server.url}/p/{token}/")
    expect(page.get_by_role("heading", name="Questionnaires from your clinician")).to_be_visible()
    for item, code in zip(range(1, 10), [2, 2, 1, 1, 2, 1, 1, 0, 0], strict=True):
        page.locator(f"input[name$='item_{item}'][value='{code}']").check()
    screenshot("assessment_20_patient_link_phone")
    page.get_by_role("button", name="Send to my clinician").click()
    expect(page.get_by_text("Thank you", exact=False)).to_be_visible()
    screenshot("assessment_21_patient_link_sent")

    administration = Administration.objects.get(session=session)
    assert administration.state == "draft"  # for Ana to review and sign
    assert administration.answers["1"] in (2, "2")
    # The link was single use: opening it again shows it is closed, and no form.
    page.goto(f"{live_server.url}/p/{token}/")
    expect(page.get_by_role("button", name="Send to my clinician")).to_have_count(0)
