"""The test suite is honest on a busy machine (issue #9): every test checks something, no test
asserts wall-clock time, property tests have no deadline, reference checks never skip.

Static checks over the tests' source (ast), so they cost milliseconds.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import TYPE_CHECKING

from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

if TYPE_CHECKING:
    from collections.abc import Iterator

TESTS = Path(__file__).resolve().parent
CLOCKS = {"perf_counter", "perf_counter_ns", "time", "time_ns", "monotonic", "monotonic_ns",
          "process_time"}  # fmt: skip
# Calls that check something without an ``assert`` statement.
CHECKING_CALLS = {"raises", "warns", "fail", "expect", "assertNumQueries"}


def _modules() -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted(TESTS.rglob("test_*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"))


def _call_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _tests(tree: ast.Module) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith(
            "test_"
        ):
            yield node


def _checks_directly(node: ast.AST) -> bool:
    for inner in ast.walk(node):
        if isinstance(inner, ast.Assert):
            return True
        if isinstance(inner, ast.Call):
            name = _call_name(inner)
            if name in CHECKING_CALLS or name.startswith(("assert", "expect")):
                return True
    return False


def test_every_test_checks_something():
    silent = []
    for path, tree in _modules():
        # module helpers that assert (a test may delegate its checks to one)
        helpers = {
            node.name
            for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef)
            and not node.name.startswith("test_")
            and _checks_directly(node)
        }
        for test in _tests(tree):
            calls = {_call_name(c) for c in ast.walk(test) if isinstance(c, ast.Call)}
            if not _checks_directly(test) and not calls & helpers:
                silent.append(f"{path.relative_to(TESTS.parent)}:{test.lineno} {test.name}")
    assert silent == [], "tests without any assertion: " + ", ".join(silent)


def _clock_tainted(test: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    """Names in ``test`` whose value comes from a clock reading (directly or by arithmetic)."""
    tainted: set[str] = set()
    changed = True
    while changed:
        changed = False
        for node in ast.walk(test):
            if (
                not isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign)
                or node.value is None
            ):
                continue
            reads_clock = any(
                isinstance(c, ast.Call) and _call_name(c) in CLOCKS for c in ast.walk(node.value)
            ) or any(isinstance(n, ast.Name) and n.id in tainted for n in ast.walk(node.value))
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for name in ast.walk(target):
                    if reads_clock and isinstance(name, ast.Name) and name.id not in tainted:
                        tainted.add(name.id)
                        changed = True
    return tainted


def test_no_test_asserts_wall_clock_time():
    # Timings are printed by benchmarks (manage.py sced_benchmark, bench_pages), never asserted.
    timed = []
    for path, tree in _modules():
        for test in _tests(tree):
            tainted = _clock_tainted(test)
            for node in ast.walk(test):
                if isinstance(node, ast.Assert) and any(
                    (isinstance(n, ast.Name) and n.id in tainted)
                    or (isinstance(n, ast.Call) and _call_name(n) in CLOCKS)
                    for n in ast.walk(node.test)
                ):
                    timed.append(f"{path.relative_to(TESTS.parent)}:{node.lineno} {test.name}")
    assert timed == [], "wall-clock assertions: " + ", ".join(timed)


def test_property_tests_have_no_deadline_anywhere():
    profile = hypothesis_settings.get_profile("painclinic")
    assert hypothesis_settings.default.deadline is None
    assert profile.deadline is None
    assert HealthCheck.too_slow in profile.suppress_health_check
    per_test = [
        f"{path.relative_to(TESTS.parent)}:{node.lineno}"
        for path, tree in _modules()
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and _call_name(node) == "settings"
        and any(keyword.arg == "deadline" for keyword in node.keywords)
    ]
    assert per_test == [], "per-test deadline settings (the profile decides): " + ", ".join(
        per_test
    )


def test_no_reference_check_skips_when_its_file_is_missing():
    skipping = [
        str(path.relative_to(TESTS.parent))
        for path in sorted(TESTS.rglob("*.py"))
        if "sced_examples" in (text := path.read_text(encoding="utf-8"))
        and ("pytest.skip" in text or "skipif" in text)
        and path != Path(__file__).resolve()
    ]
    assert skipping == []
