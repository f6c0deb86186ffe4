"""The care team around the patient (issue #13): who may add and remove members, the lead
handover with its note, and the care-team page as the lead clinician, a member and a team lead
use it."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from painclinic.models import AuditAction, AuditEvent, Discipline, Role
from patients import services
from patients.access import can_view_patient
from patients.models import CareTeamChange, CareTeamChangeKind, CareTeamMember, LeadChange
from tests.factories import UserFactory


@pytest.fixture
def pharmacist(north):
    return UserFactory(
        username="petra",
        first_name="Petra",
        last_name="Lindqvist",
        role=Role.CLINICIAN,
        discipline=Discipline.PHARMACIST,
        team=north,
    )


@pytest.fixture
def episode(jannick):
    return jannick.episodes.get()


def _members(episode) -> set[str]:
    return set(
        CareTeamMember.objects.filter(episode=episode).values_list("user__username", flat=True)
    )


# --- Services -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_lead_clinician_adds_a_pharmacist_who_can_then_open_the_record(
    ana, episode, pharmacist, jannick
):
    assert not can_view_patient(pharmacist, jannick)
    services.care_team_add(actor=ana, episode=episode, member=pharmacist)
    assert _members(episode) == {"ana", "petra"}
    assert can_view_patient(pharmacist, jannick)
    change = CareTeamChange.objects.get(episode=episode)
    assert (change.member, change.kind, change.changed_by) == (
        pharmacist,
        CareTeamChangeKind.ADDED,
        ana,
    )
    assert AuditEvent.objects.filter(
        actor=ana, action=AuditAction.CHANGE, patient=jannick, changed_fields=["care_team"]
    ).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("discipline", ["social_worker", "addiction_specialist", "nurse"])
def test_the_wider_team_disciplines_may_join_a_care_team(ana, episode, north, discipline):
    colleague = UserFactory(role=Role.CLINICIAN, discipline=discipline, team=north)
    services.care_team_add(actor=ana, episode=episode, member=colleague)
    assert colleague.username in _members(episode)


@pytest.mark.django_db
def test_the_team_lead_may_add_too(bob, episode, dina):
    services.care_team_add(actor=bob, episode=episode, member=dina)
    assert "dina" in _members(episode)


@pytest.mark.django_db
def test_a_member_who_is_not_the_lead_cannot_add_or_remove(ana, dina, episode, pharmacist):
    services.care_team_add(actor=ana, episode=episode, member=dina)
    with pytest.raises(ValidationError, match="Only the lead clinician or the team lead"):
        services.care_team_add(actor=dina, episode=episode, member=pharmacist)
    with pytest.raises(ValidationError, match="Only the lead clinician or the team lead"):
        services.care_team_remove(actor=dina, episode=episode, member=dina)
    assert _members(episode) == {"ana", "dina"}


@pytest.mark.django_db
def test_a_programme_admin_is_never_added(ana, episode, priya, jannick):
    with pytest.raises(ValidationError, match="does not give clinical care"):
        services.care_team_add(actor=ana, episode=episode, member=priya)
    assert not can_view_patient(priya, jannick)
    assert not CareTeamChange.objects.exists()


@pytest.mark.django_db
def test_a_clinician_of_another_team_is_not_added(ana, episode, charlie):
    with pytest.raises(ValidationError, match="is not a member of"):
        services.care_team_add(actor=ana, episode=episode, member=charlie)


@pytest.mark.django_db
def test_a_member_is_not_added_twice(ana, episode, pharmacist):
    services.care_team_add(actor=ana, episode=episode, member=pharmacist)
    with pytest.raises(ValidationError, match="already on the care team"):
        services.care_team_add(actor=ana, episode=episode, member=pharmacist)
    assert CareTeamChange.objects.filter(episode=episode).count() == 1


@pytest.mark.django_db
def test_removal_ends_the_place_and_keeps_the_history(ana, episode, pharmacist, jannick):
    services.care_team_add(actor=ana, episode=episode, member=pharmacist)
    services.care_team_remove(actor=ana, episode=episode, member=pharmacist)
    assert _members(episode) == {"ana"}
    assert not can_view_patient(pharmacist, jannick)
    kinds = list(
        CareTeamChange.objects.filter(episode=episode, member=pharmacist).values_list(
            "kind", flat=True
        )
    )
    assert kinds == [CareTeamChangeKind.ADDED, CareTeamChangeKind.REMOVED]


@pytest.mark.django_db
def test_the_lead_clinician_is_not_removed(bob, ana, episode):
    with pytest.raises(ValidationError, match="hand over the lead before removing"):
        services.care_team_remove(actor=bob, episode=episode, member=ana)
    assert _members(episode) == {"ana"}


@pytest.mark.django_db
def test_a_discharged_episodes_care_team_stays_as_it_was(ana, episode, pharmacist):
    from datetime import date

    services.episode_change_status(
        actor=ana,
        episode=episode,
        to_status="discharged",
        changed_on=date.today(),
        discharge_reason="goals_met",
    )
    with pytest.raises(ValidationError, match="discharged"):
        services.care_team_add(actor=ana, episode=episode, member=pharmacist)


@pytest.mark.django_db
def test_the_lead_hands_over_with_a_note_recorded_on_the_timeline(ana, dina, episode, client):
    services.lead_handover(
        actor=ana, episode=episode, to_clinician=dina, note="Flare-up plan agreed; call weekly."
    )
    episode.refresh_from_db()
    assert episode.lead_clinician == dina
    assert _members(episode) == {"ana", "dina"}  # the previous lead stays unless removed
    change = LeadChange.objects.get(episode=episode)
    assert (change.from_lead, change.to_lead, change.note) == (
        ana,
        dina,
        "Flare-up plan agreed; call weekly.",
    )
    assert AuditEvent.objects.filter(actor=ana, action=AuditAction.REASSIGN).exists()
    client.force_login(dina)
    record = client.get(reverse("patients:detail", kwargs={"patient_id": episode.patient_id}))
    assert "Flare-up plan agreed; call weekly." in record.content.decode()


@pytest.mark.django_db
def test_the_handover_can_take_the_previous_lead_off_the_care_team(bob, ana, dina, episode):
    services.lead_handover(actor=bob, episode=episode, to_clinician=dina, keep_previous_lead=False)
    assert _members(episode) == {"dina"}
    assert CareTeamChange.objects.filter(member=ana, kind=CareTeamChangeKind.REMOVED).exists()


@pytest.mark.django_db
def test_only_the_lead_or_the_team_lead_hands_over(ana, dina, episode):
    services.care_team_add(actor=ana, episode=episode, member=dina)
    with pytest.raises(ValidationError, match="Only the lead clinician or the team lead"):
        services.lead_handover(actor=dina, episode=episode, to_clinician=dina)
    episode.refresh_from_db()
    assert episode.lead_clinician == ana


@pytest.mark.django_db
def test_two_handovers_at_once_do_not_both_go_through(ana, bob, dina, episode, north):
    from painclinic.concurrency import edit_token

    token = edit_token(episode, ("lead_clinician",))  # both forms opened on Ana's lead
    services.lead_handover(actor=bob, episode=episode, to_clinician=dina, edit_token=token)
    other = UserFactory(role=Role.CLINICIAN, discipline=Discipline.NURSE, team=north)
    with pytest.raises(services.EditConflict):
        services.lead_handover(actor=bob, episode=episode, to_clinician=other, edit_token=token)
    episode.refresh_from_db()
    assert episode.lead_clinician == dina


@pytest.mark.django_db
def test_the_team_leads_reassignment_still_works_through_the_same_move(bob, ana, dina, episode):
    services.patient_reassign(actor=bob, episode=episode, to_clinician=dina, note="Please see")
    episode.refresh_from_db()
    assert episode.lead_clinician == dina
    assert CareTeamChange.objects.filter(member=dina, kind=CareTeamChangeKind.ADDED).exists()


# --- The page -------------------------------------------------------------------------------


# Constant in the number of members: session, user, patient through the policy, the shown
# episode, its team's pickers (add, handover), the episode list, members, care-team changes and
# lead changes each once, the audit chain (lock, head, INSERT), the app frame's notification
# count, with the test savepoints.
# -3 (issue #16): the session is renewed once a minute, not saved (3 queries) on every page.
# -1 (issue #16): the audit chain's lock and head are read in one statement.
# -1 (issue #16): the session's authenticator is read with the user (no query of its own).
# -1 (issue #16): whether there are unread notifications is read with the user.
# - 1: the page's audit event is one statement (painclinic migration 0013)
CARE_TEAM_PAGE_QUERIES = 13


def _url(patient) -> str:
    return reverse("patients:care_team", kwargs={"patient_id": patient.pk})


@pytest.mark.django_db
def test_the_page_lists_members_with_role_and_discipline(client, ana, dina, bob, jannick, episode):
    services.care_team_add(actor=ana, episode=episode, member=dina)
    client.force_login(ana)
    page = client.get(_url(jannick)).content.decode()
    assert "Ana Costa" in page
    assert "Physiotherapist" in page
    assert "Lead clinician" in page
    assert "Dina Okafor" in page
    assert "Psychologist" in page
    assert "Add a member" in page
    assert "Hand over the lead" in page


@pytest.mark.django_db
def test_a_member_sees_the_team_but_no_forms(client, ana, dina, jannick, episode):
    services.care_team_add(actor=ana, episode=episode, member=dina)
    client.force_login(dina)
    page = client.get(_url(jannick)).content.decode()
    assert "Ana Costa" in page
    assert "Add a member" not in page
    assert "Hand over the lead" not in page


@pytest.mark.django_db
def test_the_add_form_offers_no_programme_admin(client, ana, priya, jannick, pharmacist):
    client.force_login(ana)
    page = client.get(_url(jannick)).content.decode()
    assert "Petra Lindqvist (Pharmacist)" in page
    assert "Priya" not in page


@pytest.mark.django_db
def test_a_forged_add_of_a_programme_admin_is_refused_on_the_page(client, ana, priya, jannick):
    client.force_login(ana)
    response = client.post(_url(jannick), {"action": "add", "member": priya.pk})
    assert response.status_code == 400
    assert "Choose a clinician of the team" in response.content.decode()
    assert not can_view_patient(priya, jannick)


@pytest.mark.django_db
def test_a_clinician_off_the_care_team_gets_no_page(client, dina, jannick):
    # Dina is not on the care team and does not lead: she cannot open the record at all (404).
    client.force_login(dina)
    assert client.get(_url(jannick)).status_code == 404


@pytest.mark.django_db
def test_a_handover_form_error_keeps_what_was_typed(client, ana, jannick):
    client.force_login(ana)
    response = client.post(
        _url(jannick), {"action": "handover", "to_clinician": "", "note": "Goes on leave Friday"}
    )
    assert response.status_code == 400
    assert "Goes on leave Friday" in response.content.decode()


@pytest.mark.django_db
def test_the_page_adds_and_removes_through_the_forms(client, ana, jannick, episode, pharmacist):
    client.force_login(ana)
    response = client.post(_url(jannick), {"action": "add", "member": pharmacist.pk})
    assert response.status_code == 302
    assert "petra" in _members(episode)
    response = client.post(_url(jannick), {"action": "remove", "member": pharmacist.pk})
    assert response.status_code == 302
    assert "petra" not in _members(episode)
    history = client.get(response["Location"]).content.decode()
    assert "left the care team" in history
    assert "joined the care team" in history


@pytest.mark.django_db
def test_removing_the_lead_on_the_page_says_why_not(client, bob, ana, jannick, episode):
    client.force_login(bob)
    response = client.post(_url(jannick), {"action": "remove", "member": ana.pk})
    assert response.status_code == 400
    assert "hand over the lead before removing" in response.content.decode()
    assert "ana" in _members(episode)


@pytest.mark.django_db
def test_the_care_team_page_queries_do_not_grow_with_members(client, ana, jannick, episode, north):
    client.force_login(ana)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(_url(jannick)).status_code == 200
        return len(queries)

    few = count()
    for _ in range(8):
        member = UserFactory(role=Role.CLINICIAN, discipline=Discipline.NURSE, team=north)
        services.care_team_add(actor=ana, episode=episode, member=member)
    many = count()
    assert few == many == CARE_TEAM_PAGE_QUERIES


@pytest.mark.django_db
def test_a_handover_over_someone_elses_is_refused_and_names_the_lead_now(
    client, ana, bob, dina, jannick, episode, north
):
    """Two handovers at once on the page: the later form gets 409 with what was typed and who
    leads now; no REASSIGN is written."""
    client.force_login(bob)
    page = client.get(_url(jannick)).content.decode()
    token = re.search(r'name="edit_token" value="([0-9a-f]+)"', page).group(1)
    services.lead_handover(actor=ana, episode=episode, to_clinician=dina)  # meanwhile
    olle = UserFactory(role=Role.CLINICIAN, discipline=Discipline.NURSE, team=north)
    reassigned = AuditEvent.objects.filter(action=AuditAction.REASSIGN).count()
    posted = {"action": "handover", "to_clinician": olle.pk, "note": "Back in May"}
    refused = client.post(_url(jannick), {**posted, "edit_token": token})
    assert refused.status_code == 409
    page = refused.content.decode()
    assert "Back in May" in page
    assert f"<td>Lead clinician</td><td>{dina}</td>" in page
    assert AuditEvent.objects.filter(action=AuditAction.REASSIGN).count() == reassigned
    episode.refresh_from_db()
    assert episode.lead_clinician == dina
