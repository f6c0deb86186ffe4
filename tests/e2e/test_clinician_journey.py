"""Ana logs in, registers a patient, opens the record and finds her on the caseload."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from painclinic.models import AuditAction, AuditEvent
from patients.models import Patient


@pytest.mark.django_db(transaction=True)
def test_ana_registers_maria_and_finds_her_on_her_caseload(
    page, live_server, login, screenshot, ana, jannick
):
    login("ana")
    expect(page.get_by_role("heading", name="My caseload")).to_be_visible()
    expect(page.get_by_role("link", name="Jannick de Vries")).to_be_visible()
    screenshot("01_caseload_before")

    page.get_by_role("link", name="Register a patient").first.click()
    page.get_by_label("Identifier").fill("NHS-485-777-3456")
    page.get_by_label("Given name").fill("Maria")
    page.get_by_label("Family name").fill("Lindqvist")
    page.get_by_label("Date of birth").fill("1971-05-02")
    page.get_by_label("Sex").select_option("female")
    # Maria speaks Swedish, which the clinic's links do not offer: English for the
    # questionnaires, Swedish in words, and an interpreter.
    page.get_by_label("Preferred language").select_option(label="English")
    page.get_by_label("Language, in words").fill("Swedish")
    page.get_by_label("Interpreter needed").check()
    page.get_by_label("Primary pain condition").select_option("MG30.00")
    page.get_by_label("Referral date").fill((date.today() - timedelta(days=5)).isoformat())
    page.get_by_label("Reason for referral").fill("Widespread pain and fatigue; poor sleep.")
    # First a mistake: a birth date in the future is refused and nothing typed is lost.
    page.get_by_label("Date of birth").fill("2999-01-01")
    page.get_by_role("button", name="Register patient").click()
    expect(page.get_by_text("A date of birth cannot be in the future.")).to_be_visible()
    expect(page.get_by_label("Family name")).to_have_value("Lindqvist")
    expect(page.get_by_label("Language, in words")).to_have_value("Swedish")
    screenshot("02_register_with_error")
    page.get_by_label("Date of birth").fill("1971-05-02")
    page.get_by_role("button", name="Register patient").click()

    expect(page.get_by_role("heading", name="Maria Lindqvist")).to_be_visible()
    expect(page.get_by_text("interpreter needed")).to_be_visible()
    screenshot("03_patient_record")

    page.get_by_role("link", name="My caseload").click()
    row = page.get_by_role("row", name="Maria Lindqvist")
    expect(row).to_be_visible()
    expect(row.get_by_role("cell").nth(3)).to_have_text("5")  # days waiting since referral
    screenshot("04_caseload_after")

    maria = Patient.objects.get(identifier="NHS-485-777-3456")
    assert AuditEvent.objects.filter(patient=maria, action=AuditAction.CREATE, actor=ana).exists()
    assert AuditEvent.objects.filter(patient=maria, action=AuditAction.VIEW, actor=ana).exists()

    # Back on her record, Ana triages the referral. The section with the episode's status,
    # review date and triage forms is closed; opening it loads them (issue #16).
    row.get_by_role("link", name="Maria Lindqvist").click()
    expect(page.get_by_role("heading", name="Maria Lindqvist")).to_be_visible()
    page.locator("#episode-change summary").click()
    forms = page.locator("#episode-change-forms")
    expect(forms.get_by_role("button", name="Save triage")).to_be_visible()
    forms.get_by_label("Urgency").select_option("soon")
    screenshot("05_record_episode_forms_opened")
    forms.get_by_role("button", name="Save triage").click()
    expect(page.get_by_text("Triage saved.")).to_be_visible()
    assert maria.episodes.get().urgency == "soon"
    assert AuditEvent.objects.filter(
        patient=maria, action=AuditAction.VIEW, actor=ana, view_name="patients:episode_change"
    ).exists()
