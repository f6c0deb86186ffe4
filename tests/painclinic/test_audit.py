"""The audit trail: who saw or changed which record, when and from where; append-only."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from painclinic.models import AuditAction, AuditEvent


def _detail(patient):
    return reverse("patients:detail", kwargs={"patient_id": patient.pk})


@pytest.mark.django_db
def test_ana_opening_jannicks_record_writes_exactly_one_view_event(client, jannick, ana):
    client.force_login(ana)
    before = AuditEvent.objects.count()
    response = client.get(_detail(jannick), REMOTE_ADDR="10.1.2.3", HTTP_USER_AGENT="ClinicPC/1.0")
    assert response.status_code == 200
    events = list(AuditEvent.objects.order_by("id")[before:])
    assert len(events) == 1
    event = events[0]
    assert event.action == AuditAction.VIEW
    assert event.actor == ana
    assert event.patient_id == jannick.pk
    assert event.client_address == "10.1.2.3"
    assert event.user_agent == "ClinicPC/1.0"
    assert event.view_name == "patients:detail"
    assert event.request_id == response["X-Request-ID"]


@pytest.mark.django_db
def test_an_edit_records_the_changed_field_names_but_not_their_content(client, jannick, ana):
    client.force_login(ana)
    form = client.get(reverse("patients:edit", kwargs={"patient_id": jannick.pk})).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data["phone"] = "07700 900999"
    data["interpreter_needed"] = ""
    before = AuditEvent.objects.count()
    response = client.post(reverse("patients:edit", kwargs={"patient_id": jannick.pk}), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    events = list(AuditEvent.objects.order_by("id")[before:])
    assert [(e.action, e.changed_fields) for e in events] == [(AuditAction.CHANGE, ["phone"])]
    serialised = str(events[0].__dict__)
    assert "07700 900999" not in serialised


@pytest.mark.django_db
def test_a_refused_look_at_a_record_is_audited_as_denied(client, jannick, charlie):
    client.force_login(charlie)
    client.get(_detail(jannick))
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.actor, event.patient_id) == (
        AuditAction.DENIED,
        charlie,
        jannick.pk,
    )


@pytest.mark.django_db
def test_failed_login_is_audited_with_the_username_only(client, ana):
    client.post(reverse("login"), {"username": "ana", "password": "wrong password 123"})
    event = AuditEvent.objects.latest("id")
    assert event.action == AuditAction.LOGIN_FAILED
    assert event.actor_username == "ana"
    assert "wrong password" not in str(event.__dict__)


@pytest.mark.django_db
def test_the_database_refuses_to_update_an_audit_event(jannick, ana):
    event = AuditEvent.objects.create(actor=ana, action=AuditAction.VIEW, patient=jannick)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action=AuditAction.CHANGE)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE painclinic_auditevent SET actor_username = 'someone' WHERE id = %s",
            [event.pk],
        )
    event.refresh_from_db()
    assert event.action == AuditAction.VIEW


@pytest.mark.django_db
def test_the_database_refuses_to_delete_an_audit_event(jannick, ana):
    event = AuditEvent.objects.create(actor=ana, action=AuditAction.VIEW, patient=jannick)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM painclinic_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db
def test_bob_browses_the_audit_log_of_his_teams_patients_only(client, jannick, ana, bob, charlie):
    from tests.factories import EpisodeFactory

    other = EpisodeFactory(
        lead_clinician=charlie,
        team=charlie.teams.first(),
        care_team=[charlie],
        patient__identifier="SOUTH-1",
    ).patient
    client.force_login(ana)
    client.get(_detail(jannick))
    client.force_login(charlie)
    client.get(_detail(other))
    client.force_login(bob)
    page = client.get(reverse("audit_log")).content.decode()
    assert "DEMO-JANNICK" in page
    assert "SOUTH-1" not in page
    filtered = client.get(reverse("audit_log"), {"action": "view", "patient": "DEMO-JANNICK"})
    assert filtered.status_code == 200
    rows = filtered.context["page"].object_list
    assert len(rows) == AuditEvent.objects.filter(patient=jannick, action="view").count() == 1
    assert rows[0].patients == [jannick]
    assert rows[0].page == "Patient record"


def test_a_server_error_shows_the_request_id_and_no_traceback(rf):
    from painclinic.views import server_error

    request = rf.get("/")
    request.request_id = "abc123def456"
    response = server_error(request)
    assert response.status_code == 500
    assert b"abc123def456" in response.content
    assert b"Traceback" not in response.content
