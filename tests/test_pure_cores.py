"""The pure cores stay pure: no Django, no Celery, no app layer (ARCHITECTURE.md, "Pure cores").

The scoring library, the SCED statistics, the medicines rules and the other pure modules run in the
command-line tools, in workers and in tests without a database; they take plain values and return
plain values. The list of pure modules is the one the import-linter contract ``pure-cores`` checks
(pyproject.toml), read here so that there is one list. Two checks, each able to fail on its own:

- statically, every import written in a pure module (at any depth, inside functions too, and
  ``import_module("...")`` with a literal) names the standard library, an allowed third-party
  library, or another pure module;
- at run time, every pure module is imported in a fresh interpreter in which Django, Celery and
  every non-pure app module cannot be imported.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
CONTRACT = next(
    c for c in PYPROJECT["tool"]["importlinter"]["contracts"] if c.get("id") == "pure-cores"
)
PURE = tuple(CONTRACT["source_modules"])
APPS = frozenset(PYPROJECT["tool"]["importlinter"]["root_packages"])
NEVER = frozenset({"django", "celery", "rest_framework", "kombu", "redis", "psycopg"})
# The statistics and scoring need numbers only; drawing (matplotlib, and Pillow, matplotlib's own
# image library, which the SCED plots use to write an opaque PNG) belongs to the chart modules.
# pyphen: the hyphenation dictionaries of the reading-level core (painclinic/readability.py).
THIRD_PARTY = frozenset({"numpy", "scipy", "pyphen"})
DRAWING = frozenset({"painclinic.charts", "medicines.charts", "treatment.charts", "sced.plots"})
STDLIB = frozenset(sys.stdlib_module_names) | {"__future__"}


def module_files(name: str, root: Path = ROOT) -> dict[str, Path]:
    """The files of a pure module or package, by dotted module name."""
    path = root.joinpath(*name.split("."))
    if path.is_dir():
        return {
            ".".join(f.relative_to(root).with_suffix("").parts).removesuffix(".__init__"): f
            for f in sorted(path.rglob("*.py"))
        }
    return {name: path.with_suffix(".py")}


def imported_names(module: str, path: Path) -> list[str]:
    """Every module an import in ``path`` names, relative imports resolved, at any depth."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parent = ".".join(parts[: len(parts) - node.level + 1])
                base = f"{parent}.{base}" if base else parent
            # ``from x import y`` imports x.y when y is a module, x otherwise.
            for alias in node.names:
                names.append(f"{base}.{alias.name}" if _is_module(f"{base}.{alias.name}") else base)
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", ""))
            in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            names.append(str(node.args[0].value))
    return names


def _is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def is_pure(name: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in PURE)


def foreign_imports(module: str, path: Path) -> list[str]:
    bad = []
    for name in imported_names(module, path):
        root = name.split(".")[0]
        if root in STDLIB or root in THIRD_PARTY or is_pure(name):
            continue
        if root in {"matplotlib", "PIL"} and any(module == d for d in DRAWING):
            continue
        bad.append(name)
    return bad


def test_the_list_names_every_pure_core_and_each_exists() -> None:
    for core in ("assessment.instruments", "sced.stats", "medicines.core", "painclinic.charts"):
        assert core in PURE
    for name in PURE:
        files = module_files(name)
        assert files, name
        assert all(f.is_file() for f in files.values()), name
    # The instrument library alone holds every questionnaire: a missed glob would show here.
    assert len(module_files("assessment.instruments")) > 20
    assert len(module_files("sced.stats")) >= 8
    assert len(module_files("medicines.core")) >= 5


def test_no_pure_module_names_django_or_the_app_layer() -> None:
    offenders = {
        module: bad
        for name in PURE
        for module, path in module_files(name).items()
        if (bad := foreign_imports(module, path))
    }
    assert offenders == {}


RUNNER = textwrap.dedent(
    """
    import importlib, importlib.abc, json, sys

    never, apps, pure = json.loads(sys.argv[1]), set(json.loads(sys.argv[2])), json.loads(sys.argv[3])
    targets = json.loads(sys.argv[4])

    def allowed(name):
        root = name.split(".")[0]
        if root in never:
            return False
        if root not in apps:
            return True
        # A pure module, or a package on the way to one (its __init__ is checked statically).
        return any(name == p or name.startswith(p + ".") or p.startswith(name + ".") for p in pure)

    class Refuse(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if not allowed(name):
                raise ImportError(f"a pure core imported {name}")
            return None

    sys.meta_path.insert(0, Refuse())
    failures = {}
    for target in targets:
        try:
            importlib.import_module(target)
        except ImportError as error:
            failures[target] = str(error)
    leaked = sorted(m for m in sys.modules if not allowed(m))
    print(json.dumps({"failures": failures, "leaked": leaked}))
    """
)


def import_in_a_clean_interpreter(targets: list[str], pure: tuple[str, ...], cwd: Path) -> dict:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            RUNNER,
            json.dumps(sorted(NEVER)),
            json.dumps(sorted(APPS)),
            json.dumps(list(pure)),
            json.dumps(targets),
        ],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(cwd), "MPLBACKEND": "Agg"},
    )
    return json.loads(done.stdout)


def test_every_pure_module_imports_without_django_or_the_app_layer() -> None:
    targets = sorted({module for name in PURE for module in module_files(name)})
    result = import_in_a_clean_interpreter(targets, PURE, ROOT)
    assert result == {"failures": {}, "leaked": []}


def test_both_checks_would_catch_a_django_import(tmp_path: Path) -> None:
    package = tmp_path / "assessment" / "instruments"
    package.mkdir(parents=True)
    (tmp_path / "assessment" / "__init__.py").write_text("", encoding="utf-8")
    (package / "__init__.py").write_text("", encoding="utf-8")
    sample = package / "leaky.py"
    sample.write_text(
        "import os\n\ndef score():\n    from django.conf import settings\n    return settings\n"
        "from assessment import models\n",
        encoding="utf-8",
    )
    (tmp_path / "assessment" / "models.py").write_text("", encoding="utf-8")
    # The import inside the function counts too; ``models`` is read as the module it is.
    found = imported_names("assessment.instruments.leaky", sample)
    assert sorted(found) == ["assessment.models", "django.conf", "os"]
    assert sorted(foreign_imports("assessment.instruments.leaky", sample)) == [
        "assessment.models",
        "django.conf",
    ]
    result = import_in_a_clean_interpreter(
        ["assessment.instruments.leaky"], ("assessment.instruments",), tmp_path
    )
    assert result["failures"] == {
        "assessment.instruments.leaky": "a pure core imported assessment.models"
    }
