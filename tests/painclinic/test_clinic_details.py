"""The clinic's details, printed as the letterhead of every letter (issue #14): Bob, the team
lead, fills them in on one page; clinicians read them only on the letters. One record, created
the first time it is saved, every change audited with the fields that changed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from painclinic import selectors
from painclinic.models import AuditAction, AuditEvent, ClinicDetails

pytestmark = pytest.mark.django_db

URL = reverse("clinic_details")
DETAILS = {
    "name": "North Pain Rehabilitation Service",
    "address": "Level 2, Riverside Health Centre\n12 Mill Lane\nNorthtown NT1 4AB",
    "phone": "01234 567890",
    "email": "pain.north@example.org",
    "website": "https://pain.example.org",
    "rereferral": "",
    "footer": "North Community Health NHS Trust",
}


def test_before_anyone_fills_it_in_the_page_says_letters_have_no_letterhead(client, bob):
    client.force_login(bob)
    response = client.get(URL)
    assert response.status_code == 200
    assert "No clinic details yet" in response.content.decode()
    assert not ClinicDetails.objects.exists()  # reading writes nothing
    assert selectors.clinic_details().is_empty


def test_bob_saves_the_details_once_and_they_are_the_one_record(client, bob):
    client.force_login(bob)
    response = client.post(URL, DETAILS)
    assert response.status_code == 302
    details = ClinicDetails.objects.get()
    assert details.name == "North Pain Rehabilitation Service"
    assert details.address_lines == [
        "Level 2, Riverside Health Centre",
        "12 Mill Lane",
        "Northtown NT1 4AB",
    ]
    assert details.updated_by == bob
    created = AuditEvent.objects.get(actor=bob, object_type="painclinic.clinicdetails")
    assert created.action == AuditAction.CREATE
    page = client.get(URL).content.decode()
    assert "12 Mill Lane" in page
    assert "No clinic details yet" not in page

    client.post(URL, {**DETAILS, "phone": "01234 000000"})
    assert ClinicDetails.objects.count() == 1
    change = AuditEvent.objects.filter(actor=bob, action=AuditAction.CHANGE).latest("id")
    assert change.changed_fields == ["phone"]


def test_saving_without_a_change_writes_no_event(client, bob):
    client.force_login(bob)
    client.post(URL, DETAILS)
    before = AuditEvent.objects.count()
    assert client.post(URL, DETAILS).status_code == 302
    assert AuditEvent.objects.count() == before


def test_a_bad_email_is_shown_with_what_was_typed_and_nothing_is_saved(client, bob):
    client.force_login(bob)
    response = client.post(URL, {**DETAILS, "email": "pain at example"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter a valid email address." in page
    assert "North Pain Rehabilitation Service" in page  # kept as typed
    assert not ClinicDetails.objects.exists()


def test_a_clinician_cannot_change_the_letterhead(client, ana):
    client.force_login(ana)
    assert client.post(URL, DETAILS).status_code == 403
    assert not ClinicDetails.objects.exists()
