"""The README's example commands run as printed on a fresh clone: no secret key, no debug flag,
no database or Redis configured (issue #9, "What a data manager gets from manage.py score")."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
MARKER = "<!-- readme-examples:"
# What a fresh shell has not got: the test suite's own configuration.
UNSET = ("DJANGO_SECRET_KEY", "DJANGO_DEBUG", "DATABASE_URL", "REDIS_URL", "REQUIRE_POSTGRES")


def readme_examples() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    after = text[text.index(MARKER) :]
    block = re.search(r"```[a-z]*\n(.*?)```", after, re.DOTALL)
    assert block, "the README examples block is missing"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_the_readme_has_examples_for_every_data_command():
    commands = " ".join(readme_examples())
    for needed in ("score tsk11", "score phq9", "score odi", "score waisr", "score change",
                   "--change", "score rci", "sced_analyse"):  # fmt: skip
        assert needed in commands


@pytest.mark.parametrize("line", readme_examples())
def test_readme_example_runs_as_printed(line: str):
    env = {k: v for k, v in os.environ.items() if k not in UNSET}
    # "with the virtualenv active": its python first on PATH, as `. .venv/bin/activate` does
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    result = subprocess.run(
        ["bash", "-o", "pipefail", "-c", line],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = json.loads(result.stdout)
    assert "error" not in out
    assert out.get("scorable", True) is not None
