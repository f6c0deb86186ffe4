"""The shared interval statistics (painclinic/estimates.py) on worked examples, and the module stays
pure: the team review and the programme outcomes both read it, so it imports no app and no Django.

Worked examples, by the formulas (z = 1.959964, z² = 3.841459):
- Wilson score interval (Wilson 1927; Newcombe 1998 method 3) for x successes of n = 10:
  denominator 1 + z²/n = 1.384146;
  0/10:  centre = (0 + 0.192073) / 1.384146 = 0.138766, half = z·√(0 + 0.009604) / 1.384146
         = 0.138766 → 0.0000–0.2775;
  5/10:  centre = (0.5 + 0.192073) / 1.384146 = 0.5, half = z·√(0.025 + 0.009604) / 1.384146
         = 0.263407 → 0.2366–0.7634;
  10/10: the mirror of 0/10 → 0.7225–1.0000.
- t interval (Student 1908) of 40, 44, 48: mean 44, s = 4, t(0.975, 2) = 4.303 (t table),
  half = 4.303·4/√3 = 9.937 → 34.06–53.94.
- t interval of 3, 4, 5, 6: mean 4.5, s = √(5/3) = 1.2910, t(0.975, 3) = 3.182 (t table),
  half = 3.182·1.2910/2 = 2.054 → 2.45–6.55.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from painclinic import estimates

MODULE = Path(__file__).resolve().parents[2] / "painclinic" / "estimates.py"


@pytest.mark.parametrize(
    ("successes", "low", "high"),
    [(0, 0.0, 0.2775), (5, 0.2366, 0.7634), (10, 0.7225, 1.0)],
)
def test_the_wilson_interval_of_x_out_of_10_matches_the_worked_example(successes, low, high):
    rate = estimates.wilson_interval(successes, 10)
    assert rate.value == successes / 10
    assert (rate.low, rate.high) == pytest.approx((low, high), abs=1e-4)
    assert rate.method == "Wilson score 95% interval"


def test_the_wilson_interval_is_never_outside_0_to_1_and_refuses_impossible_counts():
    assert estimates.wilson_interval(0, 10).low == 0.0
    # 10/10: exactly 1 by the formula, a hair below in floating point; never above.
    assert 0.9999999 < estimates.wilson_interval(10, 10).high <= 1.0
    assert estimates.wilson_interval(10, 10).interval_text == "72%–100%"
    with pytest.raises(ValueError, match="between 0 and n"):
        estimates.wilson_interval(11, 10)


def test_the_t_interval_of_three_values_matches_the_worked_example():
    mean = estimates.mean_t_interval([40, 44, 48])
    assert mean.value == 44
    assert (mean.low, mean.high) == pytest.approx((34.06, 53.94), abs=0.01)
    assert mean.interval_text == "34.1–53.9"


def test_the_t_interval_of_four_values_and_from_their_sql_sums_agree_with_the_worked_example():
    values = [3.0, 4.0, 5.0, 6.0]
    direct = estimates.mean_t_interval(values)
    assert (direct.low, direct.high) == pytest.approx((2.45, 6.55), abs=0.01)
    sd = estimates.sample_sd_from_sums(4, sum(values), sum(v * v for v in values))
    assert sd == pytest.approx((5 / 3) ** 0.5)
    summary = estimates.mean_t_interval_from_summary(4, 4.5, sd)
    assert (summary.low, summary.high) == pytest.approx((direct.low, direct.high))


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_the_estimates_module_imports_only_the_standard_library_and_scipy():
    allowed = set(sys.stdlib_module_names) | {"__future__", "scipy"}
    assert _imported_modules(MODULE) - allowed == set()
