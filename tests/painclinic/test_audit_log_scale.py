"""The audit log page at scale: it reads one page of requests (50) and their events by the
indexed request id, so its queries do not grow with the log (issue #9 siblings)."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.db.models import Max
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


def _all_pages(client, **query):
    """Every row of the log, following the "Older" links from the newest page."""
    rows, pages = [], 0
    while True:
        response = client.get(reverse("audit_log"), query)
        assert response.status_code == 200
        page = response.context["page"]
        rows += page.object_list
        pages += 1
        if not page.older:
            return rows, pages
        query = {**query, "before": page.older}


def test_the_log_pages_requests_and_its_queries_do_not_grow_with_the_log(client, bob, ana, jannick):
    client.force_login(bob)
    already = AuditEvent.objects.count()  # registering the demo patients (no request)
    _looks(ana, jannick, requests=3)
    small, few_queries = _page(client)
    assert len(small.context["page"].object_list) == already + 3
    assert small.context["page"].older is None
    _looks(ana, jannick, requests=120)
    large, many_queries = _page(client)
    rows = large.context["page"].object_list
    assert len(rows) == 50
    assert large.context["page"].older
    assert many_queries == few_queries
    # One of those queries reads the page's events by request id (the indexed column).
    assert "audit_request_id" in {index.name for index in AuditEvent._meta.indexes}


def test_a_log_of_list_pages_is_read_a_step_at_a_time(client, bob, ana, jannick):
    """A list page writes one event per record shown (the caseload 50): a page of such requests
    is ~2,500 events, read 1,000 at a time (issue #16: steps that grew read more events than
    needed when two steps sufficed, and were slower side by side), and every request is still met
    once across the pages."""
    client.force_login(bob)
    _looks(ana, jannick, requests=3)
    _, few_queries = _page(client)
    _looks(ana, jannick, requests=60, events_per_request=50)
    response, queries = _page(client)
    assert len(response.context["page"].object_list) == 50
    assert queries == few_queries + 2  # two more reads of 1,000 events than a page of small ones
    rows, _ = _all_pages(client)
    in_requests = [row.request_id for row in rows if row.request_id]
    assert len(in_requests) == len(set(in_requests)) == 63


def test_older_pages_show_every_request_once_newest_first(client, bob, ana, dina, jannick):
    """Paged by a cursor (issue #16: no count of the whole log): following "Older" from the
    newest page meets each request exactly once, in the order of its newest event, even a
    request whose events fall on both sides of a page's edge, and events outside a request."""
    client.force_login(bob)
    _looks(ana, jannick, requests=60)
    _looks(dina, jannick, requests=45, events_per_request=1)
    # A request whose first event is old and whose last one is the newest of all: its row is
    # the newest, and it does not come back further down.
    straddling = AuditEvent.objects.filter(actor=ana).order_by("id").first().request_id
    AuditEvent.objects.create(
        actor=ana,
        actor_username="ana",
        action=AuditAction.VIEW,
        patient=jannick,
        object_type="patients.patient",
        object_id=str(jannick.pk),
        view_name="patients:detail",
        request_id=straddling,
    )
    rows, pages = _all_pages(client)
    in_requests = [row.request_id for row in rows if row.request_id]
    assert len(in_requests) == len(set(in_requests)) == 105  # none twice, none missing
    assert len(rows) - len(in_requests) == AuditEvent.objects.filter(request_id="").count()
    assert pages == 3
    assert rows[0].request_id == straddling
    newest = dict(
        AuditEvent.objects.exclude(request_id="")
        .values("request_id")
        .annotate(newest=Max("id"))
        .values_list("request_id", "newest")
    )
    order = [newest[key] for key in in_requests]
    assert order == sorted(order, reverse=True)
    # The filters still apply page after page.
    dina_rows, _ = _all_pages(client, actor=dina.pk)
    assert len(dina_rows) == 45


def test_a_malformed_or_stale_cursor_shows_the_newest_page(client, bob, ana, jannick):
    _looks(ana, jannick, requests=2)
    client.force_login(bob)
    newest = _page(client)[0].context["page"].object_list
    for cursor in ("nonsense", "12-", "-5", "1-99999999999999999999999"):
        response = client.get(reverse("audit_log"), {"before": cursor})
        assert response.status_code == 200
        assert [r.request_id for r in response.context["page"].object_list] == [
            r.request_id for r in newest
        ]


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
