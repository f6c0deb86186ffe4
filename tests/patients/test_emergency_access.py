"""Break-glass (issue #15; security.md C4): Charlie, a South clinician on call tonight, must see
Jannick, a North patient on Ana's caseload. He states why; the record opens for a limited time,
says so on every page, every look is audited as emergency access, and Bob, who leads North,
reviews it. Priya, a programme admin, gives no clinical care and cannot break glass."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from painclinic.models import AuditAction, AuditEvent
from patients.models import EmergencyAccess

REASON = "On call tonight: Jannick phoned the ward with a severe flare-up."


def _record(patient):
    return reverse("patients:detail", kwargs={"patient_id": patient.pk})


def _break_glass(client, identifier="DEMO-JANNICK", reason=REASON):
    return client.post(
        reverse("patients:emergency_access"), {"identifier": identifier, "reason": reason}
    )


@pytest.mark.django_db
def test_charlie_opens_jannicks_record_only_after_stating_a_reason(client, jannick, charlie):
    client.force_login(charlie)
    assert client.get(_record(jannick)).status_code == 404

    response = _break_glass(client)
    assert response.status_code == 302
    assert response["Location"] == _record(jannick)
    page = client.get(_record(jannick))
    assert page.status_code == 200
    banner = page.content.decode()
    assert "Emergency access" in banner
    assert REASON in banner
    grant = EmergencyAccess.objects.get(user=charlie, patient=jannick)
    assert f"until {timezone.localtime(grant.expires_at):%H:%M}" in banner
    # The CLINICAL level: the whole record, every page of it carries the banner.
    treatment = client.get(reverse("treatment:overview", kwargs={"patient_id": jannick.pk}))
    assert treatment.status_code == 200
    assert b'data-testid="break-glass-banner"' in treatment.content


@pytest.mark.django_db
def test_every_look_during_emergency_access_is_marked_in_the_audit_log(
    client, jannick, charlie, ana
):
    client.force_login(charlie)
    _break_glass(client)
    client.get(_record(jannick))
    client.get(reverse("treatment:overview", kwargs={"patient_id": jannick.pk}))
    charlies = AuditEvent.objects.filter(actor=charlie, patient=jannick).order_by("id")
    assert [e.action for e in charlies] == [
        AuditAction.BREAK_GLASS,
        AuditAction.VIEW,
        AuditAction.VIEW,
    ]
    assert all(e.break_glass for e in charlies)
    # Ana, on the care team, is not marked.
    client.force_login(ana)
    client.get(_record(jannick))
    assert not AuditEvent.objects.get(actor=ana, patient=jannick).break_glass


@pytest.mark.django_db
def test_a_reason_is_required_and_nothing_opens_without_one(client, jannick, charlie):
    client.force_login(charlie)
    response = _break_glass(client, reason="flare")
    assert response.status_code == 400
    assert b"flare" in response.content  # what was typed is kept
    assert not EmergencyAccess.objects.exists()
    assert client.get(_record(jannick)).status_code == 404


@pytest.mark.django_db
def test_an_unknown_identifier_opens_nothing(client, jannick, charlie):
    client.force_login(charlie)
    response = _break_glass(client, identifier="NO-SUCH-PATIENT")
    assert response.status_code == 400
    assert b"No patient has this identifier" in response.content
    assert not EmergencyAccess.objects.exists()


@pytest.mark.django_db
def test_emergency_access_expires(client, jannick, charlie, settings):
    settings.BREAK_GLASS_HOURS = 1
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client.force_login(charlie)
        _break_glass(client)
        # Active every 20 minutes, so the idle timeout does not end the session first.
        for _ in range(2):
            traveller.shift(timedelta(minutes=20))
            assert client.get(_record(jannick)).status_code == 200
        traveller.shift(timedelta(minutes=21))
        response = client.get(_record(jannick))
        assert response.status_code == 404
        assert b"Jannick" not in response.content


@pytest.mark.django_db
def test_emergency_access_ends_with_the_session(client, jannick, charlie):
    client.force_login(charlie)
    _break_glass(client)
    client.post(reverse("logout"))
    client.force_login(charlie)
    assert client.get(_record(jannick)).status_code == 404
    assert EmergencyAccess.objects.get().ended_at is not None


@pytest.mark.django_db
def test_it_opens_one_patient_only(client, jannick, susan, charlie):
    client.force_login(charlie)
    _break_glass(client)
    assert client.get(_record(susan)).status_code == 404


@pytest.mark.django_db
def test_a_programme_admin_cannot_break_glass(client, jannick, priya):
    client.force_login(priya)
    assert client.get(reverse("patients:emergency_access")).status_code == 403
    response = _break_glass(client)
    assert response.status_code == 403
    assert b"Jannick" not in response.content
    assert not EmergencyAccess.objects.exists()
    assert client.get(_record(jannick)).status_code == 404


@pytest.mark.django_db
def test_a_team_lead_of_another_team_may_break_glass(client, jannick, fay):
    client.force_login(fay)
    _break_glass(client)
    assert client.get(_record(jannick)).status_code == 200


@pytest.mark.django_db
def test_bob_reviews_charlies_emergency_access_to_his_teams_patient(
    client, jannick, charlie, bob, fay
):
    client.force_login(charlie)
    _break_glass(client)
    client.force_login(bob)
    page = client.get(reverse("team:emergency_reviews"))
    content = page.content.decode()
    assert "Charlie Nguyen" in content
    assert "Jannick" in content
    assert REASON in content
    grant = EmergencyAccess.objects.get()
    response = client.post(
        reverse("team:emergency_review", kwargs={"grant_id": grant.pk}),
        {"note": "Checked with the on-call rota: appropriate."},
    )
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.reviewed_by == bob
    assert grant.review_note.startswith("Checked")
    assert (
        "Reviewed by Bob Hughes" in client.get(reverse("team:emergency_reviews")).content.decode()
    )
    # Fay leads South: Jannick is not her team's patient, so she neither sees nor reviews it.
    client.force_login(fay)
    assert "Jannick" not in client.get(reverse("team:emergency_reviews")).content.decode()
    response = client.post(
        reverse("team:emergency_review", kwargs={"grant_id": grant.pk}), {"note": "x"}
    )
    assert response.status_code == 404


@pytest.mark.django_db
def test_a_review_needs_a_note(client, jannick, charlie, bob):
    client.force_login(charlie)
    _break_glass(client)
    client.force_login(bob)
    grant = EmergencyAccess.objects.get()
    response = client.post(
        reverse("team:emergency_review", kwargs={"grant_id": grant.pk}), {"note": ""}
    )
    assert response.status_code == 400
    grant.refresh_from_db()
    assert grant.reviewed_at is None


@pytest.mark.django_db
def test_clinicians_cannot_open_the_review_list(client, ana):
    client.force_login(ana)
    assert client.get(reverse("team:emergency_reviews")).status_code == 403


@pytest.mark.django_db
def test_someone_already_on_the_care_team_gets_no_grant(client, jannick, ana):
    client.force_login(ana)
    response = _break_glass(client)
    assert response.status_code == 302
    assert response["Location"] == _record(jannick)
    assert not EmergencyAccess.objects.exists()


@pytest.mark.django_db
def test_the_audit_log_page_flags_emergency_access_for_the_lead(client, jannick, charlie, bob):
    client.force_login(charlie)
    _break_glass(client)
    client.get(_record(jannick))
    client.force_login(bob)
    content = client.get(reverse("audit_log"), {"patient": "Jannick"}).content.decode()
    assert 'text-bg-danger">emergency access</span>' in content
    assert "Emergency access to a patient" in content  # the page, in words


@pytest.mark.django_db
def test_the_audit_export_says_which_looks_were_emergency_access(client, jannick, charlie, bob):
    import csv
    import io

    client.force_login(charlie)
    _break_glass(client)
    client.force_login(bob)
    response = client.get(reverse("audit_log_export"), {"patient": "DEMO-JANNICK"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    charlies = [row for row in rows if row["Username"] == "charlie"]
    assert charlies
    assert all(row["Emergency access"] == "yes" for row in charlies)
