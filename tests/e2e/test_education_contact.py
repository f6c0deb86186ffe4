"""Ana has just seen Jannick. On his education page she opens the contact, ticks three topics
of the pain-education curriculum with how well he could explain each back, notes the
misconception she heard, and codes two behaviour-change techniques. His education page then
shows what was taught, where each topic stands, what is left, and the techniques used."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.education.conftest import seed_education


@pytest.fixture
def education_seeded(transactional_db):
    seed_education()


@pytest.mark.django_db(transaction=True)
def test_ana_records_education_and_techniques_at_a_contact(
    page, live_server, login, screenshot, ana, jannick, education_seeded
):
    login("ana")
    page.goto(f"{live_server.url}/patients/{jannick.pk}/")
    page.get_by_role("link", name="Education delivered and techniques used").click()
    expect(page.get_by_role("heading", name="Pain education and behaviour change")).to_be_visible()
    expect(page.get_by_text("0 of 10 topics covered.")).to_be_visible()
    page.locator("a[href*='/education/contacts/']").first.click()

    for topic, check in [
        ("How pain works: the alarm system", "Understood"),
        ("Hurt does not equal harm", "Partly"),
        ("Pacing and the boom-and-bust cycle", "Not yet"),
    ]:
        page.get_by_label(topic, exact=True).check()
        page.get_by_label(f"Teach-back check for {topic}").select_option(label=check)
    page.get_by_label("Misconceptions heard about Hurt does not equal harm").fill(
        "Thinks bending will damage his back"
    )
    page.get_by_label("4.3 Re-attribution").check()
    page.get_by_label("8.7 Graded tasks").check()
    screenshot("education_01_contact_form")
    page.get_by_role("button", name="Record education").click()

    expect(page.get_by_text("Education and techniques recorded for this contact.")).to_be_visible()
    expect(page.get_by_text("3 of 10 topics covered.")).to_be_visible()
    covered = page.locator("#topics-covered")
    expect(covered).to_contain_text("How pain works: the alarm system")
    expect(covered).to_contain_text("Understood")
    expect(covered).to_contain_text("Partly")
    expect(covered).to_contain_text("Not yet")
    expect(covered).to_contain_text("Thinks bending will damage his back")
    left = page.locator("#topics-left")
    expect(left).to_contain_text("Sleep and pain")
    expect(left).not_to_contain_text("Hurt does not equal harm")
    used = page.locator("#techniques-used")
    expect(used).to_contain_text("4.3 Re-attribution")
    expect(used).to_contain_text("8.7 Graded tasks")
    screenshot("education_02_record")


@pytest.mark.django_db(transaction=True)
def test_bob_retires_a_topic_and_reads_what_his_team_delivered(
    page, live_server, login, screenshot, ana, bob, jannick, education_seeded
):
    from education import selectors, services
    from patients.models import Contact

    contact = Contact.objects.filter(episode__patient=jannick).first()
    codes = {t.code: t.pk for t in selectors.techniques()}
    services.contact_education_record(
        actor=ana,
        patient=jannick,
        contact=contact,
        topics={},
        technique_ids=[codes["4.3"], codes["8.7"]],
    )
    login("bob")
    page.get_by_role("link", name="Education", exact=True).click()
    row = page.locator("#curriculum tr", has_text="Analogies and metaphors")
    row.get_by_role("button", name="Retire").click()
    expect(page.locator("#curriculum tr", has_text="Analogies and metaphors")).to_contain_text(
        "Retired"
    )
    screenshot("education_03_curriculum")
    page.get_by_role("link", name="Behaviour-change techniques delivered by the team").click()
    table = page.locator("#technique-summary")
    expect(table).to_contain_text("4.3 Re-attribution")
    expect(table).to_contain_text("100% (1 of 1)")
    expect(page.get_by_text("too few to read a pattern into", exact=False)).to_be_visible()
    screenshot("education_04_team_summary")
