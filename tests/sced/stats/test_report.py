"""The JSON report behind ``manage.py sced_analyse FILE.csv``, checked against the reference."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sced.stats.report import analyse_scan_csv, dumps_report
from sced.stats.scan_csv import ScanCsvError, write_scan_csv
from tests.sced.reference import reference_datasets

P_TOL = 1e-12  # sced.md §1


@pytest.fixture(scope="module")
def datasets() -> dict[str, dict[str, Any]]:
    return reference_datasets()


def _csv(ds: dict[str, Any]) -> str:
    if "tiers" in ds:
        return write_scan_csv(
            [(t["tier"], [(p["label"], p["values"]) for p in t["phases"]]) for t in ds["tiers"]]
        )
    return write_scan_csv([(ds["id"], [(p["label"], p["values"]) for p in ds["phases"]])])


@pytest.mark.parametrize("dataset_id", ["sced02", "sced07", "sced13"])
def test_ab_case_randomization_matches_scrt(datasets: dict[str, Any], dataset_id: str) -> None:
    ds = datasets[dataset_id]
    L = ds["options"]["randomization_min_phase_length"]
    report = analyse_scan_csv(_csv(ds), improvement=ds["improvement"], min_phase_length=L)
    (case,) = report["cases"]
    scrt = ds["results"]["A-B"]["SCRT"]["AB_mean_diff"]
    rand = case["randomization"]
    assert case["design"] == "AB"
    assert rand["p_value"] == pytest.approx(scrt["p"], abs=P_TOL)
    assert rand["n_assignments"] == scrt["n_assignments"] == len(rand["admissible"])
    assert rand["actual_start"] == len(ds["phases"][0]["values"]) + 1
    assert rand["method"] == "exact"
    assert report["multiple_baseline"] is None


def test_nap_statistic_is_passed_through(datasets: dict[str, Any]) -> None:
    ds = datasets["sced07"]
    report = analyse_scan_csv(_csv(ds), improvement="increase", min_phase_length=3, statistic="nap")
    rand = report["cases"][0]["randomization"]
    scan = ds["results"]["A-B"]["scan"]["rand_test_nap"]
    assert rand["statistic"] == "nap"
    assert rand["p_value"] == pytest.approx(scan["p"], abs=P_TOL)
    assert rand["observed_statistic"] * 100 == pytest.approx(scan["observed_statistic"], rel=1e-9)


def test_abab_case_uses_scrt_abab_set(datasets: dict[str, Any]) -> None:
    ds = datasets["sced21"]
    report = analyse_scan_csv(_csv(ds), improvement="decrease", min_phase_length=3)
    rand = report["cases"][0]["randomization"]
    scrt = ds["results"]["pooled_A_vs_B"]["SCRT"]["mean_diff_pooled"]
    assert report["cases"][0]["design"] == "ABAB"
    assert rand["n_assignments"] == scrt["n_assignments"]
    assert rand["p_value"] == pytest.approx(scrt["p"], abs=P_TOL)
    assert rand["actual_start"] == [6, 12, 17]


def test_multiple_baseline_across_cases(datasets: dict[str, Any]) -> None:
    ds = datasets["sced24"]
    across = ds["results"]["across_tiers"]
    L = ds["options"]["randomization_min_phase_length"]
    text = _csv(ds)

    scan_style = analyse_scan_csv(text, improvement="increase", min_phase_length=L)
    mbd = scan_style["multiple_baseline"]
    assert mbd["tiers"] == ["walking", "stretching", "household"]
    assert mbd["actual_start"] == [5, 9, 13]
    assert mbd["n_assignments"] == across["rand_test_mean"]["n_assignments"]
    assert mbd["p_value"] == pytest.approx(across["rand_test_mean"]["p"], abs=P_TOL)
    assert len(mbd["admissible"]) == 2197
    assert [5, 9, 13] in mbd["admissible"]
    assert len(scan_style["cases"]) == 3

    sets = across["SCRT_MBD_mean_diff"]["admissible_start_points_per_tier"]
    regulated = analyse_scan_csv(
        text, improvement="increase", min_phase_length=L, mbd_start_sets=sets
    )
    mbd = regulated["multiple_baseline"]
    assert mbd["n_assignments"] == across["SCRT_MBD_mean_diff"]["n_assignments"]
    assert mbd["p_value"] == pytest.approx(across["SCRT_MBD_mean_diff"]["p"], abs=P_TOL)
    assert "Koehler" in mbd["scheme"]
    assert [13, 5, 9] in mbd["admissible"]  # sets permuted over tiers


def test_declared_start_points_replace_the_minimum_length(datasets: dict[str, Any]) -> None:
    ds = datasets["sced13"]  # A = 5 points, B starts at session 6, N = 10
    report = analyse_scan_csv(_csv(ds), improvement="increase", admissible_starts=[5, 6, 7])
    rand = report["cases"][0]["randomization"]
    assert rand["admissible"] == [5, 6, 7]
    assert rand["n_assignments"] == 3
    assert rand["p_value"] == pytest.approx(1 / 3, abs=P_TOL)  # complete non-overlap: rank 1 of 3
    assert report["options"]["admissible_starts"] == [5, 6, 7]

    outside = analyse_scan_csv(_csv(ds), improvement="increase", admissible_starts=[7, 8])
    assert "not among the admissible" in outside["cases"][0]["randomization"]["error"]


def test_underpowered_design_is_flagged(datasets: dict[str, Any]) -> None:
    # sced13: N = 10, L = 3 gives 5 assignments, so p can never go below 0.2 (sced.md §5 P12).
    report = analyse_scan_csv(_csv(datasets["sced13"]), improvement="increase", min_phase_length=3)
    warnings = report["cases"][0]["randomization"]["warnings"]
    assert any("smallest attainable p is 0.2" in w for w in warnings)


def test_too_short_series_is_a_reason_not_a_crash() -> None:
    text = "case,phase,values\nx,A,1\nx,A,2\nx,B,3\nx,B,4\n"
    report = analyse_scan_csv(text, improvement="increase", min_phase_length=3)
    assert "cannot hold" in report["cases"][0]["randomization"]["error"]


def test_other_designs_get_a_reason() -> None:
    text = "case,phase,values\nx,A,1\nx,A,2\nx,B,3\nx,B,4\nx,C,5\nx,C,6\n"
    report = analyse_scan_csv(text, improvement="increase", min_phase_length=1)
    assert report["cases"][0]["design"] == "other"
    assert "No randomization test" in report["cases"][0]["randomization"]["error"]


def test_mbd_needs_ab_tiers() -> None:
    text = "case,phase,values\nx,A,1\nx,B,2\nx,A,3\ny,A,1\ny,B,2\n"
    report = analyse_scan_csv(text, improvement="increase", min_phase_length=1)
    assert "needs every case to be an AB series" in report["multiple_baseline"]["error"]


def test_monte_carlo_settings_are_recorded(datasets: dict[str, Any]) -> None:
    ds = datasets["sced21"]
    report = analyse_scan_csv(
        _csv(ds),
        improvement="decrease",
        method="monte_carlo",
        n_random=500,
        seed=11,
        include_distribution=False,
    )
    rand = report["cases"][0]["randomization"]
    assert rand["method"] == "monte_carlo"
    assert rand["seed"] == 11
    assert rand["n_assignments"] == 501
    assert rand["n_admissible"] == 286
    assert "distribution" not in rand
    assert report["options"]["seed"] == 11


def test_report_is_strict_json(datasets: dict[str, Any]) -> None:
    report = analyse_scan_csv(_csv(datasets["sced24"]), improvement="increase", min_phase_length=4)
    text = dumps_report(report)
    assert "NaN" not in text.replace('"NaN"', "")
    back = json.loads(text)
    assert back["format"] == "painclinic.sced_report"
    assert len(back["cases"][0]["randomization"]["distribution"]) == 13


def test_unreadable_file_raises_the_csv_error() -> None:
    with pytest.raises(ScanCsvError, match="Line 1"):
        analyse_scan_csv("a,b\n1,2\n", improvement="increase")


def test_bad_options_are_refused() -> None:
    text = "case,phase,values\nx,A,1\nx,A,2\nx,B,3\nx,B,4\n"
    with pytest.raises(ValueError, match="improvement"):
        analyse_scan_csv(text, improvement="better")
    with pytest.raises(ValueError, match="Unknown statistic"):
        analyse_scan_csv(text, improvement="increase", statistic="median")


def test_whole_report_includes_the_case_analysis(datasets: dict[str, Any]) -> None:
    from sced.stats.analysis import analyse_case

    ds = datasets["sced02"]
    report = analyse_scan_csv(_csv(ds), improvement="decrease", min_phase_length=3, confidence=0.9)
    analysis = report["cases"][0]["analysis"]
    phases = [(p["label"], [float(v) for v in p["values"]]) for p in ds["phases"]]
    assert analysis == analyse_case(phases, improvement="decrease", confidence=0.9, design="AB")
    nap = analysis["comparisons"]["A-B"]["effect_sizes"]["NAP"]["estimate"]
    assert nap == pytest.approx(ds["results"]["A-B"]["SingleCaseES"]["NAP"]["est"], abs=P_TOL)
    json.loads(dumps_report(report))


def test_analysis_options_reach_analyse_case(datasets: dict[str, Any]) -> None:
    ds = datasets["sced02"]
    report = analyse_scan_csv(
        _csv(ds), improvement="decrease", analysis_options={"lrr_scale": "other"}
    )
    assert report["cases"][0]["analysis"]["options"]["lrr_scale"] == "other"
    assert report["options"]["analysis_options"] == {"lrr_scale": "other"}
