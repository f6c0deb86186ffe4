"""CSV import and export of a study's values in scan's long format."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from painclinic import audit
from painclinic.models import AuditAction
from sced import selectors
from sced.stats import scan_csv
from sced.stats.limits import (
    MAX_STUDY_SESSIONS,
)

if TYPE_CHECKING:
    from painclinic.models import User
    from sced.models import (
        Measurement,
        Study,
    )

from sced.services.measurements import (
    Row,
    _check_can_record,
    measurements_check,
    measurements_record,
)
from sced.services.messages import (
    MSG_IMPORT_BLANK,
    MSG_IMPORT_FIELDS,
    MSG_IMPORT_MEASURE,
    MSG_IMPORT_NO_MT,
    MSG_IMPORT_PHASE,
    MSG_IMPORT_SESSION,
    MSG_IMPORT_TOO_LONG,
)


@dataclass(frozen=True)
class ImportProblem:
    line: int | None
    message: str


def _import_rows(study: Study, text: str) -> tuple[list[Row], list[ImportProblem]]:  # noqa: PLR0915 (one pass reports every problem)
    """Rows of a scan long-format file and every problem of every line (issue #9: one pass
    reports an unknown measure, a bad number and a phase that does not match the plan together).

    Only what a file of one study needs is checked here; a file need not hold two phases yet (an
    import during the baseline is fine). ``mt`` is required: each value's session is explicit.
    """
    try:
        header = scan_csv.read_scan_header(text)
    except scan_csv.ScanCsvError as exc:
        # an empty file has no line to name; a header that gives no columns is line 1
        line = None if str(exc) == scan_csv.ERR_EMPTY else 1
        return [], [ImportProblem(line, str(exc))]
    # One study holds at most MAX_STUDY_SESSIONS values per measure (sced/stats/limits.py); a
    # longer file is refused whole before any line is read into memory or checked.
    most = MAX_STUDY_SESSIONS * max(study.measures.count(), 1)
    if sum(1 for ln in text.splitlines() if ln.strip()) - 1 > most:
        return [], [ImportProblem(None, MSG_IMPORT_TOO_LONG.format(max=most))]
    if header.index("mt") is None:
        return [], [ImportProblem(None, gettext(MSG_IMPORT_NO_MT))]
    measures = {m.name.lower(): m for m in study.measures.all()}
    names = ", ".join(m.name for m in measures.values())
    rows: list[Row] = []
    problems: list[ImportProblem] = []
    starts_by_measure: dict[int, Any] = {}  # one query per measure, not per line
    try:
        read = list(scan_csv.read_scan_rows(text, header))
    except scan_csv.ScanCsvError as exc:
        return [], [ImportProblem(None, str(exc))]
    width = len(header.columns)
    for scan_row in read:
        line = scan_row.line
        if scan_row.n_fields != width:
            problems.append(
                ImportProblem(
                    line,
                    gettext(MSG_IMPORT_FIELDS).format(
                        line=line, found=scan_row.n_fields, expected=width
                    ),
                )
            )
            continue
        here: list[str] = []
        case = scan_row.case
        measure = measures.get(case.lower())
        if not case:
            here.append(gettext(MSG_IMPORT_BLANK).format(line=line, column="case"))
        elif measure is None:
            here.append(gettext(MSG_IMPORT_MEASURE).format(line=line, case=case, names=names))
        phase = scan_row.phase
        if not phase:
            here.append(gettext(MSG_IMPORT_BLANK).format(line=line, column="phase"))
        session = None
        value = scan_row.value
        if scan_row.value_error:
            here.append(scan_row.value_error)
        mt = None if scan_row.mt_error else scan_row.mt
        if mt is None or mt < 1 or not float(mt).is_integer():
            here.append(
                gettext(MSG_IMPORT_SESSION).format(line=line, mt=(scan_row.mt_raw or "").strip())
            )
        else:
            session = int(mt)
        if measure is not None and session is not None and phase:
            if measure.pk not in starts_by_measure:
                starts_by_measure[measure.pk] = selectors.phase_starts_for(study, measure.pk)
            starts = starts_by_measure[measure.pk]
            expected = selectors.phase_of_session(
                session, starts, study.phase_labels, study.atd_sequence
            )
            if phase[:1].upper() != expected[:1]:
                here.append(
                    gettext(MSG_IMPORT_PHASE).format(
                        line=line, session=session, expected=expected, got=phase
                    )
                )
        problems.extend(ImportProblem(line, message) for message in here)
        if here or value is None or measure is None or session is None:
            continue  # a missing value (NA) stays missing (scan_csv module docstring)
        rows.append(Row(measure=measure, value=value, session=session, line=line))
    if not rows and not problems:
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
        points = selectors.measurements_in_force(measure)
        for label, group in selectors.phase_runs(
            points, starts, study.phase_labels, study.atd_sequence
        ):
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
