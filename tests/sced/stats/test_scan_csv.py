"""scan long-format CSV: reading what scan writes, clear errors, and a lossless round trip."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sced.stats.scan_csv import Case, Phase, ScanCsvError, read_scan_csv, write_scan_csv
from tests.sced.reference import load_reference

# What scan::write_scdf() produces (utils::write.table: quoted strings, NA for missing).
SCAN_WRITTEN = """\
"case","phase","values","mt","note"
"Jannick","A",7,1,"x"
"Jannick","A",6,2,"x"
"Jannick","A",NA,3,"x"
"Jannick","A",7,4,"x"
"Jannick","B",4,5,"x"
"Jannick","B",3,6,"x"
"Jannick","A",6,7,"x"
"Jannick","B",2,8,"x"
"""


def test_reads_what_scan_writes() -> None:
    (case,) = read_scan_csv(SCAN_WRITTEN)
    assert case.name == "Jannick"
    assert [p.label for p in case.phases] == ["A", "B", "A", "B"]  # runs of labels = phases
    assert case.phases[0].values == (7.0, 6.0, 7.0)  # NA dropped (sced.md §2)
    assert case.phases[0].mt == (1.0, 2.0, 4.0)
    assert case.n_missing == 1
    assert case.phase_pairs() == [
        ("A", [7.0, 6.0, 7.0]),
        ("B", [4.0, 3.0]),
        ("A", [6.0]),
        ("B", [2.0]),
    ]


def test_semicolon_file_with_decimal_commas() -> None:
    # scan's own example: write_scdf(Grosche2011, filename, sep = ";", dec = ",").
    text = "case;phase;values;mt\nSusan;A;5,5;1\nSusan;A;6;2\nSusan;B;7,25;3\nSusan;B;8.5;4\n"
    (case,) = read_scan_csv(text)
    assert case.phases == (
        Phase("A", (5.5, 6.0), (1.0, 2.0)),
        Phase("B", (7.25, 8.5), (3.0, 4.0)),
    )


def test_tab_separated_with_bom_and_capitalised_header() -> None:
    text = "\ufeffCase\tPhase\tValues\nx\tA\t1\nx\tA\t2\nx\tB\t3\n"
    (case,) = read_scan_csv(text)
    assert case.phase_pairs() == [("A", [1.0, 2.0]), ("B", [3.0])]
    assert case.phases[0].mt is None


def test_interleaved_cases_keep_their_own_order() -> None:
    text = "case,phase,values\np1,A,1\np2,A,10\np1,B,2\np2,B,20\np1,B,3\n"
    p1, p2 = read_scan_csv(text)
    assert (p1.name, p1.phase_pairs()) == ("p1", [("A", [1.0]), ("B", [2.0, 3.0])])
    assert (p2.name, p2.phase_pairs()) == ("p2", [("A", [10.0]), ("B", [20.0])])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "The file is empty"),
        ("case,phase,score\nx,A,1\nx,B,2\n", "Line 1: .*missing: values"),
        ("case,values\nx,1\n", "Line 1: .*missing: phase"),
        (
            "case,phase,values\nx,A,1\nx,A,seven\nx,B,2\n",
            "Line 3, column 'values': 'seven' is not a number",
        ),
        ("case,phase,values\nx,A,1\nx,A,2\n", "Case 'x' has only phase 'A' \\(lines 2-3\\)"),
        ('case,phase,values\nx,A,"3,5"\nx,B,2\n', "Line 2, column 'values': .*decimal comma"),
        (
            "case,phase,values,mt\nx,A,1,1\nx,A,2,3\nx,B,3,2\n",
            "Line 4, column 'mt'.*does not come after",
        ),
        ("case,phase,values\nx,A,1\nx,B\n", "Line 3: expected 3 fields, found 2"),
        ("case,phase,values\nx,,1\nx,B,2\n", "Line 2, column 'phase': the cell is empty"),
        ("case,phase,values\nx,A,NA\nx,B,2\n", "phase 'A' .*no observed values"),
        ("case,phase,values\n", "no measurements"),
        ("case,phase,values,values\nx,A,1,1\n", "'values' appears more than once"),
        (
            "case,phase,values,mt\nx,A,1,one\nx,B,2,2\n",
            "Line 2, column 'mt': 'one' is not a number",
        ),
    ],
)
def test_bad_input_names_line_and_column(text: str, message: str) -> None:
    with pytest.raises(ScanCsvError, match=message):
        read_scan_csv(text)


def test_error_is_a_value_error() -> None:
    assert issubclass(ScanCsvError, ValueError)


def _reference() -> dict[str, Any]:
    return load_reference()


def test_round_trip_of_the_reference_data_sets() -> None:
    cases: list[tuple[str, list[tuple[str, list[float]]]]] = []
    for ds in _reference()["datasets"]:
        if "phases" in ds:
            cases.append((ds["id"], [(p["label"], p["values"]) for p in ds["phases"]]))
        for tier in ds.get("tiers", []):
            cases.append(
                (f"{ds['id']}-{tier['tier']}", [(p["label"], p["values"]) for p in tier["phases"]])
            )
    text = write_scan_csv(cases)
    assert text.splitlines()[0] == "case,phase,values,mt"
    back = read_scan_csv(text)
    assert [(c.name, c.phase_pairs()) for c in back] == [
        (name, [(label, [float(v) for v in values]) for label, values in phases])
        for name, phases in cases
    ]
    # Writing what was read gives the same text (mt 1..N is kept).
    assert write_scan_csv(back) == text


labels = st.sampled_from(["A", "B", "A1", "B2", "C"])
values = st.lists(
    st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False), min_size=1, max_size=6
)


@settings(max_examples=40)
@given(
    st.lists(
        st.tuples(
            st.text(alphabet="abcxyz ;,\"'-_0123", min_size=1, max_size=8).filter(
                lambda s: s.strip() == s
            ),
            st.lists(st.tuples(labels, values), min_size=2, max_size=4),
        ),
        min_size=1,
        max_size=3,
        unique_by=lambda c: c[0],
    )
)
def test_round_trip_is_exact(cases: list[tuple[str, list[tuple[str, list[float]]]]]) -> None:
    # Adjacent phases with the same label merge into one run, as scan reads them.
    expected: list[tuple[str, list[tuple[str, list[float]]]]] = []
    for name, phases in cases:
        merged: list[tuple[str, list[float]]] = []
        for label, vals in phases:
            if merged and merged[-1][0] == label:
                merged[-1][1].extend(vals)
            else:
                merged.append((label, list(vals)))
        if len(merged) < 2:
            return
        expected.append((name, merged))
    back = read_scan_csv(write_scan_csv(expected))
    assert [(c.name, c.phase_pairs()) for c in back] == expected


def test_writer_keeps_measurement_times() -> None:
    case = Case("p", (Phase("A", (1.0, 2.5), (3.0, 5.0)), Phase("B", (4.0,), (9.0,))))
    text = write_scan_csv([case])
    assert text == "case,phase,values,mt\np,A,1,3\np,A,2.5,5\np,B,4,9\n"
    assert read_scan_csv(text) == [case]
