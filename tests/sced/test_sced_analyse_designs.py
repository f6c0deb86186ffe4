"""``manage.py sced_analyse --design ATD / changing_criterion`` and ``--lrr-scale`` (issue #12):
a researcher analyses an alternating-treatments file, a changing-criterion file, and chooses the
scale the log response ratio truncates on, as SingleCaseES lets them."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from sced.stats import parametric as pa
from sced.stats.atd import atd_randomization_test
from sced.stats.scan_csv import write_scan_csv
from tests.sced.reference import reference_datasets

# Pain NRS of Ms K under two alternating conditions, randomized with at most 2 in a row.
ATD_SEQUENCE = "ABBABAABABBA"
ATD_VALUES = [6, 4, 3, 6, 4, 7, 5, 3, 6, 4, 2, 6]


def _run(*args: str) -> dict:
    out = StringIO()
    call_command("sced_analyse", *args, stdout=out)
    return json.loads(out.getvalue())


def _atd_file(tmp_path, values=ATD_VALUES, sequence=ATD_SEQUENCE):
    rows = ["case,phase,values"] + [
        f"Ms K,{c},{'' if v is None else v}" for c, v in zip(sequence, values, strict=True)
    ]
    path = tmp_path / "atd.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_the_atd_p_value_is_the_pure_cores_on_the_same_data(tmp_path):
    report = _run(
        str(_atd_file(tmp_path)), "--design", "ATD", "--max-consecutive", "2",
        "--improvement", "decrease",
    )  # fmt: skip
    (case,) = report["cases"]
    expected = atd_randomization_test(
        list(ATD_SEQUENCE), ATD_VALUES, max_consecutive=2, improvement="decrease"
    )
    assert case["sequence"] == ATD_SEQUENCE
    assert case["randomization"]["p_value"] == pytest.approx(expected.p_value, abs=1e-12)
    assert case["randomization"]["n_admissible"] == expected.n_admissible
    assert case["randomization"]["method"] == "exact"
    # lower is better: the B mean (3.33) is 2.67 below the A mean (6.0)
    assert case["randomization"]["observed_statistic"] == pytest.approx(8 / 3)
    assert case["conditions"]["A"]["n"] == 6
    # only order-free comparisons of B with A sessions: no trend or phase-overlap index
    assert "Tau_U" not in case["effect_sizes"]
    assert "PND" not in case["effect_sizes"]
    assert case["effect_sizes"]["NAP"]["estimate"] == pytest.approx(1.0)


def test_a_missed_atd_session_keeps_its_place_in_the_sequence(tmp_path):
    values = [*ATD_VALUES[:4], None, *ATD_VALUES[5:]]
    report = _run(
        str(_atd_file(tmp_path, values)), "--design", "ATD", "--max-consecutive", "2",
        "--improvement", "decrease", "--no-distribution",
    )  # fmt: skip
    (case,) = report["cases"]
    expected = atd_randomization_test(
        list(ATD_SEQUENCE), values, max_consecutive=2, improvement="decrease"
    )
    assert case["n_missing"] == 1
    assert case["randomization"]["p_value"] == pytest.approx(expected.p_value, abs=1e-12)
    assert "distribution" not in case["randomization"]


def test_atd_needs_k_and_refuses_a_sequence_that_breaks_it(tmp_path):
    path = _atd_file(tmp_path)
    with pytest.raises(CommandError, match="--max-consecutive"):
        _run(str(path), "--design", "ATD", "--improvement", "decrease")
    # ABBA BAAB ABBA has runs of 2: a limit of 1 is broken, and the message says so
    with pytest.raises(CommandError, match="consecutive"):
        _run(str(path), "--design", "ATD", "--max-consecutive", "1", "--improvement", "decrease")


def test_atd_refuses_a_condition_other_than_a_or_b_naming_the_line(tmp_path):
    path = _atd_file(tmp_path, sequence="ABBABAABABBC")
    with pytest.raises(CommandError, match="Line 13"):
        _run(str(path), "--design", "ATD", "--max-consecutive", "2", "--improvement", "decrease")


CRITERION_ROWS = [
    ("A", "", [2, 3, 2, 3]),
    ("B1", "4", [4, 5, 4, 4]),
    ("B2", "6", [6, 6, 7, 5, 6]),  # 4 of 5 at or above 6: met at 80 %
    ("B3", "8", [8, 7, 6, 8]),  # 2 of 4: not met
]


def _criterion_file(tmp_path, rows=CRITERION_ROWS):
    lines = ["case,phase,values,criterion"]
    for label, criterion, values in rows:
        lines += [f"Mr T,{label},{v},{criterion}" for v in values]
    path = tmp_path / "cc.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_changing_criterion_file_gives_met_and_not_met_per_phase(tmp_path):
    report = _run(
        str(_criterion_file(tmp_path)), "--design", "changing_criterion",
        "--improvement", "increase",
    )  # fmt: skip
    table = report["cases"][0]["criterion"]
    met = {p["label"]: p["met"] for p in table["phases"]}
    assert met == {"B1": True, "B2": True, "B3": False}
    assert table["n_changes"] == 3
    assert table["demonstrates_control"] is False
    assert "did not meet" in table["reading"]
    # a stricter share makes B2 (4 of 5) fail too
    strict = _run(
        str(_criterion_file(tmp_path)), "--design", "changing_criterion",
        "--improvement", "increase", "--met-share", "0.9",
    )  # fmt: skip
    assert strict["cases"][0]["criterion"]["phases"][1]["met"] is False


def test_a_criterion_that_changes_inside_a_phase_is_refused(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "case,phase,values,criterion\nT,A,2,\nT,A,3,\nT,B1,4,4\nT,B1,5,5\n", encoding="utf-8"
    )
    with pytest.raises(CommandError, match="Line 5"):
        _run(str(path), "--design", "changing_criterion", "--improvement", "increase")


def test_the_lrr_scale_option_reaches_the_log_response_ratio(tmp_path):
    # A share of the day in pain, in percent, reaching 0 % in B: truncation depends on the scale
    a, b = [40.0, 50.0, 45.0, 55.0], [0.0, 0.0, 0.0, 0.0]
    path = tmp_path / "pct.csv"
    path.write_text(write_scan_csv([("P", [("A", a), ("B", b)])]), encoding="utf-8")
    by_scale = {}
    for scale in ("count", "percentage"):
        report = _run(str(path), "--improvement", "decrease", "--lrr-scale", scale)
        es = report["cases"][0]["analysis"]["comparisons"]["A-B"]["effect_sizes"]["LRRi"]
        expected = pa.lrri(a, b, improvement="decrease", scale=scale)
        assert es["estimate"] == pytest.approx(expected.estimate, rel=1e-12)
        assert es["options"]["scale"] == scale
        by_scale[scale] = es["estimate"]
    assert by_scale["count"] != pytest.approx(by_scale["percentage"])


def test_lrri_agrees_with_singlecasees_when_the_reference_scale_is_given(tmp_path):
    # The reference set has no percentage data; sced02 (pain NRS) was computed with
    # scale = "other", which the command can now be told.
    ds = reference_datasets()["sced02"]
    path = tmp_path / "sced02.csv"
    path.write_text(
        write_scan_csv([(ds["id"], [(p["label"], p["values"]) for p in ds["phases"]])]),
        encoding="utf-8",
    )
    report = _run(
        str(path), "--improvement", ds["improvement"], "--lrr-scale", ds["options"]["lrr_scale"]
    )
    es = report["cases"][0]["analysis"]["comparisons"]["A-B"]["effect_sizes"]
    ref = ds["results"]["A-B"]["SingleCaseES"]
    assert es["LRRi"]["estimate"] == pytest.approx(ref["LRRi"]["est"], rel=1e-9)
    assert es["LRRi"]["options"]["scale"] == "other"
