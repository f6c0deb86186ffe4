from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Case, CharField, F, Q, QuerySet, Value, When
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


@dataclass
class AuditPage:
    """One page of the log, newest first. Paged by a cursor (the newest event of the last row
    shown: "older than this"), not by a page number: a page number needs the number of requests
    in the whole visible log, and the page's offset needs every request before it, both a GROUP
    BY over every event the lead may see (two scans of the log per page, growing with it: ~300
    ms each at 155,000 events, issue #16). The cursor reads only the page's own events."""

    object_list: list[AuditRow]
    older: str | None  # the cursor of the next (older) page; None on the last page
    is_first: bool

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)


def _cursor(value: Any) -> tuple[Any, int] | None:
    """``<event id>-<microseconds since the epoch>`` as (at, id); None when absent or malformed
    (a bad link shows the newest page, never an error)."""
    try:
        event_id, stamp = str(value).split("-", 1)
        return datetime.fromtimestamp(int(stamp) / 1_000_000, tz=UTC), int(event_id)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _cursor_of(at: Any, event_id: int) -> str:
    return f"{event_id}-{round(at.timestamp() * 1_000_000)}"


# Events read per step while looking for a page of requests: most requests write one to three
# events (a cohort or admin list one per record shown), so one step usually fills a page. A list
# page writes one per record shown (the caseload 50), so a page of those takes two or three steps.
# Steps that grew (x4, then x2) were tried in issue #16: one read fewer for ~2,500 events, but more
# events read when two steps of 1,000 sufficed, and the audit log's p50 was 18 % slower side by side
# (`make bench-ab`); kept at 1,000.
AUDIT_SCAN_STEP = 1_000


def audit_rows(events: QuerySet, before: Any = None, per_page: int = 50) -> AuditPage:
    """A page of the (already filtered) log, one AuditRow per request, newest first: the
    requests whose newest event is older than the cursor ``before`` (the newest page without
    one), in the order of their newest event.

    The events are walked newest first along the (at, id) index, a step at a time, until a page
    and one more request are found; a request seen below the cursor that also has events above
    it had its row on an earlier page and is skipped."""
    cursor = _cursor(before) if before else None
    newest_first = events.annotate(request_key=_request_key()).order_by("-at", "-id")
    below = newest_first
    if cursor is not None:
        at, event_id = cursor
        # at <= cursor bounds the index scan; the OR keeps the events of the cursor's instant
        # that come after it.
        below = below.filter(Q(at__lt=at) | Q(id__lt=event_id), at__lte=at)
    found: dict[str, tuple[Any, int]] = {}  # request key -> its newest event below the cursor
    earlier: set[str] = set()  # requests with events above the cursor: on an earlier page
    step = below
    while True:
        chunk = list(step.values_list("request_key", "at", "id")[:AUDIT_SCAN_STEP])
        fresh = [key for key, *_ in chunk if key not in found]
        for key, at, event_id in chunk:
            found.setdefault(key, (at, event_id))
        if cursor is not None and fresh:
            earlier |= _keys_with_events_from(events, fresh, cursor)
        shown = [key for key in found if key not in earlier]
        if len(shown) > per_page or len(chunk) < AUDIT_SCAN_STEP:
            break
        last_at, last_id = chunk[-1][1], chunk[-1][2]
        step = below.filter(Q(at__lt=last_at) | Q(id__lt=last_id), at__lte=last_at)
    keys = shown[:per_page]
    older = _cursor_of(*found[keys[-1]]) if len(shown) > per_page else None
    by_key: dict[str, list] = {key: [] for key in keys}
    # The page's events by request id (indexed) or, for an event outside a request, by its id:
    # never a filter on the computed key, which would read every event the lead may see.
    request_ids = [key for key in keys if not key.startswith("event-")]
    event_ids = [int(key.removeprefix("event-")) for key in keys if key.startswith("event-")]
    rows = (
        events.filter(Q(request_id__in=request_ids) | Q(request_id="", id__in=event_ids))
        .annotate(request_key=_request_key())
        .order_by("at", "id")
        # Tuples of what a row shows, not model instances: a page of list views is ~1,250
        # events, and building each with its actor and patient was most of the page's CPU
        # (issue #16). The actors and the patients shown are built once each (_PageObjects).
        .values_list(*_EVENT_COLUMNS)
        if keys
        else []
    )
    objects = _PageObjects()
    for row in rows:
        event = _PageEvent(*row)
        by_key[event.request_key].append(event)
        objects.remember(event)
    # Each action's words translated once per page, not once per event (hashing a lazy
    # translation translates it again: ~1,200 look-ups for a page of 50 rows).
    labels = {value: str(label) for value, label in AuditAction.choices}
    return AuditPage(
        _with_parts_on_their_page(
            [_audit_row(by_key[key], labels, objects) for key in keys if by_key[key]]
        ),
        older=older,
        is_first=cursor is None,
    )


def _keys_with_events_from(events: QuerySet, keys: list[str], cursor: tuple[Any, int]) -> set:
    """Those of ``keys`` (requests) that have an event at or after the cursor."""
    at, event_id = cursor
    request_ids = [key for key in keys if not key.startswith("event-")]
    if not request_ids:  # an event outside a request is its own row: it cannot straddle
        return set()
    return set(
        events.filter(request_id__in=request_ids)
        .filter(Q(at__gt=at) | Q(at=at, id__gte=event_id))
        .values_list("request_id", flat=True)
        .distinct()
    )


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


_EVENT_COLUMNS = (
    "request_key",
    "at",
    "action",
    "actor_username",
    "object_type",
    "object_id",
    "view_name",
    "changed_fields",
    "client_address",
    "request_id",
    "break_glass",
    "actor_id",
    "actor__username",
    "actor__first_name",
    "actor__last_name",
    "patient_id",
    "patient__identifier",
    "patient__given_name",
    "patient__family_name",
)


@dataclass(slots=True)
class _PageEvent:
    """One event of the page as read (``_EVENT_COLUMNS``, in that order)."""

    request_key: str
    at: Any
    action: str
    actor_username: str
    object_type: str
    object_id: str
    view_name: str
    changed_fields: list
    client_address: str | None
    request_id: str
    break_glass: bool
    actor_id: int | None
    actor_login: str | None
    actor_first_name: str | None
    actor_last_name: str | None
    patient_id: Any
    patient_identifier: str | None
    patient_given_name: str | None
    patient_family_name: str | None


class _PageObjects:
    """The page's actors and the patients its rows name, each built once as an (unsaved) model
    instance with the columns read, so a row shows them as the models print them."""

    def __init__(self) -> None:
        self.actors: dict[int, Any] = {}
        self.patients: dict[Any, Any] = {}
        self._columns: dict[Any, tuple] = {}

    def remember(self, event: _PageEvent) -> None:
        if event.actor_id is not None and event.actor_id not in self.actors:
            self.actors[event.actor_id] = AuditEvent._meta.get_field("actor").related_model(
                pk=event.actor_id,
                username=event.actor_login,
                first_name=event.actor_first_name,
                last_name=event.actor_last_name,
            )
        if event.patient_id is not None:
            self._columns.setdefault(
                event.patient_id,
                (event.patient_identifier, event.patient_given_name, event.patient_family_name),
            )

    def patient(self, patient_id: Any) -> Any:
        if patient_id not in self.patients:
            identifier, given, family = self._columns[patient_id]
            self.patients[patient_id] = AuditEvent._meta.get_field("patient").related_model(
                pk=patient_id, identifier=identifier, given_name=given, family_name=family
            )
        return self.patients[patient_id]


def _audit_row(events: list, labels: dict[str, str], objects: _PageObjects) -> AuditRow:
    first = events[0]
    actor = next((objects.actors[e.actor_id] for e in events if e.actor_id is not None), None)
    patient_ids = _unique(e.patient_id for e in events)
    patients = [objects.patient(p) for p in patient_ids[:AUDIT_ROW_PATIENTS_SHOWN]]
    records: dict[str, set] = {}
    for event in events:
        if event.object_type:
            records.setdefault(event.object_type, set()).add(event.object_id)
    return AuditRow(
        at=first.at,
        who=str(actor) if actor is not None else first.actor_username,
        actions=_unique(labels.get(e.action, e.action) for e in events),
        page=audit_words.view_words(first.view_name),
        patients=patients,
        more_patients=max(0, len(patient_ids) - AUDIT_ROW_PATIENTS_SHOWN),
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
        patient_ids=tuple(sorted(str(p) for p in patient_ids)),
        break_glass=any(e.break_glass for e in events),
    )


def audit_chain_check():
    """Recompute the audit log's hash chain (painclinic.audit_chain) over every event."""
    return audit_chain.verify(AuditEvent.objects.all())


def clinic_details() -> ClinicDetails:
    """The clinic's details for the letterhead: the saved row, or an unsaved empty one before a
    team lead has filled in the page (nothing is written by a read)."""
    return ClinicDetails.objects.filter(pk=ClinicDetails.SINGLETON_PK).first() or ClinicDetails()
