"""Writes for single-case studies. Each service runs in one transaction, writes its audit event
inside it (field names only, never values) and enqueues analyses only after commit
(shared/STYLE.md §3.2, §3.5)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from painclinic import audit, concurrency, jobs, tokens
from painclinic.models import AuditAction
from painclinic.validators import past_clinical_date, planned_clinical_date
from sced import selectors
from sced.models import (
    DESIGN_PHASES,
    MBD_DESIGNS,
    NO_DATA_TO_ANALYSE,
    RANDOMIZABLE_DESIGNS,
    AnalysisRun,
    AnalysisState,
    Design,
    DiaryLink,
    DiaryLinkKind,
    Draw,
    Improvement,
    Measure,
    Measurement,
    MeasurementAmendment,
    RequeueReason,
    Study,
    StudyState,
)
from sced.stats import randomization as rt
from sced.stats import scan_csv
from sced.stats.limits import (
    MAX_PHASE_SESSIONS,
    MAX_STUDY_SESSIONS,
    MSG_PHASE_TOO_LONG,
    MSG_SESSION_TOO_LATE,
    MSG_STUDY_TOO_LONG,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from painclinic.models import User
    from patients.models import Episode

# Analysis settings used for every study (sced.md §4 recommended defaults).
TAU_U_VARIANT = "A vs B - trend A"
CONFIDENCE = 0.95
STATISTIC = "mean_difference"
DEFAULT_A_LENGTH = 7
DEFAULT_B_LENGTH = 14

MSG_DESIGN = "Unknown design {design!r}."
MSG_NO_MEASURES = "A study needs at least one outcome measure."
MSG_MEASURE_KEYS = (
    "Measure {i}: give its name, its lowest and highest value and its direction of improvement."
)
MSG_IMPROVEMENT = (
    "Measure {name!r}: choose the direction of improvement (higher is better, or lower is better)."
)
MSG_RANGE = "Measure {name!r}: the lowest value must be below the highest."
MSG_DUPLICATE_MEASURE = "Two measures are called {name!r}."
MSG_MIN_PHASE = "The minimum phase length must be at least 1."
MSG_PHASE_TOO_SHORT = (
    "Phase {label} is planned with {n} sessions, fewer than the minimum phase length {L}."
)
MSG_QUESTION = "State the clinical question."
MSG_NOT_RANDOMIZABLE = (
    "Randomization of the start point is available for AB, ABA, ABAB and multiple-baseline designs."
)
MSG_ALREADY_DRAWN = "The start point was drawn on {when}; a study is randomized only once."
# The randomization test is valid only for a start drawn before the data (sced.md §5 P12).
MSG_DATA_EXIST = (
    "Values have already been entered: the start must be drawn before data collection, or the "
    "randomization test is not valid."
)
MSG_NO_ADMISSIBLE = "No admissible start point between session {lo} and {hi}."
MSG_RANDOMIZE_FIRST = (
    "Draw the intervention start before entering data: the randomization test is valid only for "
    "a start drawn before the data were seen."
)
MSG_VALUE_RANGE = "{measure}: {value:g} is outside {lo:g}–{hi:g}."
MSG_ALREADY_RECORDED = (
    "{measure}: session {session} already has a value; amend it, or strike it out if it was "
    "entered in error."
)
MSG_NEEDS_SESSION = "Give a session number, or a date once the study has a first baseline day."
MSG_BEFORE_START = "{day} is before the first baseline day {start}."
MSG_DUPLICATE_ROW = "{measure}: session {session} appears twice."
MSG_OUTSIDE_PLAN = (
    "{measure}: session {session} is after the {planned} planned sessions. Check the session; if "
    "the study really runs longer, tick the box to confirm."
)
MSG_REASON = "Say why the value is amended."
MSG_STRIKE_REASON = "Say why the value is struck out."
MSG_STRUCK = "This value was struck out on {when}; it is kept as it is."
MSG_SAME_VALUE = "The amended value is the value already recorded."
MSG_STUDY_CLOSED = "The study is closed."
MSG_IMPORT_MEASURE = "Line {line}: case {case!r} is not a measure of this study ({names})."
MSG_IMPORT_PHASE = (
    "Line {line}: session {session} belongs to phase {expected} of the plan, the file says {got!r}."
)
MSG_IMPORT_SESSION = "Line {line}: mt (session) {mt!r} is not a whole session number ≥ 1."
MSG_IMPORT_NO_MT = (
    "The file has no mt column: give each value's session number in a column called mt, so no "
    "value is filed under a session it was not meant for."
)
MSG_IMPORT_FIELDS = "Line {line}: {found} fields where the header has {expected}."
MSG_IMPORT_BLANK = "Line {line}: the {column} column is empty."
MSG_IMPORT_TOO_LONG = (
    "The file has more than {max:,} measurements; a study holds at most "
    + f"{MAX_STUDY_SESSIONS:,} sessions per measure. "
    + "Split the file or check that it belongs to this study."
)
MSG_RETRY_ONLY_FAILED = (
    "The analysis is on its way; it can be retried once it has failed or is stuck."
)
MSG_ANALYSIS_KEPT_STOPPING = (
    "The analysis stopped {n} times before it finished (it may be too large for the time allowed)."
)
# A run that stopped this many times while running is failed, not sent again (sweep).
ANALYSIS_MAX_ATTEMPTS = 3
MSG_MBD_TIERS = (
    "A multiple-baseline study needs at least two tiers (one outcome measure per behaviour or "
    "setting)."
)
MSG_MBD_WINDOW = (
    "Sessions {lo}–{hi} leave {n} possible start points for {tiers} tiers: widen the window or "
    "plan longer phases."
)
MSG_ALREADY_CLOSED = "The study is already closed."
MSG_CLOSE_CONFIRM = "Tick the box to confirm that data collection has ended."
MSG_DIARY_NO_START_DATE = (
    "Set the first baseline day of the study before issuing a diary link: the patient's values "
    "get their session from the date."
)
MSG_DIARY_DAYS = "A link is valid for 1 to {max} days."
MSG_DIARY_PLAN_OVER = (
    "The planned sessions ended on {day}: a diary link would file values in no planned session. "
    "Enter any extra session yourself (it asks for a confirmation)."
)
MSG_DIARY_KIND = "Unknown kind of link."
MSG_DIARY_ALREADY_REVOKED = "The link was already revoked."
# What the patient reads (plain words; no clinical detail, no other page).
LINK_INVALID = "This link is not valid. Ask your clinician for a new one."
LINK_EXPIRED = "This link has expired. Ask your clinician for a new one."
LINK_USED = "Today's values were already sent with this link. Thank you."
LINK_CLOSED = "This diary has ended. Thank you for your values."
LINK_NOT_STARTED = "Your diary starts on {day}. Please open this link again then."
LINK_ENDED = "Your diary ended on {day}. Thank you for your values."
LINK_ALREADY_TODAY = "You have already entered today's value. Please come back tomorrow."
LINK_VALUE_MISSING = "Please enter a value for {measure}."
LINK_VALUE_RANGE = "{measure}: please enter a number from {lo:g} to {hi:g}."

DIARY_ACTOR = "patient-diary-link"  # audit actor_username for values a patient enters by link
DIARY_MAX_DAYS = 90


# --- studies ---------------------------------------------------------------------------------


def _planned_lengths(design: str, given: dict | None) -> dict[str, int]:
    labels = DESIGN_PHASES[design]
    given = dict(given or {})
    out: dict[str, int] = {}
    for label in labels:
        # "A"/"B" stand for every A/B phase, so {"A": 5, "B": 10} plans an ABAB as 5-10-5-10.
        default = DEFAULT_A_LENGTH if label.startswith("A") else DEFAULT_B_LENGTH
        if design in (Design.ABA, Design.ABAB):
            default = DEFAULT_A_LENGTH
        out[label] = int(given.get(label, given.get(label[0], default)))
    return out


@transaction.atomic
def study_create(
    *,
    actor: User,
    episode: Episode,
    clinical_question: str,
    design: str,
    measures: list[dict],
    planned_phase_lengths: dict | None = None,
    min_phase_length: int = 3,
    start_date: date | None = None,
) -> Study:
    """Set up a single-case study for an episode (state: planned).

    ``measures``: dicts with name, unit, range_min, range_max, improvement ("increase" or
    "decrease") and optionally description (e.g. the exposure-hierarchy item it comes from).
    The treatment app calls this to turn a graded-exposure item into an SCED outcome.
    Raises ValidationError (all problems at once) and writes nothing on bad input.
    """
    errors: list[str] = []
    if design not in Design.values:
        raise ValidationError(MSG_DESIGN.format(design=design))
    if not clinical_question.strip():
        errors.append(MSG_QUESTION)
    if min_phase_length < 1:
        errors.append(MSG_MIN_PHASE)
    try:  # the same rule as the form (painclinic/validators.py): at most two years ahead
        planned_clinical_date(start_date, what="The first baseline day")
    except ValidationError as exc:
        errors.extend(exc.messages)
    lengths = _planned_lengths(design, planned_phase_lengths)
    for label, n in lengths.items():
        if n > MAX_PHASE_SESSIONS:  # sced/stats/limits.py
            errors.append(MSG_PHASE_TOO_LONG.format(label=label, n=n, max=MAX_PHASE_SESSIONS))
        elif n < min_phase_length:
            errors.append(MSG_PHASE_TOO_SHORT.format(label=label, n=n, L=min_phase_length))
    if sum(lengths.values()) > MAX_STUDY_SESSIONS:
        errors.append(
            MSG_STUDY_TOO_LONG.format(
                where="The plan", n=sum(lengths.values()), max=MAX_STUDY_SESSIONS
            )
        )
    if not measures:
        errors.append(MSG_NO_MEASURES)
    elif design in MBD_DESIGNS and len(measures) < 2:
        errors.append(MSG_MBD_TIERS)
    names: set[str] = set()
    for i, m in enumerate(measures, start=1):
        if any(m.get(k) in (None, "") for k in ("name", "range_min", "range_max", "improvement")):
            errors.append(MSG_MEASURE_KEYS.format(i=i))
            continue
        name = str(m["name"]).strip()
        if m["improvement"] not in Improvement.values:
            errors.append(MSG_IMPROVEMENT.format(name=name))
        if float(m["range_min"]) >= float(m["range_max"]):
            errors.append(MSG_RANGE.format(name=name))
        if name.lower() in names:
            errors.append(MSG_DUPLICATE_MEASURE.format(name=name))
        names.add(name.lower())
    if errors:
        raise ValidationError(errors)
    study = Study.objects.create(
        episode=episode,
        clinical_question=clinical_question.strip(),
        design=design,
        planned_phase_lengths=lengths,
        min_phase_length=min_phase_length,
        start_date=start_date,
        created_by=actor,
    )
    Measure.objects.bulk_create(
        Measure(
            study=study,
            name=str(m["name"]).strip(),
            unit=str(m.get("unit") or ""),
            range_min=float(m["range_min"]),
            range_max=float(m["range_max"]),
            improvement=m["improvement"],
            description=str(m.get("description") or ""),
            position=i,
        )
        for i, m in enumerate(measures)
    )
    audit.record_event(actor=actor, action=AuditAction.CREATE, patient=episode.patient, obj=study)
    return study


def admissible_for(
    study: Study, *, earliest: int | None = None, latest: int | None = None
) -> list[Any]:
    """Admissible assignments for the planned number of sessions (sced.stats.randomization):
    start points of B (AB) or of phases 2..k (ABA/ABAB), each phase ≥ the minimum length;
    ``earliest``/``latest`` narrow where the first intervention phase may start."""
    n = study.planned_sessions
    labels = study.phase_labels
    if study.design in MBD_DESIGNS:
        return mbd_start_sets(study, earliest=earliest, latest=latest)
    if study.design == Design.AB:
        found: list[Any] = list(
            rt.admissible_start_points(n, min_phase_length=study.min_phase_length)
        )
    else:
        found = [
            list(a)
            for a in rt.admissible_change_points(
                n, n_phases=len(labels), min_phase_length=study.min_phase_length
            )
        ]
    lo, hi = earliest or 1, latest or n

    def first(a: Any) -> int:
        return a if isinstance(a, int) else a[0]

    return [a for a in found if lo <= first(a) <= hi]


def mbd_start_sets(
    study: Study, *, earliest: int | None = None, latest: int | None = None
) -> list[list[int]]:
    """The declared start-point sets of a multiple-baseline study, one per tier.

    Every tier is an AB series of the planned length N, so its intervention may start at
    L+1 .. N−L+1 (each phase ≥ L; ``admissible_start_points``), narrowed to earliest..latest.
    That window is cut into as many consecutive, disjoint sets as there are tiers; the draw
    then takes one point from every set and assigns the sets to the tiers in a random order
    (Koehler & Levin 1998 regulated randomization; SCRT ``"MBD"``; sced.md §2.13). Disjoint
    sets make the starts staggered whatever is drawn, which is what lets a multiple baseline
    separate the intervention from time (Baer, Wolf & Risley 1968; WWC 2010: ≥ 3 staggered
    introductions).
    """
    n_tiers = study.measures.count()
    if n_tiers < 2:
        raise ValueError(MSG_MBD_TIERS)
    window = [
        s
        for s in rt.admissible_start_points(
            study.planned_sessions, min_phase_length=study.min_phase_length
        )
        if (earliest or 1) <= s <= (latest or study.planned_sessions)
    ]
    if len(window) < n_tiers:
        raise ValueError(
            MSG_MBD_WINDOW.format(
                lo=window[0] if window else earliest or 1,
                hi=window[-1] if window else latest or study.planned_sessions,
                n=len(window),
                tiers=n_tiers,
            )
        )
    size, extra = divmod(len(window), n_tiers)
    sets: list[list[int]] = []
    at = 0
    for i in range(n_tiers):
        width = size + (1 if i >= n_tiers - extra else 0)  # the later sets take the remainder
        sets.append(window[at : at + width])
        at += width
    return sets


def _draw_mbd(study: Study, sets: list[list[int]], seed: int) -> tuple[list[int], list[int]]:
    """One assignment of the regulated set: (start per tier, tier measure ids)."""
    drawn = rt.draw_start_point(rt.regulated_mbd_start_points(sets), seed=seed)
    tiers = list(study.measures.order_by("position", "id").values_list("id", flat=True))
    return [int(v) for v in drawn.start], tiers


@transaction.atomic
def study_randomize(
    *,
    actor: User,
    study: Study,
    concealed: bool = True,
    earliest: int | None = None,
    latest: int | None = None,
    seed: int | None = None,
) -> Draw:
    """Draw the intervention start once, before any data, and record seed, who and when.

    The seed comes from the OS unless given (tests); the draw is reproducible from it with
    ``sced.stats.randomization.draw_start_point``. Refused when already drawn or data exist.
    """
    study = Study.objects.select_for_update().get(pk=study.pk)
    if study.design not in RANDOMIZABLE_DESIGNS:
        raise ValidationError(MSG_NOT_RANDOMIZABLE)
    existing = Draw.objects.filter(study=study).first()
    if existing is not None:
        raise ValidationError(
            MSG_ALREADY_DRAWN.format(
                when=timezone.localtime(existing.drawn_at).strftime("%d %b %Y")
            )
        )
    if Measurement.objects.filter(measure__study=study).exists():
        raise ValidationError(MSG_DATA_EXIST)
    try:
        admissible = admissible_for(study, earliest=earliest, latest=latest)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc
    if not admissible:
        raise ValidationError(
            MSG_NO_ADMISSIBLE.format(lo=earliest or 1, hi=latest or study.planned_sessions)
        )
    seed = rt.draw_seed() if seed is None else seed
    tiers: list[int] = []
    if study.design in MBD_DESIGNS:
        start, tiers = _draw_mbd(study, admissible, seed)
    else:
        drawn = rt.draw_start_point(admissible, seed=seed)
        start = drawn.start if isinstance(drawn.start, int) else list(drawn.start)
    draw = Draw.objects.create(
        study=study,
        admissible=admissible,
        seed=seed,
        start=start,
        tiers=tiers,
        concealed=concealed,
        drawn_by=actor,
    )
    study.state = StudyState.RANDOMIZED
    study.save(update_fields=["state"])
    audit.record_event(
        actor=actor,
        action=AuditAction.CHANGE,
        patient=study.episode.patient,
        obj=study,
        changed_fields=["draw", "state"],
    )
    return draw


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
        raise ValidationError(MSG_NEEDS_SESSION)
    if row.day < study.start_date:
        raise ValidationError(MSG_BEFORE_START.format(day=row.day, start=study.start_date))
    return (row.day - study.start_date).days + 1


def _check_can_record(study: Study) -> None:
    if study.state == StudyState.CLOSED:
        raise ValidationError(MSG_STUDY_CLOSED)
    if study.design in RANDOMIZABLE_DESIGNS and selectors.draw_of(study) is None:
        raise ValidationError(MSG_RANDOMIZE_FIRST)


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
            raise ValidationError("measure of another study")
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
                MSG_VALUE_RANGE.format(
                    measure=m.name, value=row.value, lo=m.range_min, hi=m.range_max
                ),
            )
        if key in existing:
            add(row, MSG_ALREADY_RECORDED.format(measure=m.name, session=session))
        elif key in seen:
            add(row, MSG_DUPLICATE_ROW.format(measure=m.name, session=session))
        if session > study.planned_sessions and not confirm_outside_plan:
            add(
                row,
                MSG_OUTSIDE_PLAN.format(
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
    study = Study.objects.select_for_update().get(pk=study.pk)
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
    measurement = (
        Measurement.objects.select_for_update()
        .select_related("measure__study__episode__patient")
        .get(pk=measurement.pk)
    )
    measure = measurement.measure
    if edit_token is not None:  # someone amended it since the form was opened
        concurrency.check_edit_token(measurement, ("value",), edit_token, {"value": value})
    if measurement.is_struck_out:
        raise ValidationError(
            MSG_STRUCK.format(
                when=timezone.localtime(measurement.struck_out_at).strftime("%d %b %Y")
            )
        )
    if not reason.strip():
        raise ValidationError(MSG_REASON)
    if not measure.range_min <= value <= measure.range_max:
        raise ValidationError(
            MSG_VALUE_RANGE.format(
                measure=measure.name, value=value, lo=measure.range_min, hi=measure.range_max
            )
        )
    if value == measurement.value:
        raise ValidationError(MSG_SAME_VALUE)
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
        Measurement.objects.select_for_update()
        .select_related("measure__study__episode__patient")
        .get(pk=measurement.pk)
    )
    if measurement.is_struck_out:
        raise ValidationError(
            MSG_STRUCK.format(
                when=timezone.localtime(measurement.struck_out_at).strftime("%d %b %Y")
            )
        )
    if not reason.strip():
        raise ValidationError(MSG_STRIKE_REASON)
    study = measurement.measure.study
    if study.state == StudyState.CLOSED:
        raise ValidationError(MSG_STUDY_CLOSED)
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


@dataclass(frozen=True)
class ImportProblem:
    line: int | None
    message: str


def _import_rows(study: Study, text: str) -> tuple[list[Row], list[ImportProblem]]:  # noqa: PLR0915
    """Rows of a scan long-format file and every problem of every line (issue #9: one pass
    reports an unknown measure, a bad number and a phase that does not match the plan together).

    Only what a file of one study needs is checked here; a file need not hold two phases yet (an
    import during the baseline is fine). ``mt`` is required: each value's session is explicit.
    """
    text = text.removeprefix("\ufeff")
    header_line = next((ln for ln in text.splitlines() if ln.strip()), None)
    if header_line is None:
        return [], [ImportProblem(None, scan_csv.ERR_EMPTY)]
    try:
        delimiter, header = scan_csv._pick_delimiter(header_line)
    except scan_csv.ScanCsvError as exc:
        return [], [ImportProblem(1, str(exc))]
    # One study holds at most MAX_STUDY_SESSIONS values per measure (sced/stats/limits.py); a
    # longer file is refused whole before any line is read into memory or checked.
    most = MAX_STUDY_SESSIONS * max(study.measures.count(), 1)
    if sum(1 for ln in text.splitlines() if ln.strip()) - 1 > most:
        return [], [ImportProblem(None, MSG_IMPORT_TOO_LONG.format(max=most))]
    col = {name: header.index(name) for name in ("case", "phase", "values", "mt") if name in header}
    if "mt" not in col:
        return [], [ImportProblem(None, MSG_IMPORT_NO_MT)]
    measures = {m.name.lower(): m for m in study.measures.all()}
    names = ", ".join(m.name for m in measures.values())
    rows: list[Row] = []
    problems: list[ImportProblem] = []
    seen_header = False
    starts_by_measure: dict[int, Any] = {}  # one query per measure, not per line
    try:
        read = list(scan_csv.csv_rows(text, delimiter))
    except scan_csv.ScanCsvError as exc:
        return [], [ImportProblem(None, str(exc))]
    for line, fields in read:
        if not fields or all(not f.strip() for f in fields):
            continue
        if not seen_header:
            seen_header = True
            continue
        if len(fields) != len(header):
            problems.append(
                ImportProblem(
                    line,
                    MSG_IMPORT_FIELDS.format(line=line, found=len(fields), expected=len(header)),
                )
            )
            continue
        here: list[str] = []
        case = fields[col["case"]].strip()
        measure = measures.get(case.lower())
        if not case:
            here.append(MSG_IMPORT_BLANK.format(line=line, column="case"))
        elif measure is None:
            here.append(MSG_IMPORT_MEASURE.format(line=line, case=case, names=names))
        phase = fields[col["phase"]].strip()
        if not phase:
            here.append(MSG_IMPORT_BLANK.format(line=line, column="phase"))
        value = session = None
        try:
            value = scan_csv._parse_number(
                fields[col["values"]], line=line, column="values", delimiter=delimiter
            )
        except scan_csv.ScanCsvError as exc:
            here.append(str(exc))
        raw_mt = fields[col["mt"]]
        try:
            mt = scan_csv._parse_number(raw_mt, line=line, column="mt", delimiter=delimiter)
        except scan_csv.ScanCsvError:
            mt = None
        if mt is None or mt < 1 or not float(mt).is_integer():
            here.append(MSG_IMPORT_SESSION.format(line=line, mt=raw_mt.strip()))
        else:
            session = int(mt)
        if measure is not None and session is not None and phase:
            if measure.pk not in starts_by_measure:
                starts_by_measure[measure.pk] = selectors.phase_starts_for(study, measure.pk)
            starts = starts_by_measure[measure.pk]
            expected = selectors.phase_of_session(session, starts, study.phase_labels)
            if phase[:1].upper() != expected[:1]:
                here.append(
                    MSG_IMPORT_PHASE.format(
                        line=line, session=session, expected=expected, got=phase
                    )
                )
        problems.extend(ImportProblem(line, message) for message in here)
        if here or value is None or measure is None or session is None:
            continue  # a missing value (NA) stays missing (scan_csv module docstring)
        rows.append(Row(measure=measure, value=value, session=session, line=line))
    if not seen_header or (not rows and not problems):
        problems.append(ImportProblem(None, scan_csv.ERR_NO_ROWS))
    return rows, problems


@transaction.atomic
def measurements_import_csv(
    *, actor: User, study: Study, text: str, confirm_outside_plan: bool = False
) -> list[Measurement]:
    """Import a scan long-format CSV (case = measure name, mt = session).

    All or nothing: every problem of every line (format, unknown measure, phase not matching the
    plan, value out of range, session already recorded or after the plan) is reported at once,
    in line order with its line number, and nothing is written.
    """
    _check_can_record(study)
    rows, problems = _import_rows(study, text)
    found = [(p.line, ValidationError(p.message)) for p in problems]
    found += measurements_check(study=study, rows=rows, confirm_outside_plan=confirm_outside_plan)
    if found:
        found.sort(key=lambda item: -1 if item[0] is None else item[0])
        raise ValidationError([error for _, error in found])
    return measurements_record(
        actor=actor, study=study, rows=rows, confirm_outside_plan=confirm_outside_plan
    )


def measurements_export_csv(*, actor: User, study: Study) -> str:
    """The study's values in force, in scan's long format (one case per measure, mt = session).
    Audited as an EXPORT."""
    cases = []
    for measure in study.measures.all():
        starts = selectors.phase_starts_for(study, measure.pk)
        phases: list[scan_csv.Phase] = []
        points = _in_force(measure)
        for label, group in _runs(points, starts, study.phase_labels):
            phases.append(
                scan_csv.Phase(
                    label=label,
                    values=tuple(m.value for m in group),
                    mt=tuple(float(m.session) for m in group),
                )
            )
        if phases:
            cases.append(scan_csv.Case(name=measure.name, phases=tuple(phases)))
    audit.record_event(
        actor=actor, action=AuditAction.EXPORT, patient=study.episode.patient, obj=study
    )
    return scan_csv.write_scan_csv(cases) if cases else "case,phase,values,mt\n"


def _in_force(measure: Measure) -> list[Measurement]:
    """The measure's values in force, by session: struck-out values are kept in the record but
    never analysed, plotted or exported (filtered in Python so a prefetch is used)."""
    return sorted(
        (m for m in measure.measurements.all() if m.struck_out_at is None),
        key=lambda m: m.session,
    )


def _runs(points: Sequence[Measurement], starts: tuple[int, ...], labels: tuple[str, ...]):
    out: list[tuple[str, list[Measurement]]] = []
    for m in points:
        label = selectors.phase_of_session(m.session, starts, labels)
        if out and out[-1][0] == label:
            out[-1][1].append(m)
        else:
            out.append((label, [m]))
    return out


# --- analyses --------------------------------------------------------------------------------


def analysis_inputs(study: Study) -> dict[str, Any] | None:
    """Everything an analysis reads, as plain JSON (the task never re-reads measurements, so a
    run always analyses exactly the data its hash names). None when there is nothing to analyse."""
    draw = selectors.draw_of(study)
    measures = []
    total = 0
    for measure in study.measures.all():
        starts = selectors.phase_starts_for(study, measure.pk)
        points = _in_force(measure)
        total += len(points)
        measures.append(
            {
                "id": measure.pk,
                "name": measure.name,
                "unit": measure.unit,
                "range": [measure.range_min, measure.range_max],
                "improvement": measure.improvement,
                "phases": [
                    {
                        "label": label,
                        "sessions": [m.session for m in group],
                        "values": [m.value for m in group],
                    }
                    for label, group in _runs(points, starts, study.phase_labels)
                ],
            }
        )
    if total == 0:
        return None
    return {
        "design": study.design,
        "phase_labels": list(study.phase_labels),
        "planned_sessions": study.planned_sessions,
        "min_phase_length": study.min_phase_length,
        "draw": None
        if draw is None
        else {
            "admissible": draw.admissible,
            "start": draw.start,
            "seed": draw.seed,
            **({"tiers": draw.tiers} if draw.tiers else {}),
        },
        "settings": {
            "tau_u_variant": TAU_U_VARIANT,
            "confidence": CONFIDENCE,
            "statistic": STATISTIC,
        },
        "measures": measures,
    }


def input_hash(inputs: dict[str, Any]) -> str:
    return hashlib.sha256(
        json.dumps(inputs, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()


@transaction.atomic
def analysis_request(*, actor: User | None, study: Study) -> AnalysisRun | None:
    """Get or create the analysis of the study's current data and enqueue it after commit.

    Keyed by the hash of its inputs (unique per study), so saving the same data twice, or two
    requests racing, give one run. A run of the same input that failed, could not be enqueued
    or is stuck past its time limit is sent again (issue #15: re-saving must not hit a dead run).
    """
    fresh = (
        Study.objects.prefetch_related("measures__measurements")
        .select_related("draw")
        .get(pk=study.pk)
    )
    inputs = analysis_inputs(fresh)
    digest = NO_DATA_TO_ANALYSE if inputs is None else input_hash(inputs)
    # The run of the data in force is the one shown (also when it is an earlier run again).
    Study.objects.filter(pk=fresh.pk).update(analysis_input_hash=digest)
    if inputs is None:
        return None
    run, created = AnalysisRun.objects.get_or_create(
        study=fresh,
        input_hash=digest,
        defaults={"inputs": inputs, "requested_by": actor},
    )
    if created:
        _enqueue(run)
    elif selectors.run_is_stuck(run):
        return analysis_retry(actor=actor, run=run)
    return run


@transaction.atomic
def analysis_retry(*, actor: User | None, run: AnalysisRun) -> AnalysisRun:
    """Send a run again: a failed one, one the job service could not take, or one stuck longer
    than its time limit. Any other run is refused (a double click): it is on its way."""
    run = AnalysisRun.objects.select_for_update().get(pk=run.pk)
    if not selectors.run_is_stuck(run):
        raise ValidationError(MSG_RETRY_ONLY_FAILED)
    _requeue(run, RequeueReason.RETRY)
    return run


def _requeue(run: AnalysisRun, reason: str) -> None:
    """A new dispatch of a locked run: messages of earlier dispatches become no-ops."""
    now = timezone.now()
    run.state = AnalysisState.QUEUED
    run.error = ""
    run.dispatch += 1
    run.queued_at = now
    run.requeued_at = now
    run.requeue_reason = reason
    run.save(
        update_fields=[
            "state",
            "error",
            "dispatch",
            "queued_at",
            "requeued_at",
            "requeue_reason",
        ]
    )
    _enqueue(run)


def _enqueue(run: AnalysisRun) -> None:
    from sced.tasks import run_analysis

    jobs.enqueue_on_commit(
        run_analysis,
        (run.pk, run.dispatch),
        on_failure=partial(_mark_not_enqueued, run.pk, run.dispatch),
    )


def _mark_not_enqueued(run_id: int, dispatch: int, exc: BaseException) -> None:
    """The broker refused the job (after the values committed): say so and let the sweep send
    it again. Conditional on the dispatch, so a later resend is never overwritten."""
    AnalysisRun.objects.filter(pk=run_id, dispatch=dispatch, state=AnalysisState.QUEUED).update(
        state=AnalysisState.NOT_ENQUEUED, error=f"{type(exc).__name__}: {exc}"[:2000]
    )


def analysis_sweep(
    *, now: datetime | None = None, alive_workers: set[str] | None = None
) -> dict[str, list[int]]:
    """Send again every run that would otherwise wait forever (run by Celery beat every minute,
    ANALYSIS_SWEEP_SECONDS; security.md J4: the database row is the source of truth).

    - not enqueued (the broker was down at save time);
    - queued longer than ANALYSIS_QUEUED_STALE_AFTER_SECONDS (the message was lost, e.g. Redis
      restarted without its append-only file);
    - running past the task time limit, or running for more than ANALYSIS_WORKER_GONE_SECONDS on
      a worker that no longer answers (``alive_workers``: the nodes that answered a ping; None
      when the ping itself failed). A whole worker killed leaves its job "running" until Redis's
      visibility timeout (an hour) without this.

    A run that stopped ANALYSIS_MAX_ATTEMPTS times while running is marked failed instead (a job
    that always hits the time limit must not loop). Each run is re-checked under its row lock,
    so two sweeps racing send it once. Returns the run ids per reason (for logs and tests).
    """
    now = now or timezone.now()
    gone_after = timedelta(seconds=settings.ANALYSIS_WORKER_GONE_SECONDS)
    wanted = (
        Q(state=AnalysisState.NOT_ENQUEUED)
        | Q(state=AnalysisState.QUEUED, queued_at__lt=now - selectors.queued_stale_after())
        | Q(state=AnalysisState.RUNNING, started_at__lt=now - selectors.running_stale_after())
    )
    if alive_workers is not None:
        wanted |= Q(state=AnalysisState.RUNNING, started_at__lt=now - gone_after) & ~Q(
            worker__in=alive_workers
        )
    done: dict[str, list[int]] = {}
    for run_id in AnalysisRun.objects.filter(wanted).order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            run = AnalysisRun.objects.select_for_update().filter(pk=run_id).first()
            if run is None:
                continue
            reason = _sweep_reason(run, now, gone_after, alive_workers)
            if reason is None:
                continue  # it moved on while we looked
            if reason == RequeueReason.WORKER_LOST and run.attempts >= ANALYSIS_MAX_ATTEMPTS:
                run.state = AnalysisState.FAILED
                run.error = MSG_ANALYSIS_KEPT_STOPPING.format(n=run.attempts)
                run.finished_at = now
                run.save(update_fields=["state", "error", "finished_at"])
                done.setdefault("failed", []).append(run.pk)
                continue
            _requeue(run, reason)
            done.setdefault(reason, []).append(run.pk)
    return done


def _sweep_reason(
    run: AnalysisRun, now: datetime, gone_after: timedelta, alive_workers: set[str] | None
) -> str | None:
    if run.state == AnalysisState.NOT_ENQUEUED:
        return RequeueReason.NOT_ENQUEUED
    if run.state == AnalysisState.QUEUED and run.queued_at < now - selectors.queued_stale_after():
        return RequeueReason.STALE_QUEUE
    if run.state == AnalysisState.RUNNING and run.started_at is not None:
        if run.started_at < now - selectors.running_stale_after():
            return RequeueReason.WORKER_LOST
        if (
            alive_workers is not None
            and run.worker not in alive_workers
            and run.started_at < now - gone_after
        ):
            return RequeueReason.WORKER_LOST
    return None


# --- closing a study -------------------------------------------------------------------------


@transaction.atomic
def study_close(*, actor: User, study: Study) -> Study:
    """End data collection: state CLOSED, who and when. Values can no longer be entered (every
    recording service refuses, diary links stop working); measurements, the draw and every
    analysis are kept as they are."""
    study = Study.objects.select_for_update().select_related("episode__patient").get(pk=study.pk)
    if study.state == StudyState.CLOSED:
        raise ValidationError(MSG_ALREADY_CLOSED)
    study.state = StudyState.CLOSED
    study.closed_at = timezone.now()
    study.closed_by = actor
    study.save(update_fields=["state", "closed_at", "closed_by"])
    audit.record_event(
        actor=actor,
        action=AuditAction.CHANGE,
        patient=study.episode.patient,
        obj=study,
        changed_fields=["state", "closed_at", "closed_by"],
    )
    return study


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
        raise ValidationError(MSG_DIARY_KIND)
    if not 1 <= int(days) <= DIARY_MAX_DAYS:
        raise ValidationError(MSG_DIARY_DAYS.format(max=DIARY_MAX_DAYS))
    _check_can_record(study)
    if study.start_date is None:
        raise ValidationError(MSG_DIARY_NO_START_DATE)
    last_day = study.start_date + timedelta(days=study.planned_sessions - 1)
    if timezone.localdate() > last_day:
        raise ValidationError(MSG_DIARY_PLAN_OVER.format(day=last_day.strftime("%d %b %Y")))
    from patients.models import ConsentKind
    from patients.services import consent_require

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
        DiaryLink.objects.select_for_update()
        .select_related("study__episode__patient")
        .get(pk=link.pk)
    )
    if link.revoked_at is not None:
        raise ValidationError(MSG_DIARY_ALREADY_REVOKED)
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
        queryset = queryset.select_for_update(of=("self",))
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
            LINK_NOT_STARTED.format(day=(study.start_date or today).strftime("%A %d %B %Y")),
            code="not_started",
        )
    session = (today - study.start_date).days + 1
    if session > study.planned_sessions:
        # The diary's session is the day; after the planned sessions a value would be filed in
        # no planned session (issue #9), so the link ends with the plan. The clinician can still
        # enter a confirmed extra session.
        last = study.start_date + timedelta(days=study.planned_sessions - 1)
        raise ValidationError(LINK_ENDED.format(day=last.strftime("%A %d %B %Y")), code="ended")
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
                    measure=measure.name, lo=measure.range_min, hi=measure.range_max
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
