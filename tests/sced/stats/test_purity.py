"""sced.stats is pure: it must import nothing from Django (it runs in the CLI and in workers)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[3] / "sced" / "stats"
ALLOWED_THIRD_PARTY = {"numpy", "scipy", "matplotlib"}


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_no_module_in_sced_stats_imports_django() -> None:
    files = sorted(PACKAGE.rglob("*.py"))
    assert files, "sced/stats has no modules"
    offenders = {
        str(f.relative_to(PACKAGE)): sorted(
            m for m in _imported_modules(f) if m.split(".")[0] == "django"
        )
        for f in files
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_statistics_modules_use_only_stdlib_numpy_and_scipy() -> None:
    import sys

    stdlib = set(sys.stdlib_module_names) | {"__future__"}
    mine = ("analysis", "descriptives", "parametric", "phases", "visual")
    paths = [PACKAGE / f"{name}.py" for name in mine]
    paths += sorted((PACKAGE / "nonoverlap").glob("*.py"))  # the package of non-overlap indices
    assert len(paths) > len(mine), "the nonoverlap package has no modules"
    for path in paths:
        name = str(path.relative_to(PACKAGE))
        mods = _imported_modules(path)
        foreign = {m for m in mods if m.split(".")[0] not in stdlib | ALLOWED_THIRD_PARTY}
        assert foreign == set(), (name, foreign)
