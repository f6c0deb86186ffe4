"""``manage.py sced_analyse FILE.csv``: a researcher feeds a scan CSV and gets the numbers the
reference packages give (shared/reference/sced_examples.json)."""

from __future__ import annotations

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from sced.stats.scan_csv import write_scan_csv
from tests.sced.reference import reference_datasets

MAIN = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def datasets() -> dict:
    return reference_datasets()


def _write(tmp_path: Path, ds: dict) -> Path:
    path = tmp_path / f"{ds['id']}.csv"
    path.write_text(
        write_scan_csv([(ds["id"], [(p["label"], p["values"]) for p in ds["phases"]])]),
        encoding="utf-8",
    )
    return path


def _run(*args: str) -> dict:
    out = StringIO()
    call_command("sced_analyse", *args, stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.parametrize("dataset_id", ["sced02", "sced07", "sced13"])
def test_the_command_agrees_with_singlecasees_and_scrt(tmp_path, datasets, dataset_id):
    ds = datasets[dataset_id]
    path = _write(tmp_path, ds)
    report = _run(
        str(path),
        "--improvement",
        ds["improvement"],
        "--min-phase-length",
        str(ds["options"]["randomization_min_phase_length"]),
    )
    (case,) = report["cases"]
    ref = ds["results"]["A-B"]
    es = case["analysis"]["comparisons"]["A-B"]["effect_sizes"]
    sces = ref["SingleCaseES"]
    assert es["NAP"]["estimate"] == pytest.approx(sces["NAP"]["est"], abs=1e-9)
    assert es["NAP"]["se"] == pytest.approx(sces["NAP"]["se"], abs=1e-9)
    assert es["PND"]["estimate"] == pytest.approx(sces["PND"]["est"], abs=1e-9)
    assert es["SMD_baseline"]["estimate"] == pytest.approx(sces["SMD_baseline"]["est"], rel=1e-9)
    assert case["randomization"]["p_value"] == pytest.approx(ref["SCRT"]["AB_mean_diff"]["p"])
    assert case["randomization"]["n_assignments"] == ref["SCRT"]["AB_mean_diff"]["n_assignments"]
    assert report["options"]["improvement"] == ds["improvement"]


def test_declared_start_points_and_options_are_used(tmp_path, datasets):
    ds = datasets["sced02"]  # A has 6 points: B starts at session 7
    path = _write(tmp_path, ds)
    report = _run(
        str(path),
        "--improvement=decrease",
        "--admissible-starts=5,6,7,8",
        "--statistic=nap",
        "--confidence=0.9",
        "--tau-u-variant=A vs B",
        "--no-distribution",
    )
    rand = report["cases"][0]["randomization"]
    assert rand["n_assignments"] == 4
    assert rand["admissible"] == [5, 6, 7, 8]
    assert rand["p_value"] == pytest.approx(0.25)  # the floor: 1 / number of assignments
    assert "distribution" not in rand
    tau_u = report["cases"][0]["analysis"]["comparisons"]["A-B"]["effect_sizes"]["Tau_U"]
    assert tau_u["name"] == "Tau-U (A vs. B)"
    assert report["options"]["confidence"] == 0.9


def test_bad_input_is_a_clear_message_naming_the_line(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("case,phase,values\nJ,A,3\nJ,A,four\nJ,B,2\n", encoding="utf-8")
    with pytest.raises(CommandError) as excinfo:
        _run(str(path), "--improvement=decrease")
    assert excinfo.value.returncode == 2
    assert "Line 3" in str(excinfo.value)
    assert "'four'" in str(excinfo.value)
    with pytest.raises(CommandError) as excinfo:
        _run(str(tmp_path / "missing.csv"), "--improvement=decrease")
    assert excinfo.value.returncode == 2


def test_the_shell_sees_exit_code_2(tmp_path):
    path = tmp_path / "one_phase.csv"
    path.write_text("case,phase,values\nJ,A,3\nJ,A,4\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "manage.py", "sced_analyse", str(path), "--improvement=increase"],
        cwd=MAIN,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "only phase 'A'" in done.stderr


def test_the_benchmark_prints_every_number():
    out = StringIO()
    call_command("sced_benchmark", "--repeats=1", "--series=4", stdout=out)
    text = out.getvalue()
    for label in (
        "all statistics",
        "exact randomization test",
        "SCED plot, PNG",
        "SCED plot, SVG",
        "1 process",
        "2 worker processes",
    ):
        assert label in text
