"""A list or a search shows who the patients are: the audit log says which patients each page
showed, one event per patient listed, written together (issue #15)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from painclinic.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db


def _shown(ana, view_name):
    return set(
        AuditEvent.objects.filter(
            actor=ana, action=AuditAction.VIEW, view_name=view_name
        ).values_list("patient_id", flat=True)
    )


def test_the_patient_list_audits_the_patients_it_showed(client, ana, jannick, susan):
    client.force_login(ana)
    assert client.get(reverse("patients:list")).status_code == 200
    assert _shown(ana, "patients:list") == {jannick.pk, susan.pk}
    events = AuditEvent.objects.filter(view_name="patients:list")
    assert set(events.values_list("object_type", flat=True)) == {"patients.patient"}
    assert len(set(events.values_list("request_id", flat=True))) == 1


def test_a_live_search_audits_only_the_patients_it_found(client, ana, jannick, susan):
    client.force_login(ana)
    response = client.get(reverse("patients:list"), {"q": "jann"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert _shown(ana, "patients:list") == {jannick.pk}


def test_a_search_that_finds_nobody_writes_nothing(client, ana, jannick):
    client.force_login(ana)
    client.get(reverse("patients:list"), {"q": "nobody-by-that-name"}, HTTP_HX_REQUEST="true")
    assert not AuditEvent.objects.filter(view_name="patients:list").exists()


def test_the_caseload_audits_the_patients_it_showed(client, ana, jannick, susan):
    client.force_login(ana)
    assert client.get(reverse("caseload")).status_code == 200
    assert _shown(ana, "caseload") == {jannick.pk, susan.pk}
