"""The patient's daily-diary link: issue, revoke, redeem, record today's values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format, get_format
from django.utils.translation import gettext

from painclinic import audit, tokens
from painclinic.models import AuditAction
from patients.models import ConsentKind
from patients.services import consent_require
from sced.models import (
    DiaryLink,
    DiaryLinkKind,
    Measure,
    Measurement,
    Study,
    StudyState,
)

if TYPE_CHECKING:
    from painclinic.models import User

from sced.services.measurements import Row, _check_can_record, measurements_record
from sced.services.messages import (
    DIARY_ACTOR,
    DIARY_MAX_DAYS,
    LINK_ALREADY_TODAY,
    LINK_CLOSED,
    LINK_ENDED,
    LINK_EXPIRED,
    LINK_INVALID,
    LINK_NOT_STARTED,
    LINK_USED,
    LINK_VALUE_MISSING,
    LINK_VALUE_RANGE,
    MSG_DIARY_ALREADY_REVOKED,
    MSG_DIARY_DAYS,
    MSG_DIARY_KIND,
    MSG_DIARY_NO_START_DATE,
    MSG_DIARY_PLAN_OVER,
)

# --- the patient's daily-diary link ------------------------------------------------------------
# The pattern of assessment's self-report link (assessment/services.py patient_link_*): a random
# token shown once, only its SHA-256 stored, every use under a row lock, a friendly page for a
# link that can no longer be used, and nothing reachable through it but today's values of one
# study.


diary_token_hash = tokens.token_hash


@transaction.atomic
def diary_link_issue(
    *, actor: User, study: Study, kind: str = DiaryLinkKind.RECURRING, days: int = 14
) -> tuple[DiaryLink, str]:
    """Issue a diary link for the study. Returns the link and the token, which is shown once
    and never stored. Refused when the study cannot take values (closed, not randomized yet)
    or has no first baseline day (the patient's value gets its session from today's date)."""
    study = Study.objects.select_related("episode__patient", "draw").get(pk=study.pk)
    if kind not in DiaryLinkKind.values:
        raise ValidationError(gettext(MSG_DIARY_KIND))
    if not 1 <= int(days) <= DIARY_MAX_DAYS:
        raise ValidationError(gettext(MSG_DIARY_DAYS).format(max=DIARY_MAX_DAYS))
    _check_can_record(study)
    if study.start_date is None:
        raise ValidationError(gettext(MSG_DIARY_NO_START_DATE))
    last_day = study.start_date + timedelta(days=study.planned_sessions - 1)
    if timezone.localdate() > last_day:
        raise ValidationError(
            gettext(MSG_DIARY_PLAN_OVER).format(day=last_day.strftime("%d %b %Y"))
        )

    # A diary link goes to the patient by e-mail or text message: only with consent (issue #10).
    consent_require(study.episode.patient, ConsentKind.PATIENT_LINKS)
    token, hashed = tokens.issue_token()
    link = DiaryLink.objects.create(
        study=study,
        kind=kind,
        token_hash=hashed,
        expires_at=timezone.now() + timedelta(days=int(days)),
        created_by=actor,
    )
    audit.record_event(
        actor=actor, action=AuditAction.CREATE, patient=study.episode.patient, obj=link
    )
    return link, token


@transaction.atomic
def diary_link_revoke(*, actor: User, link: DiaryLink) -> DiaryLink:
    link = (
        DiaryLink.objects.select_for_update(no_key=True)
        .select_related("study__episode__patient")
        .get(pk=link.pk)
    )
    if link.revoked_at is not None:
        raise ValidationError(gettext(MSG_DIARY_ALREADY_REVOKED))
    link.revoked_at = timezone.now()
    link.revoked_by = actor
    link.save(update_fields=["revoked_at", "revoked_by"])
    audit.record_event(
        actor=actor,
        action=AuditAction.CHANGE,
        patient=link.study.episode.patient,
        obj=link,
        changed_fields=["revoked_at"],
    )
    return link


def _diary_link_for_token(token: str, *, lock: bool) -> DiaryLink:
    """The usable link of ``token``, or ValidationError with the patient's message and a code
    (invalid → 404; used, expired, closed → 410)."""
    queryset = DiaryLink.objects.select_related("study__episode__patient", "study__draw")
    if lock:
        queryset = queryset.select_for_update(no_key=True, of=("self",))
    link = queryset.filter(token_hash=diary_token_hash(token)).first()
    if link is None or link.revoked_at is not None:
        raise ValidationError(LINK_INVALID, code="invalid")
    if link.study.state == StudyState.CLOSED:
        raise ValidationError(LINK_CLOSED, code="closed")
    if link.used_at is not None:
        raise ValidationError(LINK_USED, code="used")
    if link.expires_at <= timezone.now():
        raise ValidationError(LINK_EXPIRED, code="expired")
    return link


def _number(value: float) -> str:
    """A range end as the patient reads it, in the page's language: 10, 2.5 (English), 2,5 (Dutch)."""
    return f"{value:g}".replace(".", get_format("DECIMAL_SEPARATOR"))


@dataclass(frozen=True)
class DiaryDay:
    """What the patient's page shows for today: the measures still to enter and those done."""

    link: DiaryLink
    today: date
    session: int
    to_enter: list[Measure]
    done: list[Measure]


def diary_day(link: DiaryLink, *, today: date | None = None) -> DiaryDay:
    """Today's page of a link. ValidationError (code "not_started") before the first day."""
    today = today or timezone.localdate()
    study = link.study
    if study.start_date is None or today < study.start_date:
        raise ValidationError(
            LINK_NOT_STARTED.format(day=date_format(study.start_date or today, "l j F Y")),
            code="not_started",
        )
    session = (today - study.start_date).days + 1
    if session > study.planned_sessions:
        # The diary's session is the day; after the planned sessions a value would be filed in
        # no planned session (issue #9), so the link ends with the plan. The clinician can still
        # enter a confirmed extra session.
        last = study.start_date + timedelta(days=study.planned_sessions - 1)
        raise ValidationError(LINK_ENDED.format(day=date_format(last, "l j F Y")), code="ended")
    measures = list(study.measures.all())
    recorded = set(
        Measurement.objects.in_force()
        .filter(measure__study=study, session=session)
        .values_list("measure_id", flat=True)
    )
    return DiaryDay(
        link=link,
        today=today,
        session=session,
        to_enter=[m for m in measures if m.pk not in recorded],
        done=[m for m in measures if m.pk in recorded],
    )


@transaction.atomic
def diary_link_redeem(*, token: str, today: date | None = None) -> DiaryDay:
    """Open a link: today's page if the link is usable (ValidationError otherwise). The first
    opening is audited (as assessment's patient link)."""
    link = _diary_link_for_token(token, lock=True)
    if link.first_opened_at is None:
        link.first_opened_at = timezone.now()
        link.save(update_fields=["first_opened_at"])
        audit.record_event(
            actor=None,
            actor_username=DIARY_ACTOR,
            action=AuditAction.VIEW,
            patient=link.study.episode.patient,
            obj=link,
        )
    return diary_day(link, today=today)


@transaction.atomic
def diary_record(
    *, token: str, values: dict[int, float | None], today: date | None = None
) -> list[Measurement]:
    """Record today's values sent through a diary link, through the clinicians' service
    (``measurements_record``: all or nothing, session and phase from the date, analysis
    enqueued on commit). One value per measure per day: a day already entered is refused.

    The link row is locked (``select_for_update``) for the whole save. Without the lock, two
    sends racing — a double tap, two open tabs, or the clinician revoking the link or closing
    the study at that moment — could both read "unused, not revoked": a single-use link would
    then record two days, and a value could land after the clinician had revoked the link.
    With it they run one after the other and the second sees the first's result.
    """
    link = _diary_link_for_token(token, lock=True)
    day = diary_day(link, today=today)
    if not day.to_enter:
        raise ValidationError(LINK_ALREADY_TODAY, code="already_today")
    errors: list[str] = []
    rows: list[Row] = []
    for measure in day.to_enter:
        value = values.get(measure.pk)
        if value is None:
            errors.append(LINK_VALUE_MISSING.format(measure=measure.name))
        elif not measure.range_min <= value <= measure.range_max:
            errors.append(
                LINK_VALUE_RANGE.format(
                    measure=measure.name,
                    lo=_number(measure.range_min),
                    hi=_number(measure.range_max),
                )
            )
        else:
            rows.append(Row(measure=measure, value=float(value), day=day.today))
    if errors:
        raise ValidationError(errors, code="values")
    created = measurements_record(
        actor=None, study=link.study, rows=rows, actor_username=DIARY_ACTOR, today=day.today
    )
    link.last_entry_at = timezone.now()
    fields = ["last_entry_at"]
    if link.kind == DiaryLinkKind.SINGLE:
        link.used_at = link.last_entry_at
        fields.append("used_at")
    link.save(update_fields=fields)
    return created
