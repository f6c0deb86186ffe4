"""Bob uploads the clinic's Dutch wording of the PCS (a licensed questionnaire: the app ships no
wording for it); Ana records that Jannick reads Dutch and sends him a self-report link, which
opens in Dutch with that wording. A link for a questionnaire without Dutch wording is refused
with a message that names it (issue #14). The wording is invented: no licensed text in the repo.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from assessment import instruments, services
from assessment.models import ItemText, PatientLink, TimePoint

DUTCH_ROWS = "\n".join(f"{i}, Verzonnen PCS-vraag nummer {i}" for i in range(1, 14))
DUTCH_LABELS = "\n".join(
    f"{code}, {label} (verzonnen)"
    for code, label in enumerate(["Helemaal niet", "Een beetje", "Matig", "Sterk", "Altijd"])
)


def _session(patient, actor, key):
    return services.session_start(
        actor=actor,
        patient=patient,
        episode=patient.episodes.get(),
        time_point=TimePoint.FIRST_VISIT,
        instrument_keys=[key],
    )


@pytest.mark.django_db(transaction=True)
def test_a_dutch_link_shows_the_clinics_dutch_wording_and_a_link_without_wording_is_refused(
    page, live_server, login, screenshot, ana, bob, jannick
):
    assert not instruments.get("pcs").licence.item_text_bundled  # licensed: nothing shipped

    # Bob, the team lead, uploads the Dutch wording the clinic holds a licence for.
    login("bob")
    page.get_by_role("link", name="Questionnaire wording").click()
    pcs_row = page.get_by_test_id("wording-PCS")
    expect(pcs_row).to_contain_text("Licence needed")
    expect(pcs_row).to_contain_text("no wording")
    pcs_row.get_by_role("link", name="Upload PCS wording").click()
    page.get_by_label("Language").select_option(label="Nederlands")
    page.get_by_label("Licence reference").fill("Test licence NL-2026-01")
    page.get_by_label("Instructions to the patient (stem)").fill(
        "Verzonnen instructie: kies bij elke zin hoe vaak dit voor u geldt."
    )
    # First a mistake: item 13 is left out. The page says so and keeps what was typed.
    page.get_by_label("Or paste the item wording").fill(DUTCH_ROWS.rsplit("\n", 1)[0])
    page.get_by_role("button", name="Save the wording").click()
    expect(page.get_by_text("Items missing: 13.", exact=False)).to_be_visible()
    expect(page.get_by_label("Licence reference")).to_have_value("Test licence NL-2026-01")
    assert not ItemText.objects.exists()
    page.get_by_label("Or paste the item wording").fill(DUTCH_ROWS)
    page.get_by_label("Answer labels (optional)").fill(DUTCH_LABELS)
    page.get_by_role("button", name="Save the wording").click()
    expect(page.get_by_text("The PCS wording in Nederlands is saved")).to_be_visible()
    screenshot("itemtext_01_dutch_pcs_wording_uploaded")
    page.get_by_role("button", name="Log out").click()

    # Ana records that Jannick prefers Dutch, and sends him the PCS by link.
    login("ana")
    page.goto(f"{live_server.url}/patients/{jannick.pk}/")
    page.get_by_role("link", name="Edit details").click()
    page.get_by_label("Preferred language").select_option(label="Nederlands")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_test_id("patient-language")).to_contain_text("Nederlands")

    session = _session(jannick, ana, "pcs")
    page.goto(f"{live_server.url}/patients/{jannick.pk}/assessment/sessions/{session.pk}/")
    expect(page.get_by_label("Language of the questionnaires")).to_have_value("nl")
    page.get_by_role("button", name="Issue a self-report link").click()
    link_url = page.locator("#link-url").input_value()
    assert PatientLink.objects.get(session=session).language == "nl"

    # Jannick opens it on his phone: the Dutch wording, not "Item 1".
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(link_url)
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_test_id("instructions")).to_contain_text("Verzonnen instructie")
    for number in (1, 13):
        question = page.get_by_role(
            "group", name=re.compile(rf"^{number}\. Verzonnen PCS-vraag nummer {number}\b")
        )
        expect(question).to_be_visible()
        expect(question.get_by_label("0 – Helemaal niet (verzonnen)")).to_be_visible()
        expect(question.get_by_label("4 – Altijd (verzonnen)")).to_be_visible()
    expect(page.get_by_text(re.compile(r"\bItem \d"))).to_have_count(0)
    screenshot("itemtext_02_dutch_link_on_the_phone")

    # A TSK-11 link in Dutch: no Dutch wording uploaded, so it is refused and nothing is made.
    page.set_viewport_size({"width": 1280, "height": 900})
    refused = _session(jannick, ana, "tsk11")
    page.goto(f"{live_server.url}/patients/{jannick.pk}/assessment/sessions/{refused.pk}/")
    page.get_by_role("button", name="Issue a self-report link").click()
    message = page.get_by_test_id("link-refused")
    expect(message).to_contain_text("TSK-11 has no wording in Nederlands yet")
    expect(message).to_contain_text("“Questionnaire wording” page")
    expect(page.get_by_label("Language of the questionnaires")).to_have_value("nl")
    expect(page.locator("#link-url")).to_have_count(0)
    screenshot("itemtext_03_link_without_wording_refused")
    assert not PatientLink.objects.filter(session=refused).exists()
