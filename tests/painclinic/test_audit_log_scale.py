"""The audit log page at scale: it reads one page of requests (50) and their events by the
indexed request id, so its queries do not grow with the log (issue #9 siblings)."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from painclinic.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db


def _looks(actor, patient, requests: int, events_per_request: int = 3) -> None:
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor=actor,
            actor_username=actor.username,
            action=AuditAction.VIEW,
            patient=patient,
            object_type="patients.patient",
            object_id=str(patient.pk),
            view_name="patients:detail",
            request_id=request_id,
        )
        for request_id in (uuid.uuid4().hex for _ in range(requests))
        for _ in range(events_per_request)
    )


def _page(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("audit_log"))
    assert response.status_code == 200
    return response, len(queries)


def test_the_log_pages_requests_and_its_queries_do_not_grow_with_the_log(client, bob, ana, jannick):
    client.force_login(bob)
    already = AuditEvent.objects.count()  # registering the demo patients (no request)
    _looks(ana, jannick, requests=3)
    small, few_queries = _page(client)
    assert small.context["page"].paginator.count == already + 3
    _looks(ana, jannick, requests=120)
    large, many_queries = _page(client)
    rows = large.context["page"].object_list
    assert len(rows) == 50
    assert large.context["page"].paginator.count == already + 123
    assert many_queries == few_queries
    # One of those queries reads the page's events by request id (the indexed column).
    assert "audit_request_id" in {index.name for index in AuditEvent._meta.indexes}


def test_events_written_outside_a_request_still_have_their_own_row(client, bob, ana, jannick):
    AuditEvent.objects.create(
        actor=ana,
        actor_username="ana",
        action=AuditAction.VIEW,
        patient=jannick,
        object_type="patients.patient",
        object_id=str(jannick.pk),
    )
    _looks(ana, jannick, requests=1)
    client.force_login(bob)
    response, _ = _page(client)
    rows = response.context["page"].object_list
    assert len(rows) == AuditEvent.objects.filter(request_id="").count() + 1
    assert sum(1 for row in rows if row.request_id) == 1
