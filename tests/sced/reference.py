"""The SCED reference values, read from the repository's own copy (tests/sced/stats/fixtures/).

A missing or altered file fails the run loudly: 4,712 checks used to *skip* silently when
shared/reference/ was not beside the clone (issue #9). Provenance: fixtures/README.md.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

REFERENCE = Path(__file__).resolve().parent / "stats" / "fixtures" / "sced_examples.json"
# shared/reference/sced_examples.json as copied (fixtures/README.md); R 4.2.2, SingleCaseES 0.7.4,
# scan 0.67.1, SCRT 1.3.1, Kendall 2.2.1, mblm 0.12.1, seed 20250607.
SHA256 = "b7df744a4c9b697ca49166a67e2af3ce478367d1a460b630ebe43743428e3bbd"


@cache
def load_reference() -> dict[str, Any]:
    """The whole reference document; fails (never skips) when the fixture is missing."""
    if not REFERENCE.exists():
        pytest.fail(
            f"SCED reference values missing at {REFERENCE}: restore the fixture "
            "(tests/sced/stats/fixtures/README.md says where it comes from).",
            pytrace=False,
        )
    return json.loads(REFERENCE.read_text(encoding="utf-8"))


def reference_datasets() -> dict[str, dict[str, Any]]:
    return {d["id"]: d for d in load_reference()["datasets"]}


def reference_sha256() -> str:
    return hashlib.sha256(REFERENCE.read_bytes()).hexdigest()
