"""Read and write single-case data in scan's long CSV format. Pure: stdlib and the shared number reader, no Django.

The format is what ``scan::write_scdf()`` writes (``utils::write.table(as.data.frame(scdf))``,
jazznbass/scan ``R/write_scdf.R``): one row per measurement with the columns ``case``,
``phase``, ``values`` and optionally ``mt`` (measurement time). Other columns (scan's extra
variables) are ignored.

Decisions (documented because every spreadsheet exports CSV a little differently):

* Separator: the one of ``,``, ``;`` and tab that turns the header into a row holding
  ``case``, ``phase`` and ``values``. Header names are matched case-insensitively, and a UTF-8
  BOM (Excel) is dropped.
* Decimal comma: accepted only when the separator is not ``,`` (scan's own example writes
  ``sep = ";", dec = ","``). With ``,`` as separator, ``"3,5"`` is an error, never 35 or 3.5.
* Missing values: an empty cell, ``NA`` (R's ``write.table``) or ``NaN`` in ``values`` is a
  missing measurement. It is dropped before analysis, as SingleCaseES and scan do
  (sced.md §2), and counted in ``Case.n_missing``. Any other non-number is an error.
* Order: rows of a case are taken in file order (cases may be interleaved). When ``mt`` is
  present it must increase within a case; the reader does not re-sort clinical data silently.
* A phase is a run of consecutive rows with the same label, so ``A, B, A, B`` is an ABAB design
  (scan's convention). A case needs at least two phases.

Errors are ``ScanCsvError`` with the 1-based line number and the column, so a clinician can find
the cell in the spreadsheet.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from painclinic.numbers import parse_float

from .limits import (
    MAX_BATCH_CASES,
    MAX_CASES,
    MAX_PHASE_SESSIONS,
    MAX_STUDY_SESSIONS,
    MSG_PHASE_TOO_LONG,
    MSG_STUDY_TOO_LONG,
    MSG_TOO_MANY_BATCH_CASES,
    MSG_TOO_MANY_CASES,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence

REQUIRED_COLUMNS: tuple[str, ...] = ("case", "phase", "values")
OPTIONAL_COLUMNS: tuple[str, ...] = ("mt",)
MISSING_TOKENS = frozenset({"", "na", "nan"})

ERR_EMPTY = "The file is empty."
ERR_NO_HEADER = (
    "Line 1: the header must name the columns case, phase and values (separated by ',', ';' or "
    "tab); missing: {missing}."
)
ERR_DUPLICATE = "Line 1: column {column!r} appears more than once."
ERR_FIELDS = "Line {line}: expected {expected} fields, found {found}."
ERR_BLANK = "Line {line}, column {column!r}: the cell is empty."
ERR_NUMBER = "Line {line}, column {column!r}: {value!r} is not a number."
ERR_DECIMAL_COMMA = (
    "Line {line}, column {column!r}: {value!r} uses a decimal comma, but ',' also separates the "
    "columns; save the file with ';' as separator or use a decimal point."
)
ERR_MT_ORDER = (
    "Line {line}, column 'mt': measurement time {mt:g} of case {case!r} does not come after "
    "{previous:g}; sort the rows of each case by time."
)
ERR_SINGLE_PHASE = (
    "Case {case!r} has only phase {phase!r} (lines {first}-{last}); a single-case design needs a "
    "baseline and at least one intervention phase."
)
ERR_NO_VALUES = "Case {case!r}, phase {phase!r} (from line {line}) has no observed values."
ERR_NO_ROWS = "The file has a header but no measurements."
ERR_CELL_TOO_LONG = (
    "Line {line}: a cell is longer than the {limit:,} characters a CSV cell may have; this is "
    "not a table of measurements (check the separator and the quotes)."
)


class ScanCsvError(ValueError):
    """Bad input in a scan CSV file; the message names the line and column."""


def csv_rows(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) of every row; a cell over csv.field_size_limit() (128 KiB) or a
    malformed quote is a ScanCsvError naming the line, not csv.Error (a 500 before, #15)."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error:
            raise ScanCsvError(
                ERR_CELL_TOO_LONG.format(line=reader.line_num, limit=csv.field_size_limit())
            ) from None
        yield reader.line_num, fields


@dataclass(frozen=True)
class Phase:
    label: str
    values: tuple[float, ...]  # observed values only (missing dropped)
    mt: tuple[float, ...] | None  # measurement times of those values, when the file has mt


@dataclass(frozen=True)
class Case:
    name: str
    phases: tuple[Phase, ...]
    n_missing: int = field(default=0, compare=False)  # rows with a missing value, dropped

    def phase_pairs(self) -> list[tuple[str, list[float]]]:
        """``[(label, values), …]``, the shape ``sced.stats.analysis.analyse_case`` takes."""
        return [(p.label, list(p.values)) for p in self.phases]

    @property
    def values(self) -> list[float]:
        return [v for p in self.phases for v in p.values]


def _pick_delimiter(header_line: str) -> tuple[str, list[str]]:
    if len(header_line) > csv.field_size_limit():
        raise ScanCsvError(ERR_CELL_TOO_LONG.format(line=1, limit=csv.field_size_limit()))
    for delimiter in (",", ";", "\t"):
        names = next(csv.reader([header_line], delimiter=delimiter))
        lowered = [n.strip().lower() for n in names]
        if all(c in lowered for c in REQUIRED_COLUMNS):
            return delimiter, lowered
    names = next(csv.reader([header_line], delimiter=","))
    lowered = [n.strip().lower() for n in names]
    missing = ", ".join(c for c in REQUIRED_COLUMNS if c not in lowered)
    raise ScanCsvError(ERR_NO_HEADER.format(missing=missing))


def _parse_number(raw: str, *, line: int, column: str, delimiter: str) -> float | None:
    """A float, or None for a missing value."""
    text = raw.strip()
    if text.lower() in MISSING_TOKENS:
        return None
    candidate = text
    if "," in text:
        if delimiter == ",":
            raise ScanCsvError(ERR_DECIMAL_COMMA.format(line=line, column=column, value=raw))
        if text.count(",") == 1 and "." not in text:
            candidate = text.replace(",", ".")
    # ASCII digits only, finite: "٣" is not 3 and "1e309" is not infinity here (#15)
    number = parse_float(candidate)
    if number is None:
        raise ScanCsvError(ERR_NUMBER.format(line=line, column=column, value=raw[:40]))
    return number


@dataclass(frozen=True)
class ScanHeader:
    """The header line of a scan long-format file: its separator and lower-cased column names."""

    delimiter: str
    columns: tuple[str, ...]

    def index(self, name: str) -> int | None:
        """Position of a column (the first, when a name repeats), or None when absent."""
        return self.columns.index(name) if name in self.columns else None


def _position(at: dict[str, int | None], name: str) -> int:
    position = at[name]
    if position is None:
        raise ValueError(f"The file has no '{name}' column.")
    return position


@dataclass(frozen=True)
class ScanRow:
    """One data line of a scan long-format file, each cell read but nothing judged.

    ``n_fields`` is the line's width; when it differs from the header's the cells are left
    empty. A number that cannot be read is kept as its error message (``value_error``,
    ``mt_error``) so a reader can stop at the first problem (``read_scan_csv``) or report every
    problem of every line (the study's CSV import).
    """

    line: int
    n_fields: int
    case: str = ""
    phase: str = ""
    value: float | None = None  # None: a missing value (or value_error says why not read)
    value_error: str | None = None
    mt_raw: str | None = None  # None: the file has no mt column
    mt: float | None = None
    mt_error: str | None = None


def read_scan_header(text: str) -> ScanHeader:
    """The header of the file's first non-blank line (a UTF-8 BOM dropped); ``ScanCsvError``
    when the file is empty or no separator gives the columns case, phase and values."""
    text = text.removeprefix("\ufeff")
    header_line = next((ln for ln in text.splitlines() if ln.strip()), None)
    if header_line is None:
        raise ScanCsvError(ERR_EMPTY)
    delimiter, columns = _pick_delimiter(header_line)
    return ScanHeader(delimiter=delimiter, columns=tuple(columns))


def _read_cell(
    raw: str, *, line: int, column: str, delimiter: str
) -> tuple[float | None, str | None]:
    try:
        return _parse_number(raw, line=line, column=column, delimiter=delimiter), None
    except ScanCsvError as exc:
        return None, str(exc)


def read_scan_rows(text: str, header: ScanHeader) -> Iterator[ScanRow]:
    """Every data line after the header, in file order, blank lines skipped (Excel adds some).

    The one CSV row reader of the SCED app: ``read_scan_csv`` and the study's CSV import both
    read through it. Raises ``ScanCsvError`` only for a line the csv module cannot split (a
    malformed quote or an over-long cell), naming the line.
    """
    text = text.removeprefix("\ufeff")
    width = len(header.columns)
    at = {name: header.index(name) for name in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)}
    # The header reader has refused a file without a required column, so these are positions.
    i_case, i_phase, i_values = (_position(at, name) for name in ("case", "phase", "values"))
    seen_header = False
    for line, fields in csv_rows(text, header.delimiter):
        if not fields or all(not f.strip() for f in fields):
            continue
        if not seen_header:
            seen_header = True
            continue
        if len(fields) != width:
            yield ScanRow(line=line, n_fields=len(fields))
            continue
        value, value_error = _read_cell(
            fields[i_values], line=line, column="values", delimiter=header.delimiter
        )
        mt_raw = mt = mt_error = None
        i_mt = at["mt"]
        if i_mt is not None:
            mt_raw = fields[i_mt]
            mt, mt_error = _read_cell(mt_raw, line=line, column="mt", delimiter=header.delimiter)
        yield ScanRow(
            line=line,
            n_fields=width,
            case=fields[i_case].strip(),
            phase=fields[i_phase].strip(),
            value=value,
            value_error=value_error,
            mt_raw=mt_raw,
            mt=mt,
            mt_error=mt_error,
        )


@dataclass
class _Row:
    line: int
    phase: str
    value: float | None
    mt: float | None


def read_scan_csv(text: str, *, batch: bool = False) -> list[Case]:  # noqa: PLR0915  (row reader split out in #18)
    """Parse scan long-format CSV text into cases with ordered phases (see module docstring).

    ``batch``: the cases are independent studies (no test across them), so up to
    ``MAX_BATCH_CASES`` instead of the ``MAX_CASES`` tiers of one study.
    """
    max_cases = MAX_BATCH_CASES if batch else MAX_CASES
    too_many = MSG_TOO_MANY_BATCH_CASES if batch else MSG_TOO_MANY_CASES
    header = read_scan_header(text)
    for name in set(header.columns):
        if (
            name
            and header.columns.count(name) > 1
            and name in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)
        ):
            raise ScanCsvError(ERR_DUPLICATE.format(column=name))
    has_mt = "mt" in header.columns

    rows_by_case: dict[str, list[_Row]] = {}
    n_missing: dict[str, int] = {}
    for scan_row in read_scan_rows(text, header):
        line = scan_row.line
        if scan_row.n_fields != len(header.columns):
            raise ScanCsvError(
                ERR_FIELDS.format(line=line, expected=len(header.columns), found=scan_row.n_fields)
            )
        case, phase = scan_row.case, scan_row.phase
        for column, cell in (("case", case), ("phase", phase)):
            if not cell:
                raise ScanCsvError(ERR_BLANK.format(line=line, column=column))
        if scan_row.value_error:
            raise ScanCsvError(scan_row.value_error)
        value = scan_row.value
        mt = None
        if has_mt:
            if scan_row.mt_error:
                raise ScanCsvError(scan_row.mt_error)
            mt = scan_row.mt
            if mt is None:
                raise ScanCsvError(ERR_BLANK.format(line=line, column="mt"))
            previous = rows_by_case.get(case, [])
            if previous and previous[-1].mt is not None and mt <= previous[-1].mt:
                raise ScanCsvError(
                    ERR_MT_ORDER.format(line=line, mt=mt, case=case, previous=previous[-1].mt)
                )
        rows = rows_by_case.setdefault(case, [])
        # Refused while reading, so a 10^6-row file never reaches the statistics (limits.py).
        if len(rows) >= MAX_STUDY_SESSIONS:
            raise ScanCsvError(
                MSG_STUDY_TOO_LONG.format(
                    where=f"Case {case[:40]!r}", n=MAX_STUDY_SESSIONS + 1, max=MAX_STUDY_SESSIONS
                ).replace("has ", "has at least ", 1)
            )
        if not rows and len(rows_by_case) > max_cases:
            raise ScanCsvError(too_many.format(max=max_cases))
        rows.append(_Row(line, phase, value, mt))
        n_missing[case] = n_missing.get(case, 0) + (value is None)

    if not rows_by_case:
        raise ScanCsvError(ERR_NO_ROWS)

    cases: list[Case] = []
    for name, rows in rows_by_case.items():
        runs: list[list[_Row]] = []
        for row in rows:
            if runs and runs[-1][-1].phase == row.phase:
                runs[-1].append(row)
            else:
                runs.append([row])
        if len(runs) < 2:
            raise ScanCsvError(
                ERR_SINGLE_PHASE.format(
                    case=name, phase=rows[0].phase, first=rows[0].line, last=rows[-1].line
                )
            )
        phases: list[Phase] = []
        for run in runs:
            if len(run) > MAX_PHASE_SESSIONS:
                raise ScanCsvError(
                    f"Case {name[:40]!r}, from line {run[0].line}: "
                    + MSG_PHASE_TOO_LONG.format(
                        label=run[0].phase[:20], n=len(run), max=MAX_PHASE_SESSIONS
                    )
                )
            observed = [r for r in run if r.value is not None]
            if not observed:
                raise ScanCsvError(
                    ERR_NO_VALUES.format(case=name, phase=run[0].phase, line=run[0].line)
                )
            phases.append(
                Phase(
                    label=run[0].phase,
                    values=tuple(float(r.value) for r in observed if r.value is not None),
                    mt=tuple(float(r.mt) for r in observed if r.mt is not None) if has_mt else None,
                )
            )
        cases.append(Case(name=name, phases=tuple(phases), n_missing=n_missing[name]))
    return cases


def _format_number(value: float) -> str:
    # repr() is the shortest string that reads back to the same double: exact round trip.
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def write_scan_csv(
    cases: Iterable[Case] | Sequence[tuple[str, Sequence[tuple[str, Sequence[float]]]]],
) -> str:
    """Write cases in scan's long format (``case,phase,values,mt``; ``,`` and decimal point).

    Accepts ``Case`` objects or ``(case_name, [(phase_label, values), …])`` pairs. ``mt`` is the
    stored measurement time when every phase has one, else 1, 2, 3 … per case (scan's default).
    The output reads back with ``read_scan_csv`` to the same cases, and into R with
    ``scan::read_scdf(file)``.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["case", "phase", "values", "mt"])
    for item in cases:
        if isinstance(item, Case):
            name = item.name
            phase_rows = [(p.label, p.values, p.mt) for p in item.phases]
        else:
            name, pairs = item
            phase_rows = [(label, tuple(values), None) for label, values in pairs]
        use_mt = all(mt is not None for _, _, mt in phase_rows)
        session = 0
        for label, values, mts in phase_rows:
            for i, value in enumerate(values):
                session += 1
                mt = mts[i] if use_mt and mts is not None else session
                writer.writerow([name, label, _format_number(value), _format_number(mt)])
    return buffer.getvalue()
