"""Ana, Jannick's lead physiotherapist, adds Petra the pharmacist to his care team for a review
of his medicines; the record then shows Petra, and Petra can open it (issue #13)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from painclinic.models import Discipline, Role
from patients.models import CareTeamMember
from tests.factories import UserFactory


@pytest.mark.django_db(transaction=True)
def test_a_clinician_adds_a_pharmacist_to_the_care_team(
    page, live_server, login, screenshot, ana, jannick, north
):
    petra = UserFactory(
        username="petra",
        first_name="Petra",
        last_name="Lindqvist",
        role=Role.CLINICIAN,
        discipline=Discipline.PHARMACIST,
        team=north,
    )
    login("ana")
    page.goto(f"{live_server.url}/patients/{jannick.pk}/")
    page.get_by_role("link", name="Care team and lead").click()
    expect(page.get_by_role("heading", name="Care team", exact=True)).to_be_visible()
    page.get_by_label("Clinician to add").select_option(label="Petra Lindqvist (Pharmacist)")
    screenshot("care_team_01_add_pharmacist")
    page.get_by_role("button", name="Add to the care team").click()
    expect(page.get_by_text("Petra Lindqvist joined the care team.")).to_be_visible()
    members = page.locator("#care-team-members")
    expect(members.get_by_role("row", name="Petra Lindqvist")).to_contain_text("Pharmacist")
    expect(page.locator("#care-team-history")).to_contain_text("joined the care team")
    screenshot("care_team_02_pharmacist_added")

    page.get_by_role("link", name="Jannick de Vries").first.click()
    expect(page.get_by_text("Petra Lindqvist (Pharmacist)")).to_be_visible()
    screenshot("care_team_03_record")
    assert CareTeamMember.objects.filter(user=petra, episode__patient=jannick).exists()


@pytest.mark.django_db(transaction=True)
def test_after_discharge_ana_makes_the_follow_up_call_and_opens_a_new_episode(
    page, live_server, login, screenshot, ana, north
):
    from datetime import date, timedelta

    from patients import services
    from tests.factories import EpisodeFactory

    episode = EpisodeFactory(
        team=north,
        lead_clinician=ana,
        care_team=[ana],
        referral_date=date.today() - timedelta(days=200),
        patient__given_name="Marta",
        patient__family_name="Keller",
    )
    services.episode_change_status(
        actor=ana,
        episode=episode,
        to_status="discharged",
        changed_on=date.today() - timedelta(days=20),
        discharge_reason="goals_met",
    )
    login("ana")
    page.goto(f"{live_server.url}/caseload/")
    panel = page.locator("#overdue-follow-ups")
    expect(panel).to_contain_text("A follow-up call is overdue")
    screenshot("follow_up_01_caseload_panel")
    panel.get_by_role("link", name="Marta Keller").click()
    page.get_by_label("Outcome").select_option(label="Reached")
    page.get_by_label("Date of the call").fill(date.today().isoformat())
    page.get_by_label("Notes").fill("Walking daily, back at work part-time.")
    page.get_by_role("button", name="Save the call").click()
    expect(page.get_by_text("Follow-up call saved.")).to_be_visible()
    expect(page.locator("#follow-up-calls")).to_contain_text("Walking daily")
    screenshot("follow_up_02_recorded")

    page.get_by_role("link", name="Marta Keller").first.click()
    page.get_by_role("link", name="Open a new episode").click()
    page.get_by_label("Referral source").select_option(label="GP")
    page.get_by_label("Lead clinician").select_option(label="Ana Costa")
    page.get_by_label("Reason for referral").fill("Neck pain after a fall")
    screenshot("follow_up_03_new_episode_form")
    page.get_by_role("button", name="Open the new episode").click()
    expect(page.get_by_text("A new episode is open.")).to_be_visible()
    expect(page.get_by_text("Neck pain after a fall")).to_be_visible()
    expect(page.get_by_text("Persistent pain")).to_be_visible()  # the earlier episode stays
    screenshot("follow_up_04_record_with_history")
