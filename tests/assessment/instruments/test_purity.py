"""The instrument library is a pure core: no Django, no app layer (STYLE.md §3.2)."""

from __future__ import annotations

import ast
from pathlib import Path

import assessment.instruments

PACKAGE = Path(assessment.instruments.__file__).parent
FORBIDDEN_ROOTS = {
    "django",
    "painclinic",
    "patients",
    "treatment",
    "sced",
    "celery",
    "rest_framework",
}
# The pure utilities of the bottom layer that every pure core may use (issue #18: the safe number
# reader moved from here to painclinic/numbers.py; it imports only the standard library).
SHARED_PURE = {"painclinic.numbers"}


def imported_modules(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
        elif isinstance(node, ast.ImportFrom) and node.level > 1:
            names.append("." * node.level + (node.module or ""))  # reaches out of the package
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", ""))
            in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            names.append(str(node.args[0].value))
    return names


def test_no_module_imports_django_or_the_app_layer() -> None:
    modules = sorted(PACKAGE.rglob("*.py"))
    assert len(modules) > 20
    offenders = {}
    for path in modules:
        bad = [
            name
            for name in imported_modules(path)
            if (
                name not in SHARED_PURE
                and (name.startswith("..") or name.split(".")[0] in FORBIDDEN_ROOTS)
            )
            or (name.startswith("assessment.") and not name.startswith("assessment.instruments"))
        ]
        if bad:
            offenders[str(path.relative_to(PACKAGE))] = bad
    assert offenders == {}


def test_the_shared_pure_utilities_use_only_the_standard_library() -> None:
    import sys

    root = PACKAGE.parents[1]
    for name in SHARED_PURE:
        path = root.joinpath(*name.split(".")).with_suffix(".py")
        foreign = [
            m
            for m in imported_modules(path)
            if m.split(".")[0] not in sys.stdlib_module_names | {"__future__"}
        ]
        assert foreign == [], (name, foreign)


def test_the_scan_would_catch_a_django_import(tmp_path: Path) -> None:
    sample = tmp_path / "x.py"
    sample.write_text(
        "import os\nfrom django.conf import settings\nimport django.db\n", encoding="utf-8"
    )
    assert imported_modules(sample) == ["os", "django.conf", "django.db"]
