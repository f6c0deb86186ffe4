"""Writing the audit log.

Access events are written by ``patients.access.get_patient_for_user``; write events by services
inside their own transaction (zulip's "audit row inside the action's transaction"). The request
context (client address, request id, user agent) is carried in a context variable set by
``RequestContextMiddleware``, so services never need the request object.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from painclinic.models import AuditAction, AuditEvent

if TYPE_CHECKING:
    from django.db.models import Model

    from painclinic.models import User


@dataclass(frozen=True)
class RequestContext:
    client_address: str | None = None
    request_id: str = ""
    user_agent: str = ""
    view_name: str = ""


_NO_REQUEST = RequestContext()
_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "painclinic_request_context", default=None
)


# Patients audited during the current request, so a view is never audited twice.
_audited: contextvars.ContextVar[set | None] = contextvars.ContextVar(
    "painclinic_audited_patients", default=None
)


# Patients this request reaches only by emergency access: their events carry the break-glass mark.
_break_glass: contextvars.ContextVar[set | None] = contextvars.ContextVar(
    "painclinic_break_glass_patients", default=None
)


def set_request_context(context: RequestContext) -> tuple[contextvars.Token, ...]:
    return _current.set(context), _audited.set(set()), _break_glass.set(set())


def reset_request_context(tokens: tuple[contextvars.Token, ...]) -> None:
    _current.reset(tokens[0])
    _audited.reset(tokens[1])
    _break_glass.reset(tokens[2])


def mark_break_glass(patient_id: Any) -> None:
    """From here to the end of the request, events about this patient are break-glass events."""
    marked = _break_glass.get()
    if marked is None:
        marked = set()
        _break_glass.set(marked)
    marked.add(patient_id)


def _is_break_glass(patient_id: Any) -> bool:
    marked = _break_glass.get()
    return bool(marked) and patient_id in marked


def patient_audited_in_request(patient_id: Any) -> bool:
    audited = _audited.get()
    return audited is not None and patient_id in audited


def current_request_context() -> RequestContext:
    return _current.get() or _NO_REQUEST


def record_event(
    *,
    actor: User | None,
    action: str,
    patient: Model | None = None,  # a patients.Patient (this layer imports no clinical app)
    obj: Model | None = None,
    object_type: str = "",
    object_id: Any = "",
    changed_fields: list[str] | tuple[str, ...] = (),
    actor_username: str = "",
) -> AuditEvent:
    """Append one audit event. Never pass clinical content: field *names* only."""
    if action not in AuditAction.values:
        raise ValueError(f"unknown audit action {action!r}")
    context = current_request_context()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    # One statement, the chain's lock, head and INSERT (migration 0013; issue #16 follow-up).
    event = AuditEvent.objects.append_event(
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_username=(
            actor.get_username() if actor is not None and actor.is_authenticated else ""
        )
        or actor_username,
        action=action,
        patient=patient,
        object_type=object_type,
        object_id="" if object_id in (None, "") else str(object_id),
        view_name=context.view_name,
        changed_fields=sorted(changed_fields),
        client_address=context.client_address,
        request_id=context.request_id,
        user_agent=context.user_agent[:300],
        break_glass=patient is not None and _is_break_glass(patient.pk),
    )
    audited = _audited.get()
    if audited is not None and patient is not None:
        audited.add(patient.pk)
    return event


def record_event_for_patients(
    *, actor: User, action: str, patients: list[Model], obj: Model
) -> list[AuditEvent]:
    """One event per patient shown or exported together (a cohort's outcomes), in one INSERT, so
    the page's queries do not grow with the number of patients."""
    if action not in AuditAction.values:
        raise ValueError(f"unknown audit action {action!r}")
    context = current_request_context()
    events = AuditEvent.objects.bulk_create(
        AuditEvent(
            actor=actor,
            actor_username=actor.get_username(),
            action=action,
            patient=patient,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            view_name=context.view_name,
            client_address=context.client_address,
            request_id=context.request_id,
            user_agent=context.user_agent[:300],
            break_glass=_is_break_glass(patient.pk),
        )
        for patient in patients
    )
    audited = _audited.get()
    if audited is not None:
        audited.update(patient.pk for patient in patients)
    return events


def record_views(
    *, actor: User, object_type: str, rows: list[tuple[Any, Any]], action: str = AuditAction.VIEW
) -> int:
    """One event per record shown, as (object id, patient id) pairs, in one INSERT: an admin list
    page audits every record it listed (issue #9; DESIGN.md "including the Django admin"), and
    so does every list page that names patients (caseload, patient list, team dashboard). A record
    listed twice on one page (a patient on two attention lists) is one event. Returns the number
    of events written."""
    if action not in AuditAction.values:
        raise ValueError(f"unknown audit action {action!r}")
    rows = list(dict.fromkeys((str(object_id), patient_id) for object_id, patient_id in rows))
    context = current_request_context()
    written = AuditEvent.objects.append_views(
        actor_id=actor.pk,
        actor_username=actor.get_username(),
        action=action,
        object_type=object_type,
        view_name=context.view_name,
        client_address=context.client_address,
        request_id=context.request_id,
        user_agent=context.user_agent[:300],
        rows=[
            (object_id, patient_id, patient_id is not None and _is_break_glass(patient_id))
            for object_id, patient_id in rows
        ],
    )
    audited = _audited.get()
    if audited is not None:
        audited.update(patient_id for _, patient_id in rows if patient_id is not None)
    return written
