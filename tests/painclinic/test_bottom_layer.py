"""The bottom layer imports no clinical app (issue #18): painclinic/ holds settings, the
role-level access policy, audit, tokens and middleware; the patient-level policy lives in
patients/access.py and the programme level in programmes/policy.py. Every import is read, at
module level or inside a function, TYPE_CHECKING included."""

from __future__ import annotations

import ast
from pathlib import Path

CLINICAL_APPS = {
    "patients",
    "assessment",
    "treatment",
    "sced",
    "programmes",
    "medicines",
    "safety",
    "review",
    "interop",
    "api",
    "demo",
}
PAINCLINIC = Path(__file__).resolve().parents[2] / "painclinic"


def clinical_imports() -> set[tuple[str, str]]:
    found = set()
    for path in PAINCLINIC.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                modules = [node.module]
            elif isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            else:
                continue
            for module in modules:
                if module.split(".")[0] in CLINICAL_APPS:
                    found.add((path.relative_to(PAINCLINIC).as_posix(), module))
    return found


def test_painclinic_imports_no_clinical_app():
    assert clinical_imports() == set()
