"""A pharmacist checks a figure outside the browser: ``manage.py ome`` in a fresh shell (no
secret key, no database), as the README prints it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
UNSET = ("DJANGO_SECRET_KEY", "DJANGO_DEBUG", "DATABASE_URL", "REDIS_URL", "REQUIRE_POSTGRES")


def run(args: list[str], stdin: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in UNSET}
    return subprocess.run(
        [sys.executable, "manage.py", "ome", *args],
        input=stdin,
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def readme_example() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    after = text[text.index("<!-- ome-example:") :]
    return re.search(r"```\n(.*?)```", after, re.DOTALL).group(1).strip()


PAYLOAD = json.dumps(
    {
        "medications": [
            {"product": "oxycodone_oral", "strength": 20, "doses_per_day": 2},
            {"product": "fentanyl_patch", "strength": 12},
            {"name": "Pregabalin 150 mg twice a day"},
        ]
    }
)


def test_the_readme_example_runs_as_printed_and_says_what_the_readme_says():
    env = {k: v for k, v in os.environ.items() if k not in UNSET}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    result = subprocess.run(
        ["bash", "-o", "pipefail", "-c", readme_example()],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    out = json.loads(result.stdout)
    assert out["table"] == "opioids_aware"
    assert out["total_ome"] == 90.0  # Opioids Aware: 40 mg x1.5 + 12 µg/h patch = 30
    assert out["co_prescriptions"][0]["class"] == "gabapentinoid"


def test_the_cdc_table_gives_its_own_figure_for_the_same_list():
    result = run(["--table", "cdc2022"], PAYLOAD)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["total_ome"] == 88.8  # CDC 2022: 60 + 12 µg/h x 2.4
    assert out["thresholds_crossed"] == [50]
    assert [line["ome"] for line in out["lines"]] == [60.0, 28.8]


@pytest.mark.parametrize(
    ("stdin", "field"),
    [
        ("not json", "payload"),
        (
            '[{"product": "oxycodone_oral", "strength": 10, "unit": "µg/h", "doses_per_day": 2}]',
            "medications[0].unit",
        ),
        (
            '{"medications": [{"product": "oxycodone_oral", "strength": -5, "doses_per_day": 2}]}',
            "medications[0].strength",
        ),
        ('{"table": "bnf", "medications": []}', "table"),
    ],
)
def test_bad_input_exits_2_naming_the_field(stdin, field):
    result = run([], stdin)
    assert result.returncode == 2
    assert json.loads(result.stdout)["field"] == field
    assert field in result.stderr
