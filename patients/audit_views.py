"""The team lead's audit log: browse and export the events of their team's patients and members.

Here, not in painclinic, because the scope is the lead's patients (patients.access). The chain
check (``audit_verify``) needs no patient and stays in painclinic/views.py.
"""

from __future__ import annotations

import csv
from datetime import UTC
from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from painclinic import audit, audit_words, selectors
from painclinic.access import team_lead_view
from painclinic.forms import AuditFilter
from painclinic.models import AuditAction
from patients.access import audit_events_visible_to

if TYPE_CHECKING:
    from django.db.models import QuerySet


def _audit_filter(request: HttpRequest) -> tuple[AuditFilter, QuerySet]:
    filterset = AuditFilter(
        request.GET, queryset=audit_events_visible_to(request.user), user=request.user
    )
    return filterset, (filterset.qs if filterset.is_valid() else filterset.queryset.none())


@require_http_methods(["GET"])
@team_lead_view
def audit_log(request: HttpRequest) -> HttpResponse:
    filterset, events = _audit_filter(request)
    page = selectors.audit_rows(events, request.GET.get("before"))
    query = request.GET.copy()
    query.pop("before", None)
    query.pop("page", None)  # the page numbers of earlier links (issue #16: paged by cursor now)
    return render(
        request,
        "painclinic/audit_log.html",
        {"filter": filterset, "page": page, "querystring": query.urlencode()},
    )


# A cell that starts like a formula is read as one by spreadsheets (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_START) else text


@require_http_methods(["GET"])
@team_lead_view
def audit_log_export(request: HttpRequest) -> HttpResponse:
    """The filtered log as CSV, one line per event; the export is itself audited."""
    filterset, events = _audit_filter(request)
    events = events.select_related("actor", "patient").order_by("at", "id")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit-log.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "When (UTC)",
            "Who",
            "Username",
            "Action",
            "Page",
            "Record",
            "Record id",
            "Patient identifier",
            "Patient",
            "Fields changed",
            "From",
            "Request",
            "Emergency access",
        ]
    )
    for event in events.iterator(chunk_size=2000):
        writer.writerow(
            _cell(value)
            for value in (
                event.at.astimezone(UTC).isoformat(timespec="seconds"),
                event.actor or "",
                event.actor_username,
                event.get_action_display(),
                audit_words.view_words(event.view_name),
                audit_words.object_words(event.object_type),
                event.object_id,
                event.patient.identifier if event.patient else "",
                event.patient.full_name if event.patient else "",
                ", ".join(
                    audit_words.field_words(event.object_type, f) for f in event.changed_fields
                ),
                event.client_address or "",
                event.request_id,
                "yes" if event.break_glass else "",
            )
        )
    audit.record_event(
        actor=request.user,
        action=AuditAction.EXPORT,
        object_type="painclinic.auditevent",
        # The filters used (their names), so the log says what was exported.
        changed_fields=sorted(k for k, v in filterset.form.cleaned_data.items() if v)
        if filterset.is_valid()
        else [],
    )
    return response
