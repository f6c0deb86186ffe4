"""Ana downloads Jannick's record as FHIR from his record page; others get the same 404 as for
any record page (the persona matrix in tests/test_access.py covers the URL), and every download
is audited once."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from painclinic.models import AuditAction, AuditEvent
from tests.assessment.factories import answers_all, signed_result

pytestmark = pytest.mark.django_db


def _url(patient):
    return reverse("interop:patient_fhir", kwargs={"patient_id": patient.pk})


def test_ana_downloads_jannicks_record_as_fhir_json_and_it_is_audited_once(client, ana, jannick):
    signed_result(patient=jannick, key="phq9", answers=answers_all("phq9", 1), actor=ana)
    client.force_login(ana)
    before = AuditEvent.objects.filter(patient=jannick).count()

    response = client.get(_url(jannick))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")
    assert 'filename="fhir-record-demo-jannick-' in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    bundle = json.loads(response.content)
    assert bundle["resourceType"] == "Bundle"
    events = AuditEvent.objects.filter(patient=jannick).order_by("id")[before:]
    assert [(e.action, e.object_type, e.object_id) for e in events] == [
        (AuditAction.EXPORT, "fhir.bundle", bundle["id"])
    ]


def test_the_record_page_offers_the_export(client, ana, jannick):
    client.force_login(ana)
    page = client.get(reverse("patients:detail", kwargs={"patient_id": jannick.pk}))
    assert _url(jannick).encode() in page.content
    assert reverse("interop:questionnaires").encode() in page.content


@pytest.mark.parametrize("persona", ["charlie", "dina", "priya", "fay"])
def test_nobody_outside_jannicks_care_gets_his_record_or_an_export_event(
    client, jannick, persona, request
):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(_url(jannick))
    assert response.status_code == 404
    assert b"Jannick" not in response.content
    assert not AuditEvent.objects.filter(patient=jannick, action=AuditAction.EXPORT).exists()


def test_the_export_url_is_in_the_access_suite():
    from tests.test_access import patient_urls

    assert "interop:patient_fhir" in {name for name, _ in patient_urls()}


def test_clinicians_download_questionnaire_definitions_without_patient_data(client, ana, jannick):
    client.force_login(ana)
    response = client.get(reverse("interop:questionnaires"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")
    bundle = json.loads(response.content)
    assert {e["resource"]["resourceType"] for e in bundle["entry"]} == {"Questionnaire"}
    assert b"Jannick" not in response.content


def test_a_programme_admin_gets_no_questionnaire_definitions(client, priya):
    client.force_login(priya)
    assert client.get(reverse("interop:questionnaires")).status_code == 403


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(reverse("interop:questionnaires"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]
