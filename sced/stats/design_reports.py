"""Reports of the alternating-treatments and changing-criterion designs, for a study and a file.

Pure: no Django. ``manage.py sced_analyse --design ATD`` / ``--design changing_criterion`` read a
scan long-format file (``sced.stats.scan_csv``) through these functions; a study's analysis
(``sced.study_analysis``) uses ``atd_effect_sizes`` and ``criterion_table``, so the page and the
file give the same numbers.

* ATD (issue #12): the file's ``phase`` column holds the condition (A or B) of each session, in
  session order; the test is ``sced.stats.atd.atd_randomization_test`` (SCRT "ATD",
  Bulté & Onghena 2008). The conditions alternate, so indices that read the order of a phase
  (trend, Tau-U with baseline trend, Tau-BC, immediacy, PND/PEM/PAND/IRD across a phase change)
  have no meaning there; the effect sizes compare the B sessions with the A sessions as two
  groups of days (NAP, Tau, SMD, LRR, LRM).
* Changing criterion: a ``criterion`` column holds each row's criterion (empty in the
  baseline); a phase is a run of rows with one phase label, and every row of a phase must carry
  the same criterion (it is set before the phase starts). ``sced.stats.changing_criterion``
  gives the met / not-met table and the reading.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from . import nonoverlap as no
from . import parametric as pa
from .atd import atd_randomization_test
from .changing_criterion import DEFAULT_MET_SHARE, CriterionPhase, criterion_met
from .inputs import DEFAULTS
from .limits import MAX_STUDY_SESSIONS
from .report import REPORT_FORMAT, REPORT_VERSION
from .scan_csv import ScanCsvError, csv_rows, read_scan_header, read_scan_rows

if TYPE_CHECKING:
    from collections.abc import Sequence

ATD_NOTE = (
    "In an alternating-treatments design the conditions alternate from session to session, so "
    "there are no phases to compare: trend, Tau-U, Tau-BC, immediacy and the phase-overlap "
    "indices (PND, PEM, PAND, IRD) are not computed. The effect sizes compare the B sessions "
    "with the A sessions as two groups of days."
)
ERR_CONDITION = "Line {line}, column 'phase': the condition must be A or B (got {got!r})."
ERR_WIDTH = "Line {line}: {n} fields where the header has {width}."
ERR_NO_CRITERION_COLUMN = "A changing-criterion file needs a 'criterion' column."
ERR_CRITERION_CHANGES = (
    "Line {line}, column 'criterion': phase {phase} of case {case!r} has criterion {first} "
    "above and {got} here; a phase has one criterion, set before it starts."
)
ERR_CRITERION_NUMBER = "Line {line}, column 'criterion': {got!r} is not a number."
ERR_TOO_LONG = "Case {case!r} has {n} sessions; at most {max} are analysed."


@dataclass(frozen=True)
class _Row:
    line: int
    case: str
    phase: str
    value: float | None
    criterion: str


def _rows(text: str) -> tuple[list[str], dict[str, list[_Row]]]:
    """The rows of every case in file order, with the raw criterion cell ('' without one)."""
    header = read_scan_header(text)
    i_criterion = header.index("criterion")
    criteria: dict[int, str] = {}
    if i_criterion is not None:
        for line, fields in csv_rows(text.removeprefix("\ufeff"), header.delimiter):
            if len(fields) == len(header.columns):
                criteria[line] = fields[i_criterion].strip()
    cases: dict[str, list[_Row]] = {}
    for row in read_scan_rows(text, header):
        if row.n_fields != len(header.columns):
            raise ScanCsvError(
                ERR_WIDTH.format(line=row.line, n=row.n_fields, width=len(header.columns))
            )
        if row.value_error:
            raise ScanCsvError(row.value_error)
        cases.setdefault(row.case, []).append(
            _Row(row.line, row.case, row.phase, row.value, criteria.get(row.line, ""))
        )
    for case, rows in cases.items():
        if len(rows) > MAX_STUDY_SESSIONS:
            raise ScanCsvError(ERR_TOO_LONG.format(case=case, n=len(rows), max=MAX_STUDY_SESSIONS))
    return list(header.columns), cases


def atd_effect_sizes(
    a: Sequence[float],
    b: Sequence[float],
    *,
    improvement: str,
    confidence: float = DEFAULTS.confidence,
    lrr_scale: pa.Scale = DEFAULTS.lrr_scale,
) -> dict[str, dict[str, Any]]:
    """The effect sizes that make sense in an ATD: B sessions against A sessions, order-free."""
    imp: Any = improvement
    nap = no.nap(a, b, improvement=imp, confidence=confidence)
    sizes = {
        "NAP": nap,
        "Tau": no.tau_from_nap(nap),
        "SMD_baseline": pa.smd(a, b, improvement=imp, confidence=confidence),
        "SMD_pool": pa.smd(a, b, improvement=imp, std_dev="pool", confidence=confidence),
        "LRRi": pa.lrri(a, b, improvement=imp, scale=lrr_scale, confidence=confidence),
        "LRRd": pa.lrrd(a, b, improvement=imp, scale=lrr_scale, confidence=confidence),
        "LRM": pa.lrm(a, b, improvement=imp, confidence=confidence),
    }
    return {name: es.to_dict() for name, es in sizes.items()}


def _condition_summary(values: Sequence[float]) -> dict[str, Any]:
    x = np.asarray(values, dtype=float)
    return {
        "n": int(x.size),
        "mean": float(x.mean()) if x.size else None,
        "median": float(np.median(x)) if x.size else None,
        "sd": float(x.std(ddof=1)) if x.size > 1 else None,
    }


def atd_case_report(
    conditions: Sequence[str],
    values: Sequence[float | None],
    *,
    improvement: str,
    max_consecutive: int,
    confidence: float = DEFAULTS.confidence,
    lrr_scale: pa.Scale = DEFAULTS.lrr_scale,
    method: str = DEFAULTS.method,
    seed: int = DEFAULTS.seed,
    n_random: int = DEFAULTS.n_random,
    include_distribution: bool = True,
) -> dict[str, Any]:
    """One ATD series: per-condition summary, the order-free effect sizes and the test."""
    a = [v for c, v in zip(conditions, values, strict=True) if c == "A" and v is not None]
    b = [v for c, v in zip(conditions, values, strict=True) if c == "B" and v is not None]
    result = atd_randomization_test(
        conditions,
        values,
        max_consecutive=max_consecutive,
        improvement=improvement,  # type: ignore[arg-type]
        method=method,  # type: ignore[arg-type]
        n_random=n_random,
        seed=seed,
    )
    test = result.to_dict()
    if not include_distribution:
        test.pop("distribution")
    test["max_consecutive"] = max_consecutive
    return {
        "design": "ATD",
        "sequence": "".join(conditions),
        "n_missing": sum(1 for v in values if v is None),
        "conditions": {"A": _condition_summary(a), "B": _condition_summary(b)},
        "effect_sizes": atd_effect_sizes(
            a, b, improvement=improvement, confidence=confidence, lrr_scale=lrr_scale
        ),
        "randomization": test,
        "note": ATD_NOTE,
    }


def analyse_atd_csv(
    text: str,
    *,
    improvement: str,
    max_consecutive: int,
    confidence: float = DEFAULTS.confidence,
    lrr_scale: pa.Scale = DEFAULTS.lrr_scale,
    method: str = DEFAULTS.method,
    seed: int = DEFAULTS.seed,
    n_random: int = DEFAULTS.n_random,
    include_distribution: bool = True,
) -> dict[str, Any]:
    """The ATD report of a file whose ``phase`` column is each session's condition."""
    _, cases = _rows(text)
    out = []
    for name, rows in cases.items():
        conditions = []
        for r in rows:
            c = r.phase.upper()
            if c not in ("A", "B"):
                raise ScanCsvError(ERR_CONDITION.format(line=r.line, got=r.phase))
            conditions.append(c)
        report = atd_case_report(
            conditions,
            [r.value for r in rows],
            improvement=improvement,
            max_consecutive=max_consecutive,
            confidence=confidence,
            lrr_scale=lrr_scale,
            method=method,
            seed=seed,
            n_random=n_random,
            include_distribution=include_distribution,
        )
        out.append({"case": name, **report})
    return {
        "format": REPORT_FORMAT,
        "version": REPORT_VERSION,
        "options": {
            "design": "ATD",
            "improvement": improvement,
            "max_consecutive": max_consecutive,
            "confidence": confidence,
            "lrr_scale": lrr_scale,
            "method": method,
            "seed": seed,
            "n_random": n_random,
        },
        "cases": out,
    }


def criterion_table(
    phases: Sequence[CriterionPhase], *, improvement: str, met_share: float = DEFAULT_MET_SHARE
) -> dict[str, Any]:
    """The per-phase met / not-met table and the design's reading, JSON-ready."""
    result = criterion_met(phases, improvement=improvement, met_share=met_share)
    return {
        "met_share": met_share,
        "phases": [
            {
                "label": p.label,
                "criterion": p.criterion,
                "n": p.n,
                "n_meeting": p.n_meeting,
                "share_meeting": p.share_meeting,
                "met": p.met,
                "is_change": p.is_change,
            }
            for p in result.phases
        ],
        "n_changes": result.n_changes,
        "n_changes_met": result.n_changes_met,
        "demonstrates_control": result.demonstrates_control,
        "reading": result.reading,
    }


def _criterion_phases(name: str, rows: Sequence[_Row]) -> list[CriterionPhase]:
    runs: list[tuple[str, list[_Row]]] = []
    for r in rows:
        if runs and runs[-1][0] == r.phase:
            runs[-1][1].append(r)
        else:
            runs.append((r.phase, [r]))
    phases = []
    for label, group in runs:
        first = group[0].criterion
        for r in group[1:]:
            if r.criterion != first:
                raise ScanCsvError(
                    ERR_CRITERION_CHANGES.format(
                        line=r.line, phase=label, case=name, first=first or "none", got=r.criterion
                    )
                )
        criterion: float | None = None
        if first:
            try:
                criterion = float(first.replace(",", "."))
            except ValueError:
                raise ScanCsvError(
                    ERR_CRITERION_NUMBER.format(line=group[0].line, got=first)
                ) from None
        phases.append(
            CriterionPhase(
                label=label,
                criterion=criterion,
                values=tuple(float(r.value) for r in group if r.value is not None),
            )
        )
    return phases


def analyse_criterion_csv(
    text: str, *, improvement: str, met_share: float = DEFAULT_MET_SHARE
) -> dict[str, Any]:
    """The changing-criterion report of a file with a ``criterion`` column."""
    columns, cases = _rows(text)
    if "criterion" not in columns:
        raise ScanCsvError(ERR_NO_CRITERION_COLUMN)
    out = []
    for name, rows in cases.items():
        phases = _criterion_phases(name, rows)
        out.append(
            {
                "case": name,
                "design": "changing_criterion",
                "phases": [
                    {
                        "label": p.label,
                        "criterion": p.criterion,
                        "n": len(p.values),
                        "mean": float(np.mean(p.values)) if p.values else None,
                        "values": list(p.values),
                    }
                    for p in phases
                ],
                "criterion": criterion_table(phases, improvement=improvement, met_share=met_share),
            }
        )
    return {
        "format": REPORT_FORMAT,
        "version": REPORT_VERSION,
        "options": {
            "design": "changing_criterion",
            "improvement": improvement,
            "met_share": met_share,
        },
        "cases": out,
    }
