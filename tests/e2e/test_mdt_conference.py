"""Ana flags Jannick for the MDT from his record; Bob, the North lead, prepares the conference
from the agenda, records the discussion and the decisions and gives Ana an action; the action
shows on Ana's caseload, and she marks it done there (issue #13)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from mdt.models import Action, Discussion
from tests.factories import EpisodeFactory


@pytest.mark.django_db(transaction=True)
def test_bob_prepares_an_mdt_and_anas_action_reaches_her_caseload(
    page, live_server, login, screenshot, ana, bob, jannick, north
):
    EpisodeFactory(
        team=north,
        lead_clinician=ana,
        care_team=[ana],
        status="waiting",
        referral_date=date.today() - timedelta(days=186),
        urgency="routine",
        pathway="psychology",
        patient__given_name="Olga",
        patient__family_name="Petrova",
    )
    # Ana flags Jannick on his record.
    login("ana")
    page.goto(f"{live_server.url}/patients/{jannick.pk}/")
    section = page.get_by_test_id("mdt-section")
    expect(section).to_contain_text("Not discussed at an MDT yet.")
    section.get_by_text("Add to the MDT agenda").first.click()
    page.get_by_label("What should the team discuss?").fill(
        "Plateau after six sessions: add graded exposure or refer to psychology?"
    )
    page.get_by_role("button", name="Add to the MDT agenda").click()
    expect(page.get_by_text("is on the MDT agenda")).to_be_visible()
    expect(page.get_by_test_id("mdt-section")).to_contain_text("On the MDT agenda")
    screenshot("mdt_01_record_flagged")

    # Bob prepares the conference from the agenda.
    page.context.clear_cookies()
    login("bob")
    page.goto(f"{live_server.url}/mdt/")
    expect(page.get_by_role("row", name="Jannick de Vries")).to_contain_text("Plateau")
    screenshot("mdt_02_agenda")
    page.get_by_role("link", name="Prepare a conference").click()
    page.get_by_label("Date of the conference").fill(date.today().isoformat())
    page.get_by_label("Ana Costa (Physiotherapist)").check()
    page.get_by_label("Bob Hughes (Psychologist)").check()
    page.get_by_label("Jannick de Vries: Plateau", exact=False).check()
    screenshot("mdt_03_prepare")
    page.get_by_role("button", name="Prepare the conference").click()
    expect(page.get_by_text("Case conference prepared.")).to_be_visible()
    expect(page.get_by_text("Attendees: Ana Costa (Physiotherapist)")).to_be_visible()

    page.get_by_label("Discussion summary").fill(
        "Fear of movement unchanged (TSK-11 33); walking tolerance up to 20 minutes."
    )
    page.get_by_label("Decisions").fill("Start graded exposure; psychology review in 6 weeks.")
    page.get_by_role("button", name="Save the discussion").click()
    expect(page.get_by_text("Discussion of Jannick de Vries saved.")).to_be_visible()

    page.get_by_role("textbox", name=re.compile(r"^\s*Action")).fill(
        "Build the exposure hierarchy with Jannick."
    )
    page.get_by_label("Who").select_option(label="Ana Costa (Physiotherapist)")
    page.get_by_label("Due").fill((date.today() + timedelta(days=14)).isoformat())
    page.get_by_role("button", name="Add the action").click()
    expect(page.get_by_text("Action added for Ana Costa.")).to_be_visible()
    screenshot("mdt_04_conference_recorded")
    discussion = Discussion.objects.get(patient=jannick)
    assert discussion.decisions.startswith("Start graded exposure")

    # The team review shows the open action, the waiting list its 186-day wait.
    page.goto(f"{live_server.url}/team/")
    expect(page.get_by_role("heading", name="Open MDT actions of the team")).to_be_visible()
    expect(page.get_by_test_id("team-outcomes")).to_be_visible()
    screenshot("mdt_05_team_review")
    page.get_by_role("link", name="Waiting list").click()
    expect(page.get_by_role("row", name="Olga Petrova")).to_contain_text("186")
    screenshot("mdt_06_waiting_list")

    # Ana finds the action on her caseload and marks it done.
    page.context.clear_cookies()
    login("ana")
    page.goto(f"{live_server.url}/caseload/")
    panel = page.get_by_role("region", name="Your MDT actions")
    expect(panel).to_contain_text("Build the exposure hierarchy with Jannick.")
    screenshot("mdt_07_caseload_action")
    panel.get_by_role("button", name="Mark done").click()
    expect(page.get_by_text("Action marked done.")).to_be_visible()
    expect(page.get_by_role("region", name="Your MDT actions")).to_have_count(0)
    action = Action.objects.get(discussion=discussion)
    assert action.done_by == ana

    page.goto(f"{live_server.url}/patients/{jannick.pk}/")
    expect(page.get_by_test_id("mdt-section")).to_contain_text("done by Ana Costa")
    screenshot("mdt_08_record_after")
