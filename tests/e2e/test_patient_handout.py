"""Ana has seen Jannick. At the contact she ticks three pain-education topics with how well he
could explain each back and codes two behaviour-change techniques; then she prints his handout,
"My plan for living well with pain", and gives him the PDF (issue #14, "done means"). The
handout tells his fear-avoidance cycle in his own words, what they talked about, his goal, his
walking amounts and his flare-up plan, with no score on it. The first page of the PDF is
rendered to an image (pdftoppm) in test-artifacts/screenshots/ for a person to look at."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from playwright.sync_api import expect

from painclinic.models import AuditAction, AuditEvent
from tests.e2e.conftest import ARTIFACTS
from tests.education.conftest import seed_education
from tests.treatment.factories import (
    goal_for,
    hierarchy_item_for,
    pacing_plan_for,
    plan_for,
    review_for,
)
from treatment import handout_texts as texts
from treatment import services
from treatment.models import DEFAULT_SETBACK_TEXT, SAFETY_NET_DEFAULT

PDFTOPPM = shutil.which("pdftoppm")
PDFTOTEXT = shutil.which("pdftotext")


@pytest.fixture
def jannick_in_treatment(transactional_db, ana, jannick):
    """His plan (graded exposure and pain education), two feared activities, a goal reviewed
    once, a walking quota and a flare-up plan, as Ana recorded them on earlier pages."""
    seed_education()
    plan_for(jannick, ana)
    hierarchy_item_for(jannick, ana, activity="Bending to tie my shoes", fear=40)
    hierarchy_item_for(jannick, ana, activity="Lifting a crate of 10 kg", fear=70)
    review_for(goal_for(jannick, ana), ana, level=0)
    pacing_plan_for(jannick, ana)
    services.flare_up_plan_save(
        actor=ana,
        patient=jannick,
        data={
            "triggers": "Long days at work, a cold and damp week",
            "early_signs": "A stiff back in the morning, poor sleep",
            "self_management": "Halve my walking for two days, then build up again.\n"
            "Keep moving gently. Use the breathing exercise.",
            "contacts": "The pain team, Monday to Friday, 9 to 5: 01234 567890",
            "opportunity_text": str(DEFAULT_SETBACK_TEXT),
            "safety_net": str(SAFETY_NET_DEFAULT),
        },
        expected_version=0,
    )
    return jannick


@pytest.mark.django_db(transaction=True)
def test_ana_records_the_education_and_prints_jannicks_handout(
    page, live_server, login, screenshot, ana, jannick_in_treatment, tmp_path
):
    assert PDFTOPPM, "poppler-utils is needed: apt-get install -y poppler-utils"
    assert PDFTOTEXT, "poppler-utils is needed: apt-get install -y poppler-utils"
    jannick = jannick_in_treatment
    page.set_default_timeout(15_000)
    login("ana")

    # 1. At the contact: three topics with their teach-back check, two techniques.
    page.goto(f"{live_server.url}/patients/{jannick.pk}/")
    page.get_by_role("link", name="Education delivered and techniques used").click()
    page.locator("a[href*='/education/contacts/']").first.click()
    for topic, check in [
        ("How pain works: the alarm system", "Understood"),
        ("Hurt does not equal harm", "Partly"),
        ("The fear-avoidance cycle", "Not yet"),
    ]:
        page.get_by_label(topic, exact=True).check()
        page.get_by_label(f"Teach-back check for {topic}").select_option(label=check)
    page.get_by_label("4.3 Re-attribution").check()
    page.get_by_label("8.7 Graded tasks").check()
    page.get_by_role("button", name="Record education").click()
    expect(page.get_by_text("Education and techniques recorded for this contact.")).to_be_visible()
    expect(page.get_by_text("3 of 10 topics covered.")).to_be_visible()

    # 2. From his record to the handout, as a page.
    page.goto(f"{live_server.url}/patients/{jannick.pk}/")
    page.get_by_role("region", name="Treatment").get_by_role(
        "link", name="Patient handout", exact=True
    ).click()
    handout = page.locator("article.handout")
    expect(handout.get_by_role("heading", name=str(texts.HANDOUT_TITLE))).to_be_visible()
    talked = handout.locator("#handout-talked")
    for slug in ("neurophysiology", "hurt_not_harm", "fear_avoidance"):
        expect(talked).to_contain_text(str(texts.TOPIC_WORDS[slug]))
    cycle = handout.locator("#handout-cycle")
    expect(cycle).to_contain_text("Lifting a crate of 10 kg")
    expect(cycle).to_contain_text("My back will break and I will end up in a wheelchair")
    expect(handout.locator("#handout-way-out li").first).to_have_text("Bending to tie my shoes")
    expect(handout.locator("#handout-goals")).to_contain_text(
        "I want to play football with my son again"
    )
    expect(handout.locator("#handout-pacing tr.now")).to_contain_text("12 minutes")
    expect(handout.locator("#handout-flare-up")).to_contain_text("Halve my walking")
    expect(handout.locator("#handout-urgent")).to_contain_text("Call 999 or go to A&E")
    expect(handout).not_to_contain_text("Graded exposure")  # the clinicians' name for it
    expect(handout).not_to_contain_text("TSK")
    screenshot("handout_01_page")

    # 3. The PDF Ana hands him: one export in the audit log, its first page as an image.
    pdf_link = page.get_by_role("link", name="Download as PDF")
    response = page.request.get(live_server.url + pdf_link.get_attribute("href"))
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "handout.pdf"
    pdf.write_bytes(response.body())
    text = " ".join(
        subprocess.run(
            [PDFTOTEXT, str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    assert "My plan for living well with pain" in text
    assert "Lifting a crate of 10 kg" in text
    assert "I want to play football with my son again" in text
    assert "Seek urgent help if" in text
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("handout_02_pdf_page*.png"):
        old.unlink()
    subprocess.run(
        [PDFTOPPM, "-png", "-r", "80", str(pdf), str(ARTIFACTS / "handout_02_pdf_page")],
        check=True,
    )
    pages = sorted(ARTIFACTS.glob("handout_02_pdf_page*.png"))
    assert pages, "pdftoppm wrote no page"
    assert pages[0].stat().st_size > 10_000  # a drawn page, not a blank one
    exports = AuditEvent.objects.filter(patient=jannick, action=AuditAction.EXPORT, actor=ana)
    assert sorted(exports.values_list("object_type", flat=True)) == [
        "treatment.handout",
        "treatment.handout_pdf",
    ]

    # 4. His summary, in the same plain words: what we talked about, his plan, whom to call.
    page.goto(f"{live_server.url}/patients/{jannick.pk}/treatment/")
    page.get_by_role("link", name="Patient summary", exact=True).click()
    summary = page.locator("article.handout")
    expect(summary.get_by_role("heading", name=str(texts.SUMMARY_TITLE))).to_be_visible()
    expect(summary.locator("#summary-talked")).to_contain_text(
        str(texts.TOPIC_WORDS["hurt_not_harm"])
    )
    expect(summary.locator("#summary-plan")).to_contain_text(
        str(texts.INTERVENTION_WORDS["graded_exposure"])
    )
    expect(summary.locator("#summary-contact")).to_contain_text("Ana Costa")
    expect(summary).not_to_contain_text("Fear of movement keeps Jannick")  # the formulation
    screenshot("handout_03_patient_summary")
