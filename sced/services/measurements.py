"""Measurements: check, record, amend and strike out values (one per session)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from painclinic import audit, concurrency
from painclinic.models import AuditAction
from painclinic.validators import past_clinical_date
from sced import selectors
from sced.models import (
    RANDOMIZABLE_DESIGNS,
    Measure,
    Measurement,
    MeasurementAmendment,
    Study,
    StudyState,
)
from sced.stats.limits import (
    MAX_STUDY_SESSIONS,
    MSG_SESSION_TOO_LATE,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from painclinic.models import User

from sced.services.analyses import analysis_request
from sced.services.messages import (
    MSG_ALREADY_RECORDED,
    MSG_BEFORE_START,
    MSG_DUPLICATE_ROW,
    MSG_NEEDS_SESSION,
    MSG_OUTSIDE_PLAN,
    MSG_RANDOMIZE_FIRST,
    MSG_REASON,
    MSG_SAME_VALUE,
    MSG_STRIKE_REASON,
    MSG_STRUCK,
    MSG_STUDY_CLOSED,
    MSG_VALUE_RANGE,
)

# --- measurements ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One value to record: the session, or the date from which the session follows (the
    patient's daily diary, and a backfilled line that gives a date). ``line`` is the line of a
    pasted table or file, so each problem is reported with its line."""

    measure: Measure
    value: float
    session: int | None = None
    day: date | None = None
    line: int | None = None


def _at_line(row: Row, message: str) -> str:
    return message if row.line is None else f"Line {row.line}: {message}"


def _session_of(study: Study, row: Row, today: date | None = None) -> int:
    # A dated value (a backfilled line, the diary) is a measurement that has happened: the one
    # rule of painclinic/validators.py (not in the future, not before the clinic's records).
    past_clinical_date(row.day, what="The date", today=today)
    if row.session is not None:
        return int(row.session)
    if row.day is None or study.start_date is None:
        raise ValidationError(gettext(MSG_NEEDS_SESSION))
    if row.day < study.start_date:
        raise ValidationError(gettext(MSG_BEFORE_START).format(day=row.day, start=study.start_date))
    return (row.day - study.start_date).days + 1


def _check_can_record(study: Study) -> None:
    if study.state == StudyState.CLOSED:
        raise ValidationError(gettext(MSG_STUDY_CLOSED))
    if study.design in RANDOMIZABLE_DESIGNS and selectors.draw_of(study) is None:
        raise ValidationError(gettext(MSG_RANDOMIZE_FIRST))


def _row_errors(
    study: Study,
    rows: Sequence[Row],
    *,
    existing: set[tuple[int, int]],
    confirm_outside_plan: bool,
    today: date | None = None,
) -> tuple[list[tuple[Row, int]], list[tuple[int | None, ValidationError]]]:
    """The rows with their sessions, and every problem of every row as (line, error).

    A session after the planned ones is refused unless confirmed (code "outside_plan"): a value
    typed during the baseline must never land in a later phase unnoticed (issue #9)."""
    errors: list[tuple[int | None, ValidationError]] = []
    ok: list[tuple[Row, int]] = []
    seen: set[tuple[int, int]] = set()

    def add(row: Row, message: str, code: str | None = None) -> None:
        errors.append((row.line, ValidationError(_at_line(row, message), code=code)))

    for row in rows:
        m = row.measure
        if m.study_id != study.pk:
            raise ValidationError(gettext("measure of another study"))
        try:
            session = _session_of(study, row, today)
        except ValidationError as exc:
            for message in exc.messages:
                add(row, message)
            continue
        if session > MAX_STUDY_SESSIONS:  # sced/stats/limits.py
            add(row, MSG_SESSION_TOO_LATE.format(session=session, max=MAX_STUDY_SESSIONS))
            continue
        key = (m.pk, session)
        if not m.range_min <= row.value <= m.range_max:
            add(
                row,
                gettext(MSG_VALUE_RANGE).format(
                    measure=m.name, value=row.value, lo=m.range_min, hi=m.range_max
                ),
            )
        if key in existing:
            add(row, gettext(MSG_ALREADY_RECORDED).format(measure=m.name, session=session))
        elif key in seen:
            add(row, gettext(MSG_DUPLICATE_ROW).format(measure=m.name, session=session))
        if session > study.planned_sessions and not confirm_outside_plan:
            add(
                row,
                gettext(MSG_OUTSIDE_PLAN).format(
                    measure=m.name, session=session, planned=study.planned_sessions
                ),
                code="outside_plan",
            )
        seen.add(key)
        ok.append((row, session))
    return ok, errors


def _live_keys(study: Study) -> set[tuple[int, int]]:
    """(measure, session) of the values in force (struck-out values leave their session free)."""
    return set(
        Measurement.objects.in_force()
        .filter(measure__study=study)
        .values_list("measure_id", "session")
    )


def measurements_check(
    *, study: Study, rows: Sequence[Row], confirm_outside_plan: bool = False
) -> list[tuple[int | None, ValidationError]]:
    """The problems ``measurements_record`` would refuse the rows for, as (line, error), without
    writing: a bulk entry reports them together with the lines it could not read."""
    try:
        _check_can_record(study)
    except ValidationError as exc:
        return [(None, exc)]
    _, errors = _row_errors(
        study, rows, existing=_live_keys(study), confirm_outside_plan=confirm_outside_plan
    )
    return errors


@transaction.atomic
def measurements_record(
    *,
    actor: User | None,
    study: Study,
    rows: Sequence[Row],
    actor_username: str = "",
    confirm_outside_plan: bool = False,
    today: date | None = None,
) -> list[Measurement]:
    """Record a day's value or a backfilled table, all or nothing.

    ``today`` (default: the clinic's date) is the day a dated value may not be after.

    Every problem of every row is reported at once (ValidationError with a list, each message
    with its line when the row has one). A session that already has a value in force is refused
    (amend it, or strike it out). A session after the planned ones needs
    ``confirm_outside_plan`` (error code "outside_plan"). After commit the analysis is enqueued.
    """
    study = Study.objects.select_for_update(no_key=True).get(pk=study.pk)
    _check_can_record(study)
    prepared: list[Measurement] = []
    ok, errors = _row_errors(
        study,
        rows,
        existing=_live_keys(study),
        confirm_outside_plan=confirm_outside_plan,
        today=today,
    )
    for row, session in ok:
        m = row.measure
        day = row.day
        if day is None and study.start_date is not None:
            day = study.start_date + timedelta(days=session - 1)
        prepared.append(
            Measurement(
                measure=m,
                session=session,
                date=day,
                original_value=row.value,
                value=row.value,
                recorded_by=actor,
            )
        )
    if errors:
        raise ValidationError([error for _, error in errors])
    if not prepared:
        return []
    created = Measurement.objects.bulk_create(prepared)
    if study.state in (StudyState.PLANNED, StudyState.RANDOMIZED):
        study.state = StudyState.COLLECTING
        study.save(update_fields=["state"])
    audit.record_event(
        actor=actor,
        actor_username=actor_username,
        action=AuditAction.CREATE,
        patient=study.episode.patient,
        obj=study,
        changed_fields=["measurements"],
    )
    analysis_request(actor=actor, study=study)
    return created


def measurement_record(
    *,
    actor: User | None,
    measure: Measure,
    value: float,
    session: int,
    confirm_outside_plan: bool = False,
) -> Measurement:
    """Record one value at an explicit session. The session is never guessed from today's date:
    the entry form prefills the next expected session and shows its phase (issue #9)."""
    (created,) = measurements_record(
        actor=actor,
        study=measure.study,
        rows=[Row(measure, value, session=session)],
        confirm_outside_plan=confirm_outside_plan,
    )
    return created


@transaction.atomic
def measurement_amend(
    *,
    actor: User,
    measurement: Measurement,
    value: float,
    reason: str,
    edit_token: str | None = None,
) -> MeasurementAmendment:
    """Correct a value: the amendment keeps the old value, who, when and why; the original is
    never touched (the database refuses it, migration 0002)."""
    measurement = concurrency.locked_for_edit(  # refused if amended since the form was opened
        Measurement.objects.select_related("measure__study__episode__patient"),
        measurement.pk,
        ("value",),
        edit_token,
        {"value": value},
    )
    measure = measurement.measure
    if measurement.is_struck_out:
        raise ValidationError(
            gettext(MSG_STRUCK).format(
                when=timezone.localtime(measurement.struck_out_at).strftime("%d %b %Y")
            )
        )
    if not reason.strip():
        raise ValidationError(gettext(MSG_REASON))
    if not measure.range_min <= value <= measure.range_max:
        raise ValidationError(
            gettext(MSG_VALUE_RANGE).format(
                measure=measure.name, value=value, lo=measure.range_min, hi=measure.range_max
            )
        )
    if value == measurement.value:
        raise ValidationError(gettext(MSG_SAME_VALUE))
    amendment = MeasurementAmendment.objects.create(
        measurement=measurement,
        old_value=measurement.value,
        new_value=value,
        reason=reason.strip(),
        amended_by=actor,
    )
    measurement.value = value
    measurement.save(update_fields=["value"])
    study = measure.study
    audit.record_event(
        actor=actor,
        action=AuditAction.CHANGE,
        patient=study.episode.patient,
        obj=measurement,
        changed_fields=["value"],
    )
    analysis_request(actor=actor, study=study)
    return amendment


@transaction.atomic
def measurement_strike_out(*, actor: User, measurement: Measurement, reason: str) -> Measurement:
    """Strike out a value entered in error (wrong session, wrong measure, a test entry).

    The row is kept with who, when and why; it no longer counts for the analysis, the plots,
    the export or the next expected session, and its session may take a new value. Striking
    out is final (the database refuses to undo or edit it, migration 0004); amendments made
    before it stay in the history."""
    measurement = (
        Measurement.objects.select_for_update(no_key=True)
        .select_related("measure__study__episode__patient")
        .get(pk=measurement.pk)
    )
    if measurement.is_struck_out:
        raise ValidationError(
            gettext(MSG_STRUCK).format(
                when=timezone.localtime(measurement.struck_out_at).strftime("%d %b %Y")
            )
        )
    if not reason.strip():
        raise ValidationError(gettext(MSG_STRIKE_REASON))
    study = measurement.measure.study
    if study.state == StudyState.CLOSED:
        raise ValidationError(gettext(MSG_STUDY_CLOSED))
    measurement.struck_out_at = timezone.now()
    measurement.struck_out_by = actor
    measurement.struck_out_reason = reason.strip()
    measurement.save(update_fields=["struck_out_at", "struck_out_by", "struck_out_reason"])
    audit.record_event(
        actor=actor,
        action=AuditAction.CHANGE,
        patient=study.episode.patient,
        obj=measurement,
        changed_fields=["struck_out_at", "struck_out_by", "struck_out_reason"],
    )
    analysis_request(actor=actor, study=study)
    return measurement
