"""What the statistics do with awkward series: ties, constant phases, one point, zeros, gaps."""

from __future__ import annotations

import json
import math
import time

import numpy as np
import pytest

from sced.stats import nonoverlap as no
from sced.stats import parametric as pa
from sced.stats.analysis import analyse_case
from sced.stats.phases import Phase, build_phases, clean_values, comparisons_for, infer_design


def test_missing_values_are_dropped_before_anything_else() -> None:
    assert clean_values([1, None, float("nan"), "NA", "", 2]) == (1.0, 2.0)
    phase = Phase.from_raw("a", [3, None, 4])
    assert phase.values == (3.0, 4.0)
    assert phase.kind == "A"


def test_abab_labels_are_numbered_and_paired_as_in_the_reference() -> None:
    phases = build_phases([("a", [1, 2]), ("b", [3, 4]), ("A", [1, 2]), ("B", [5, 6])])
    assert [p.label for p in phases] == ["A1", "B1", "A2", "B2"]
    assert infer_design([p.label for p in phases]) == "ABAB"
    comps = comparisons_for(phases)
    assert [c.name for c in comps] == ["A1-B1", "A2-B2", "pooled_A_vs_B"]
    assert comps[1].a_start == 5
    assert comps[2].a.values == (1, 2, 1, 2)


def test_an_unknown_improvement_direction_is_refused() -> None:
    with pytest.raises(ValueError, match="increase"):
        no.nap([1, 2], [3, 4], improvement="up")


def test_an_empty_phase_gives_reasons_not_numbers() -> None:
    for fn in (no.nap, no.tau, no.pnd, no.pem, no.pand, no.ird, no.tau_bc, pa.smd, pa.lrri):
        res = fn([], [1.0, 2.0], improvement="increase")
        assert res.estimate is None
        assert "no observed values" in (res.not_defined_reason or "")


def test_a_one_point_baseline_still_gives_nap_but_no_smd_or_lrr() -> None:
    res = no.nap([5.0], [6.0, 7.0, 8.0], improvement="increase")
    assert res.estimate == 1.0
    assert res.se is None  # the unbiased variance divides by (m − 1)(n − 1) = 0
    assert pa.smd([5.0], [6.0, 7.0], improvement="increase").not_defined_reason
    assert "1 point" in (
        pa.lrri([5.0], [6.0, 7.0], improvement="increase").not_defined_reason or ""
    )


def test_identical_values_everywhere_mean_no_overlap_effect() -> None:
    a, b = [4.0] * 5, [4.0] * 6
    assert no.nap(a, b, improvement="increase").estimate == 0.5
    assert no.tau(a, b, improvement="increase").estimate == 0.0
    assert no.pem(a, b, improvement="increase").estimate == 0.5
    assert no.pem(a, b, improvement="increase", ties="strict").estimate == 0.0
    assert no.pnd(a, b, improvement="increase").estimate == 0.0
    smd = pa.smd(a, b, improvement="increase")
    assert smd.estimate is None
    assert "no variation" in (smd.not_defined_reason or "")
    tau_u = no.tau_u(a, b, improvement="increase", variant="A vs B - trend A")
    assert tau_u.estimate is None
    assert tau_u.not_defined_reason


def test_ties_weigh_half_in_nap_and_nothing_in_pnd() -> None:
    # sced.md §5 P1
    a, b = [3.0, 4.0], [4.0, 5.0]
    assert no.nap(a, b, improvement="increase").estimate == pytest.approx((1 + 0.5 + 1 + 1) / 4)
    assert no.pnd(a, b, improvement="increase").estimate == 0.5


def test_zero_baseline_variance_makes_the_baseline_smd_not_estimable() -> None:
    res = pa.smd([10.0, 10, 10], [7.0, 6, 8], improvement="decrease")
    assert res.estimate is None
    assert "SD = 0" in (res.not_defined_reason or "")
    pooled = pa.smd([10.0, 10, 10], [7.0, 6, 8], improvement="decrease", std_dev="pool")
    assert pooled.estimate is not None
    assert pooled.estimate > 0


def test_zeros_need_truncation_for_the_lrr() -> None:
    a, b = [0.0, 0, 0, 0], [10.0, 20, 15, 12]
    untruncated = pa.lrri(a, b, improvement="increase", scale="other")
    assert untruncated.estimate is None
    assert "truncation" in (untruncated.not_defined_reason or "")
    counted = pa.lrri(a, b, improvement="increase", scale="count")
    # floor 1/(2Dn) = 1/8 turns an all-zero baseline into a huge but finite effect (P4)
    assert counted.estimate is not None
    assert counted.estimate > 4


def _newcombe_lower_at_nap_1(m: int, n: int, z: float) -> float:
    """Newcombe (2006) method 5 by hand: the interior root of
    f(x) = mn(NAP − x)²(2 − x)(1 + x) − z²x(1 − x)(2 + h + (1 + 2h)x(1 − x)), h = (m + n)/2 − 1,
    at NAP = 1 (sced.md §2.1); dividing out (1 − x) leaves a cubic with one root in (0, 1)."""
    from numpy.polynomial import Polynomial as P

    x, h = P([0, 1]), (m + n) / 2 - 1
    cubic = m * n * (1 - x) * (2 - x) * (1 + x) - z**2 * x * (2 + h + (1 + 2 * h) * x * (1 - x))
    (root,) = [r.real for r in cubic.roots() if abs(r.imag) < 1e-12 and 0 < r.real < 1]
    return float(root)


def test_every_pair_improved_still_gives_an_interval_below_one() -> None:
    # Jannick's fear ratings all fall below every baseline day: NAP = 1, Tau = 1.
    a, b = [12.0, 15, 11, 14, 13], [22.0, 25, 21, 27, 24]
    result = no.nap(a, b, improvement="increase")
    assert result.estimate == 1.0
    assert (result.se or 0) > 0
    expected = _newcombe_lower_at_nap_1(5, 5, no.z_crit(0.95))
    assert result.ci_lower == pytest.approx(expected, abs=1e-9)
    assert result.ci_lower == pytest.approx(0.6427, abs=1e-4)  # sced.md §5 P3 (sced13)
    assert result.ci_upper == 1.0
    assert result.options["ci_method"] == "newcombe"
    assert "Newcombe" in no.NAP_CI_METHODS["newcombe"]
    # SingleCaseES's zero-width interval stays available for the reference checks.
    assert result.ci_reference == (1.0, 1.0)
    tau = no.tau_from_nap(result)
    assert tau.estimate == 1.0
    assert tau.ci_lower == pytest.approx(2 * expected - 1)
    assert tau.ci_upper == 1.0
    assert tau.ci_reference == (1.0, 1.0)
    worst = no.nap(b, a, improvement="increase")  # NAP = 0 mirrors it
    assert worst.ci_lower == 0.0
    assert worst.ci_upper == pytest.approx(1 - expected, abs=1e-9)
    assert no.tau_bc(a, b, improvement="increase").ci_lower == pytest.approx(2 * expected - 1)


def test_the_interval_is_continuous_at_the_boundary_and_the_package_s_elsewhere() -> None:
    at_one = no.nap_ci(5, 5, 1.0, 0.95, "newcombe")
    near_one = no.nap_ci(5, 5, 1.0 - 1e-9, 0.95, "newcombe")
    assert near_one == pytest.approx(at_one, abs=1e-6)
    # One tied pair (NAP = 24.5/25): the same method as SingleCaseES, a slightly lower limit.
    a, b = [12.0, 15, 11, 14, 22], [22.0, 25, 23, 27, 24]
    tied = no.nap(a, b, improvement="increase")
    assert tied.estimate == pytest.approx(0.98)
    assert (tied.ci_lower, tied.ci_upper) == tied.ci_reference
    assert tied.ci_lower < at_one[0] < tied.ci_upper


def test_tau_bc_rounds_near_tied_residuals_before_comparing() -> None:
    # sced.md §5 P5: A = 7 8 8 5, B = 6 0 4 4 1 1, decrease; SingleCaseES 0.75, exact 0.708333
    a, b = [7.0, 8, 8, 5], [6.0, 0, 4, 4, 1, 1]
    assert no.tau_bc(a, b, improvement="decrease").estimate == pytest.approx(0.708333, abs=1e-6)


def test_tau_u_parker_can_exceed_one_while_scan_complete_cannot() -> None:
    a, b = [3.0, 2.0, 1.0], [4.0, 5, 6, 7, 8]
    assert (no.tau_u_singlecasees(a, b, improvement="increase").estimate or 0) > 1
    complete = no.tau_u(a, b, improvement="increase", variant="A vs B - trend A")
    assert complete.estimate is not None
    assert -1 <= complete.estimate <= 1


def test_analyse_case_returns_strict_json_even_for_broken_series() -> None:
    for phases in (
        [("A", []), ("B", [1, 2, 3])],
        [("A", [3]), ("B", [1, 2])],
        [("A", [5, 5, 5]), ("B", [5, 5, 5])],
        [("A", [0, 0, 0]), ("B", [0, 1, 0])],
        [("B", [1, 2]), ("A", [3, 4])],
    ):
        result = analyse_case(phases, improvement="increase")
        json.dumps(result, allow_nan=False)  # strict JSON: no NaN or Infinity anywhere
        # A broken series is analysed as far as it can be, or says why not.
        assert result["comparisons"] or result["problems"], phases
        for comparison in result["comparisons"].values():
            for name, es in comparison["effect_sizes"].items():
                # not estimable is said in words, never a silent null
                assert (es["estimate"] is None) == bool(es["not_defined_reason"]), (phases, name)


def test_analyse_case_reports_every_comparison_of_an_abab_design() -> None:
    result = analyse_case(
        [
            ("A", [7, 5, 7, 7, 7]),
            ("B", [3, 4, 4, 5, 4, 3]),
            ("A", [7, 6, 7, 7, 8]),
            ("B", [4, 3, 3, 4, 1, 3]),
        ],
        improvement="decrease",
    )
    assert result["design"] == "ABAB"
    assert set(result["comparisons"]) == {"A1-B1", "A2-B2", "pooled_A_vs_B"}
    pooled = result["comparisons"]["pooled_A_vs_B"]["effect_sizes"]
    assert pooled["Tau_BC"]["not_defined_reason"]
    assert result["aggregated_over_phase_pairs"]["NAP"]["estimate"] == pytest.approx(
        0.991666666666667, abs=1e-12
    )
    es = result["comparisons"]["A1-B1"]["effect_sizes"]["NAP"]
    assert {"estimate", "se", "ci_lower", "ci_upper", "options", "not_defined_reason"} <= set(es)


def test_every_statistic_is_defined_for_a_60_point_series(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # sced.md §6 asks for << 50 ms for all indices of one series. Timings are printed here and by
    # `manage.py sced_benchmark`, never asserted: a loaded machine must not fail correct code.
    rng = np.random.default_rng(20250607)
    a = rng.integers(0, 11, 30).astype(float).tolist()
    b = rng.integers(0, 11, 30).astype(float).tolist()
    start = time.perf_counter()
    result = analyse_case([("A", a), ("B", b)], improvement="decrease")
    elapsed = time.perf_counter() - start
    effect_sizes = result["comparisons"]["A-B"]["effect_sizes"]
    assert {"NAP", "Tau", "PND", "Tau_U", "SMD_baseline", "LRRd"} <= set(effect_sizes)
    for name, es in effect_sizes.items():
        assert es["not_defined_reason"] is None, name
        assert math.isfinite(es["estimate"]), name
    with capsys.disabled():
        print(f"\nall statistics, one 60-point AB series: {elapsed * 1e3:.1f} ms")
