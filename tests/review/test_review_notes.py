"""Bob's review notes reach the clinician: on Ana's caseload and on Jannick's record until she
marks them read (audited). Reassigning Jannick from Ana to Dina keeps Ana on the care team unless
Bob removes her, says so before he confirms, and puts it on Jannick's timeline."""

from __future__ import annotations

import pytest
from django.urls import reverse

from painclinic.models import AuditAction, AuditEvent
from patients import services
from patients.models import CareTeamMember, LeadChange, ReviewNote

pytestmark = pytest.mark.django_db


def _members(episode):
    return set(
        CareTeamMember.objects.filter(episode=episode).values_list("user__username", flat=True)
    )


def test_a_note_to_ana_shows_on_her_caseload_and_the_record_until_she_reads_it(
    client, bob, ana, jannick
):
    note = services.review_note_add(
        actor=bob, episode=jannick.episodes.get(), text="Consider PHQ-9"
    )
    client.force_login(ana)
    caseload = client.get(reverse("caseload")).content.decode()
    assert "A note from your team lead" in caseload
    assert "Consider PHQ-9" in caseload
    assert "note from your team lead</a>" in caseload  # on Jannick's row too
    assert AuditEvent.objects.filter(
        actor=ana, action=AuditAction.VIEW, patient=jannick, object_type="patients.reviewnote"
    ).exists()
    record = client.get(reverse("patients:detail", kwargs={"patient_id": jannick.pk}))
    assert "Consider PHQ-9" in record.content.decode()
    assert "unread" in record.content.decode()

    read_url = reverse(
        "patients:review_note_read", kwargs={"patient_id": jannick.pk, "note_id": note.pk}
    )
    response = client.post(read_url, {"next": reverse("caseload")})
    assert response.status_code == 302
    assert response["Location"] == reverse("caseload")
    note.refresh_from_db()
    assert note.acknowledged_at is not None
    assert (
        AuditEvent.objects.filter(
            actor=ana,
            action=AuditAction.CHANGE,
            object_type="patients.reviewnote",
            changed_fields=["acknowledged_at"],
        ).count()
        == 1
    )
    assert "Consider PHQ-9" not in client.get(reverse("caseload")).content.decode()
    record = client.get(reverse("patients:detail", kwargs={"patient_id": jannick.pk}))
    assert "Consider PHQ-9" in record.content.decode()
    assert "read " in record.content.decode()


def test_only_the_addressee_can_mark_a_note_read_and_next_must_be_local(
    client, bob, ana, dina, jannick
):
    episode = jannick.episodes.get()
    CareTeamMember.objects.create(episode=episode, user=dina)
    note = services.review_note_add(actor=bob, episode=episode, text="Goals?")
    url = reverse(
        "patients:review_note_read", kwargs={"patient_id": jannick.pk, "note_id": note.pk}
    )
    client.force_login(dina)
    client.post(url)
    note.refresh_from_db()
    assert note.acknowledged_at is None
    client.force_login(ana)
    response = client.post(url, {"next": "https://evil.example/"})
    assert response["Location"] == reverse("patients:detail", kwargs={"patient_id": jannick.pk})


def test_bob_confirms_a_reassignment_that_keeps_ana_on_the_care_team(
    client, bob, ana, dina, jannick
):
    url = reverse("team:reassign", kwargs={"patient_id": jannick.pk})
    client.force_login(bob)
    data = {"to_clinician": dina.pk, "note": "Please take over"}
    confirm = client.post(url, data)
    text = confirm.content.decode()
    assert confirm.status_code == 200
    assert "Ana Costa stays on the care team" in text
    assert jannick.episodes.get().lead_clinician == ana  # nothing changed yet
    client.post(url, {**data, "confirm": "1"})
    episode = jannick.episodes.get()
    assert episode.lead_clinician == dina
    assert _members(episode) == {"ana", "dina"}
    change = LeadChange.objects.get(episode=episode)
    assert (change.from_lead, change.to_lead, change.previous_lead_kept) == (ana, dina, True)
    assert ReviewNote.objects.get(episode=episode).addressed_to == dina

    client.force_login(ana)  # Ana still sees Jannick and reads what happened
    record = client.get(reverse("patients:detail", kwargs={"patient_id": jannick.pk}))
    assert record.status_code == 200
    assert "Reassigned by Bob Hughes" in record.content.decode()
    assert "Ana Costa stays on the care team." in record.content.decode()


def test_removing_the_previous_lead_is_explicit_and_said_everywhere(
    client, bob, ana, dina, jannick
):
    url = reverse("team:reassign", kwargs={"patient_id": jannick.pk})
    client.force_login(bob)
    data = {"to_clinician": dina.pk, "remove_previous_lead": "on"}
    assert "is removed from the care team" in client.post(url, data).content.decode()
    client.post(url, {**data, "confirm": "1"})
    episode = jannick.episodes.get()
    assert _members(episode) == {"dina"}
    assert LeadChange.objects.get(episode=episode).previous_lead_kept is False
    client.force_login(dina)
    record = client.get(reverse("patients:detail", kwargs={"patient_id": jannick.pk}))
    assert "Ana Costa was removed from the care team." in record.content.decode()


def test_the_change_button_returns_to_the_form_with_what_was_typed(client, bob, dina, jannick):
    url = reverse("team:reassign", kwargs={"patient_id": jannick.pk})
    client.force_login(bob)
    page = client.post(url, {"to_clinician": dina.pk, "note": "Typed note", "edit": "1"})
    assert "Typed note" in page.content.decode()
    assert jannick.episodes.get().lead_clinician != dina
