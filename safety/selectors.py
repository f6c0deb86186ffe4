"""Reads of the safety app."""

from __future__ import annotations

import time
from functools import cache
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Exists, Min, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from patients.access import patients_visible_to
from safety.models import Notification, RiskSignal, SafetyAssessment, SafetyPlan
from safety.rules import add_working_days, crisis_contacts, risk_findings

if TYPE_CHECKING:
    from datetime import date, datetime

    from assessment.models import PatientLink
    from painclinic.models import User
    from patients.models import Patient


def open_signals(patient: Patient) -> QuerySet[RiskSignal]:
    return RiskSignal.objects.filter(patient=patient, response__isnull=True).order_by(
        "raised_at", "id"
    )


def open_signal_exists(patient_ref: Any = None) -> Exists:
    """``Exists`` for annotating patients or episodes (``OuterRef`` to the patient id)."""
    return Exists(
        RiskSignal.objects.filter(patient_id=patient_ref or OuterRef("pk"), response__isnull=True)
    )


def patients_with_open_signals(patient_ids: list) -> set:
    if not patient_ids:
        return set()
    return set(
        RiskSignal.objects.filter(patient_id__in=patient_ids, response__isnull=True)
        .values_list("patient_id", flat=True)
        .distinct()
    )


def response_due(raised_at: datetime) -> datetime:
    """When the clinician's response is due: the clinic's interval in working days (setting
    SAFETY_RESPONSE_WORKING_DAYS, default 1; services commonly require contact the same or next
    working day, safety.md §1 [U])."""
    return add_working_days(timezone.localtime(raised_at), settings.SAFETY_RESPONSE_WORKING_DAYS)


def is_overdue(raised_at: datetime, now: datetime | None = None) -> bool:
    return (now or timezone.now()) > response_due(raised_at)


def banner(patient: Patient) -> dict[str, Any] | None:
    """What the record's banner says: None when no signal is open. One query."""
    rows = list(open_signals(patient).values_list("raised_at", "answered")[:50])
    if not rows:
        return None
    oldest = rows[0][0]
    return {
        "count": len(rows),
        # Only unanswered risk items open: "unknown", shown as such, never as "no risk".
        "unknown_only": not any(answered for _, answered in rows),
        "raised_at": oldest,
        "due": response_due(oldest),
        "overdue": is_overdue(oldest),
    }


def open_signals_by_episode(episodes) -> dict[int, tuple[date, date, bool]]:
    """For the team lead's list: per episode, the patient's oldest open signal as (raised day,
    due day, overdue). One query."""
    now = timezone.now()
    out = {}
    # From the open signals (few, on their (patient, response) index) to the episodes of their
    # patients, not from every episode of the team to its patient's signals (issue #16: a join
    # of the team's ~4,500 episodes and their patients on each visit of the team review).
    open_signals = RiskSignal.objects.filter(response__isnull=True).order_by()
    rows = (
        episodes.filter(patient_id__in=open_signals.values("patient_id"))
        .annotate(
            oldest=Subquery(
                open_signals.filter(patient_id=OuterRef("patient_id"))
                .values("patient_id")
                .values(first=Min("raised_at"))
            )
        )
        .order_by()
        .values_list("pk", "oldest")
    )
    for episode_id, oldest in rows:
        due = response_due(oldest)
        out[episode_id] = (timezone.localtime(oldest).date(), due.date(), now > due)
    return out


def patient_safety(patient: Patient) -> dict[str, Any]:
    signals = list(
        RiskSignal.objects.filter(patient=patient)
        .select_related("raised_by", "response", "administration__session")
        .order_by("-raised_at", "-id")
    )
    now = timezone.now()
    for s in signals:
        s.due = response_due(s.raised_at)
        s.overdue = s.is_open and now > s.due
    plans = list(SafetyPlan.objects.filter(patient=patient).select_related("created_by"))
    return {
        "signals": signals,
        "open_signals": [s for s in signals if s.is_open],
        "assessments": list(
            SafetyAssessment.objects.filter(patient=patient).select_related("assessed_by")
        ),
        "plan": plans[0] if plans else None,
        "plans": plans,
    }


def plan_version(patient: Patient, version: int) -> SafetyPlan | None:
    return SafetyPlan.objects.filter(patient=patient, version=version).first()


# Has the user any unread notification? Read with the user by every request's user query
# (painclinic.backends.USER_QUERY_EXTRAS, registered in safety/apps.py; issue #16).
UNREAD_ATTR = "safety_unread_any"
# When this process last wrote a notification (time.monotonic_ns; receivers.py).
_changed_at_ns = 0


@cache
def unread_exists_sql() -> str:
    quote = connection.ops.quote_name
    return (
        f"EXISTS (SELECT 1 FROM {quote(Notification._meta.db_table)} n"
        f" WHERE n.user_id = {quote(get_user_model()._meta.db_table)}.id"
        " AND n.read_at IS NULL)"
    )


def notifications_changed() -> None:
    global _changed_at_ns
    _changed_at_ns = time.monotonic_ns()


def _unread_any(user: User) -> bool:
    known = getattr(user, UNREAD_ATTR, None)
    # The answer read with the user stands unless this process wrote a notification since
    # (this request marking them read, or raising one): then the database is asked again.
    if known is not None and _changed_at_ns < getattr(user, "read_at_ns", 0):
        return bool(known)
    return Notification.objects.filter(user=user, read_at__isnull=True).exists()


def unread_count(user: User) -> int:
    # Every page's navigation asks. Most find none: the (user, read_at) index answers that
    # (with the user, see UNREAD_ATTR) before the access policy's EXISTS is built and run,
    # which cost ~3.5 ms of CPU a page (issue #16). When there are some, they are counted
    # through the policy as before.
    if not _unread_any(user):
        return 0
    return notifications_for(user).filter(read_at__isnull=True).count()


def notifications_for(user: User) -> QuerySet[Notification]:
    """The user's notifications on patients they may still see (a notification never leads past
    the access policy)."""
    visible = patients_visible_to(user).filter(pk=OuterRef("patient_id"))
    return (
        Notification.objects.filter(user=user)
        .filter(Exists(visible) | Q(patient=None))
        .select_related("patient")
        .order_by("-created_at", "-id")
    )


def link_answered_risk_item(link: PatientLink) -> bool:
    """Did the patient just answer a risk item above 0 through this link? For the crisis box on
    the patient's own pages: their answers, shown back to them only as the offer of help."""
    for administration in link.session.administrations.all():
        for finding in risk_findings(administration.instrument_key, administration.score):
            if finding.state == "positive":
                return True
    return False


def clinic_crisis_contacts() -> dict:
    return crisis_contacts(settings.CLINIC_CRISIS_CONTACTS)
