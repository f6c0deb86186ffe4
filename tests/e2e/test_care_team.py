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
