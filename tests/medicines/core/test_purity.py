"""The medicines core is pure: no Django, no app layer (STYLE.md §3.2), like the instruments."""

from __future__ import annotations

from pathlib import Path

import medicines.core
from tests.assessment.instruments.test_purity import FORBIDDEN_ROOTS, imported_modules

PACKAGE = Path(medicines.core.__file__).parent


def test_no_module_of_the_core_imports_django_or_the_app_layer() -> None:
    modules = sorted(PACKAGE.rglob("*.py"))
    assert len(modules) >= 5
    offenders = {}
    for path in modules:
        bad = [
            name
            for name in imported_modules(path)
            if name.startswith("..")
            or name.split(".")[0] in FORBIDDEN_ROOTS
            or (name.startswith("medicines.") and not name.startswith("medicines.core"))
        ]
        if bad:
            offenders[path.name] = bad
    assert offenders == {}
