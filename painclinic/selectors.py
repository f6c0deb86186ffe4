from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Case, CharField, F, Max, Q, QuerySet, Value, When
from django.db.models.functions import Cast, Concat

from painclinic import audit_chain, audit_words
from painclinic.celery import app as celery_app
from painclinic.models import AuditAction, AuditEvent, ClinicDetails
from painclinic.tasks import health_ping


@dataclass(frozen=True)
class WorkerHealth:
    mode: str  # "in-process" or "workers"
    ok: bool
    workers: list[str]
    round_trip_ms: float | None
    error: str = ""


def worker_health(*, timeout: float = 3.0) -> WorkerHealth:
    """Ask the workers to answer, and time one real task through the broker (performance.md R7)."""
    if celery_app.conf.task_always_eager:
        started = time.perf_counter()
        health_ping.apply().get()
        return WorkerHealth(
            mode="in-process",
            ok=True,
            workers=[],
            round_trip_ms=(time.perf_counter() - started) * 1000,
        )
    try:
        replies = celery_app.control.inspect(timeout=min(timeout, 1.0)).ping() or {}
        started = time.perf_counter()
        health_ping.apply_async(queue=settings.CELERY_TASK_DEFAULT_QUEUE).get(timeout=timeout)
        elapsed = (time.perf_counter() - started) * 1000
    except Exception as exc:  # the broker or every worker is down: say so, do not crash
        return WorkerHealth(
            mode="workers",
            ok=False,
            workers=sorted(locals().get("replies", {}) or {}),
            round_trip_ms=None,
            error=f"{type(exc).__name__}: {exc}",
        )
    return WorkerHealth(mode="workers", ok=True, workers=sorted(replies), round_trip_ms=elapsed)


# --- The audit log, one row per request (issue #9) ------------------------------------------
# A page writes one event per record it shows (a cohort page, an admin list), so the raw log has
# many rows for one look. The team lead reads one row per request: who, when, which page, which
# patients and which kinds of record; the CSV export keeps every event.

AUDIT_ROW_PATIENTS_SHOWN = 5


@dataclass
class AuditRow:
    at: Any
    who: str
    actions: list[str]
    page: str
    patients: list[Any]
    more_patients: int
    records: list[str]
    fields: list[str]
    client_address: str
    request_id: str
    view_name: str = ""
    actor_key: str = ""
    patient_ids: tuple = ()
    parts: list[str] = dataclass_field(default_factory=list)
    break_glass: bool = False  # the actor reached the patient by emergency access


# A chart image or a panel fetched by a page after it loads is its own request and is audited as
# its own VIEW; shown beside the page that asked for it, one look at a record is one row.
PAGE_PARTS = {
    "assessment:chart",
    "assessment:score_preview",
    "treatment:section",
    "treatment:gas_chart",
    "treatment:hierarchy_chart",
    "treatment:exposure_chart",
    "treatment:pacing_chart",
    "sced:plot_image",
    "sced:results_panel",
}
PAGE_PART_WINDOW = timedelta(minutes=2)


def _request_key():
    """Events of one request share its id; an event written outside a request stands alone."""
    return Case(
        When(request_id="", then=Concat(Value("event-"), Cast("id", CharField()))),
        default=F("request_id"),
        output_field=CharField(),
    )


def audit_rows(events: QuerySet, page_number: Any, per_page: int = 50):
    """A page of the (already filtered) log, one AuditRow per request, newest first."""
    groups = (
        events.annotate(request_key=_request_key())
        .values("request_key")
        .annotate(last_at=Max("at"), last_id=Max("id"))
        .order_by("-last_at", "-last_id")
    )
    page = Paginator(groups, per_page).get_page(page_number)
    keys = [group["request_key"] for group in page.object_list]
    by_key: dict[str, list] = {key: [] for key in keys}
    # The page's events by request id (indexed) or, for an event outside a request, by its id:
    # never a filter on the computed key, which would read every event the lead may see.
    request_ids = [key for key in keys if not key.startswith("event-")]
    event_ids = [int(key.removeprefix("event-")) for key in keys if key.startswith("event-")]
    rows = (
        events.filter(Q(request_id__in=request_ids) | Q(request_id="", id__in=event_ids))
        .annotate(request_key=_request_key())
        .select_related("actor", "patient")
        .order_by("at", "id")
    )
    for event in rows:
        by_key[event.request_key].append(event)
    page.object_list = _with_parts_on_their_page(
        [_audit_row(by_key[key]) for key in keys if by_key[key]]
    )
    return page


def _with_parts_on_their_page(rows: list[AuditRow]) -> list[AuditRow]:
    """Fold each chart or panel request into the page the same person opened on the same
    patients just before it (rows are newest first)."""
    kept: list[AuditRow] = []
    pages: dict[tuple, AuditRow] = {}
    last_seen: dict[tuple, Any] = {}
    for row in reversed(rows):
        key = (row.actor_key, row.patient_ids)
        viewed_only = row.actions == [AuditAction.VIEW.label]
        anchor = pages.get(key)
        if (
            viewed_only
            and row.view_name in PAGE_PARTS
            and anchor is not None
            and row.at - last_seen[key] <= PAGE_PART_WINDOW
        ):
            anchor.parts.append(row.page)
            last_seen[key] = row.at
            continue
        kept.append(row)
        if viewed_only and row.view_name not in PAGE_PARTS and row.patient_ids:
            pages[key], last_seen[key] = row, row.at
    for row in kept:
        row.parts = [
            f"{part} ({count})" if count > 1 else part for part, count in Counter(row.parts).items()
        ]
    return list(reversed(kept))


def _unique(items) -> list:
    return list(dict.fromkeys(item for item in items if item))


def _audit_row(events: list) -> AuditRow:
    first = events[0]
    actor = next((e.actor for e in events if e.actor is not None), None)
    patients = _unique(e.patient for e in events)
    records: dict[str, set] = {}
    for event in events:
        if event.object_type:
            records.setdefault(event.object_type, set()).add(event.object_id)
    return AuditRow(
        at=first.at,
        who=str(actor) if actor is not None else first.actor_username,
        actions=_unique(e.get_action_display() for e in events),
        page=audit_words.view_words(first.view_name),
        patients=patients[:AUDIT_ROW_PATIENTS_SHOWN],
        more_patients=max(0, len(patients) - AUDIT_ROW_PATIENTS_SHOWN),
        records=[
            audit_words.sentence_case(audit_words.object_words(kind, len(ids)))
            for kind, ids in records.items()
        ],
        fields=_unique(
            audit_words.field_words(e.object_type, field)
            for e in events
            for field in e.changed_fields
        ),
        client_address=first.client_address or "",
        request_id=first.request_id,
        view_name=first.view_name,
        actor_key=str(actor.pk) if actor is not None else first.actor_username,
        patient_ids=tuple(sorted(str(p.pk) for p in patients)),
        break_glass=any(e.break_glass for e in events),
    )


def audit_chain_check():
    """Recompute the audit log's hash chain (painclinic.audit_chain) over every event."""
    return audit_chain.verify(AuditEvent.objects.all())


def clinic_details() -> ClinicDetails:
    """The clinic's details for the letterhead: the saved row, or an unsaved empty one before a
    team lead has filled in the page (nothing is written by a read)."""
    return ClinicDetails.objects.filter(pk=ClinicDetails.SINGLETON_PK).first() or ClinicDetails()
