"""Ana administers the first-visit yellow-flag screen for Jannick, signs it, and sees high fear
of movement on his profile."""

from __future__ import annotations

import importlib

import pytest
from playwright.sync_api import expect

from assessment.models import Administration, AdministrationState
from painclinic.models import AuditAction, AuditEvent

TSK11 = {str(i): 3 for i in range(1, 12)} | {"1": 4, "2": 4}  # 35: high fear of movement
PCS = {str(i): 3 for i in range(1, 14)}  # 39: clinically relevant catastrophizing
PHQ9 = {str(i): 1 for i in range(1, 10)}  # 9: mild


def _enter(page, key_name, answers, screenshot_name=None, screenshot=None):
    page.get_by_role("link", name=f"Enter {key_name}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(key_name)
    for item, code in answers.items():
        page.locator(f"input[name='item_{item}'][value='{code}']").check()
    expect(page.locator("#score-preview [data-testid=score-total]")).to_be_visible()
    if screenshot:
        screenshot(screenshot_name)
    page.get_by_role("button", name="Sign").click()
    expect(page.get_by_text(f"{key_name} signed.")).to_be_visible()


@pytest.fixture
def clinic_batteries(transactional_db):
    """The batteries migration 0002 seeds: an earlier browser test's flush (transaction=True)
    empties the table, so seed them again here (the migration's own get_or_create)."""
    from django.apps import apps

    seed = importlib.import_module("assessment.migrations.0002_default_batteries")
    seed.forward(apps, None)


@pytest.mark.django_db(transaction=True)
def test_ana_screens_jannick_and_sees_high_fear_of_movement(
    page, live_server, login, screenshot, ana, jannick, clinic_batteries
):
    login("ana")
    page.get_by_role("link", name="Jannick de Vries").first.click()
    page.get_by_role("link", name="Assessments", exact=True).first.click()
    page.get_by_label("Battery").select_option(label="First-visit yellow-flag screen (back pain)")
    page.get_by_label("Time point").select_option(label="Referral / first visit")
    page.get_by_role("button", name="Start session").click()
    expect(page.get_by_role("link", name="Enter TSK-11")).to_be_visible()
    screenshot("assessment_01_session")

    # TSK-11: first one item only, then the live score says what is missing
    page.get_by_role("link", name="Enter TSK-11").click()
    page.locator("input[name='item_1'][value='4']").check()
    expect(page.locator("#score-preview")).to_contain_text("Cannot be scored")
    expect(page.locator("#score-preview")).to_contain_text("Unanswered")
    screenshot("assessment_02_tsk11_partial")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    expect(page.locator("input[name='item_1'][value='4']")).to_be_checked()  # resumed
    for item, code in TSK11.items():
        page.locator(f"input[name='item_{item}'][value='{code}']").check()
    expect(page.locator("[data-testid=score-total]")).to_have_text("35")
    expect(page.locator("fieldset.item.unanswered")).to_have_count(0)
    screenshot("assessment_03_tsk11_complete")
    page.get_by_role("button", name="Sign").click()
    expect(page.get_by_text("TSK-11 signed.")).to_be_visible()

    _enter(page, "PCS", PCS)
    _enter(page, "PHQ-9", PHQ9, "assessment_04_phq9", screenshot)
    screenshot("assessment_05_session_signed")

    page.get_by_role("link", name="Yellow-flag profile").first.click()
    expect(page.get_by_text("High fear of movement (TSK-11 35)").first).to_be_visible()
    expect(page.get_by_text("High catastrophizing (PCS 39)").first).to_be_visible()
    charts = page.locator("img.chart")
    expect(charts).to_have_count(3)
    for index in range(3):  # each chart PNG loaded (640 px wide: 6.4 in at 100 dpi)
        charts.nth(index).scroll_into_view_if_needed()
        expect(charts.nth(index)).to_have_js_property("naturalWidth", 640)
    screenshot("assessment_06_profile")

    page.get_by_role("link", name="Jannick de Vries").first.click()
    expect(page.locator("#assessment-summary")).to_contain_text("High fear of movement (TSK-11 35)")
    screenshot("assessment_07_patient_page")

    signed = Administration.objects.filter(
        session__patient=jannick, state=AdministrationState.SIGNED
    )
    assert sorted(signed.values_list("instrument_key", flat=True)) == ["pcs", "phq9", "tsk11"]
    assert (
        AuditEvent.objects.filter(patient=jannick, actor=ana, action=AuditAction.CHANGE).count()
        >= 4
    )
