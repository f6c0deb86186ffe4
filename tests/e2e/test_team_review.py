"""Bob, lead of the North team, finds a patient who is not on track and reassigns them to Dina."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from painclinic.models import AuditAction, AuditEvent
from tests.assessment.factories import answers_all, signed_result
from tests.factories import ContactFactory, EpisodeFactory


@pytest.mark.django_db(transaction=True)
def test_bob_finds_a_not_on_track_patient_and_reassigns_them(
    page, live_server, login, screenshot, bob, ana, dina, jannick, north
):
    episode = EpisodeFactory(
        team=north,
        lead_clinician=ana,
        care_team=[ana],
        status="active",
        referral_date=date.today() - timedelta(weeks=22),
        status_since=date.today() - timedelta(weeks=18),
        patient__given_name="Olga",
        patient__family_name="Petrova",
        patient__primary_condition="MG30.00",
    )
    ContactFactory(episode=episode, clinician=ana)
    # Fear of movement measured at the start and again 16 weeks in: 33 both times, no change.
    for weeks_ago in (18, 2):
        signed_result(
            patient=episode.patient,
            key="tsk11",
            answers=answers_all("tsk11", 3),
            actor=ana,
            on=date.today() - timedelta(weeks=weeks_ago),
        )

    login("bob")
    page.goto(f"{live_server.url}/team/")
    expect(page.get_by_role("heading", name="Caseload review")).to_be_visible()
    page.get_by_label("Attention list").select_option("not_on_track")
    page.get_by_role("button", name="Filter").click()
    row = page.get_by_role("row", name="Olga Petrova")
    expect(row).to_contain_text("Not on track")
    expect(row).to_contain_text("No reliable improvement after 18 weeks of treatment.")
    screenshot("team_01_not_on_track")

    row.get_by_role("link", name="Review Olga Petrova").click()
    expect(page.get_by_text("lead clinician: Ana Costa")).to_be_visible()
    page.get_by_label("New lead clinician").select_option(label="Dina Okafor")
    page.get_by_label("Note for the clinician").fill(
        "18 weeks without reliable change: please review the formulation."
    )
    screenshot("team_02_reassign_form")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("Ana Costa stays on the care team")).to_be_visible()
    screenshot("team_02b_reassign_confirm")
    page.get_by_role("button", name="Confirm reassignment").click()
    expect(
        page.get_by_text("Olga Petrova is now with Dina Okafor; Ana Costa stays on the care team.")
    ).to_be_visible()
    expect(page.get_by_role("row", name="Olga Petrova Not on track")).to_contain_text("Dina Okafor")
    screenshot("team_03_after_reassign")

    episode.refresh_from_db()
    assert episode.lead_clinician == dina
    assert AuditEvent.objects.filter(
        patient=episode.patient, action=AuditAction.REASSIGN, actor=bob
    ).exists()

    # Dina finds Bob's note on her caseload and marks it read.
    page.context.clear_cookies()
    login("dina")
    page.goto(f"{live_server.url}/caseload/")
    expect(page.get_by_text("18 weeks without reliable change")).to_be_visible()
    screenshot("team_04_note_on_caseload")
    page.get_by_role("button", name="Mark as read").click()
    expect(page.get_by_text("Review note marked as read.")).to_be_visible()
    expect(page.get_by_text("18 weeks without reliable change")).to_have_count(0)
