"""Randomization tests against SCRT 1.3.1, scan 0.67.1 and the tie-tolerant oracle (sced.md §2.13)."""

from __future__ import annotations

import itertools
import math
import random
import time
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sced.stats import randomization as rt
from tests.sced.reference import load_reference

# sced.md §1: counts and ratios of counts (randomization p, n of assignments) to 1e-12.
P_TOL = 1e-12


@pytest.fixture(scope="module")
def reference() -> dict[str, Any]:
    return load_reference()


def _datasets(reference: dict[str, Any], design: str) -> list[dict[str, Any]]:
    found = [d for d in reference["datasets"] if d["design"] == design]
    assert found, f"no {design} data set in the reference file"
    return found


def _starts(phases: list[dict[str, Any]]) -> tuple[int, ...]:
    out, session = [], 1
    for phase in phases[:-1]:
        session += len(phase["values"])
        out.append(session)
    return tuple(out)


def _fraction_p(x: list[int], actual: int, starts: range, sign: int) -> Fraction:
    """Independent exact-arithmetic AB randomization p (rational means, no floats)."""

    def stat(s: int) -> Fraction:
        a, b = x[: s - 1], x[s - 1 :]
        return sign * (Fraction(sum(b), len(b)) - Fraction(sum(a), len(a)))

    observed = stat(actual)
    return Fraction(sum(stat(s) >= observed for s in starts), len(starts))


# --- reference values -----------------------------------------------------------------------


def test_ab_mean_difference_matches_scrt_scan_and_oracle(reference: dict[str, Any]) -> None:
    checked = 0
    for ds in _datasets(reference, "AB"):
        res = ds["results"]["A-B"]
        if "SCRT" not in res:
            continue
        values = [v for p in ds["phases"] for v in p["values"]]
        L = ds["options"]["randomization_min_phase_length"]
        adm = rt.admissible_start_points(len(values), min_phase_length=L)
        out = rt.randomization_test(
            values, _starts(ds["phases"])[0], admissible=adm, improvement=ds["improvement"]
        )
        scrt = res["SCRT"]["AB_mean_diff"]
        oracle = res["oracle_randomization_tie_tolerant"]["AB_mean_diff"]
        assert out.method == "exact"
        assert out.n_assignments == scrt["n_assignments"] == len(adm), ds["id"]
        assert out.p_value == pytest.approx(oracle["p"], abs=P_TOL), ds["id"]
        assert out.p_value == pytest.approx(scrt["p"], abs=P_TOL), ds["id"]
        assert out.observed == pytest.approx(oracle["observed_statistic"], rel=1e-9)
        scan = res["scan"]["rand_test_mean"]
        assert out.p_value == pytest.approx(scan["p"], abs=P_TOL)
        assert out.observed == pytest.approx(scan["observed_statistic"], rel=1e-9)
        checked += 1
    assert checked >= 3


def test_ab_nap_statistic_matches_scan(reference: dict[str, Any]) -> None:
    for ds in _datasets(reference, "AB"):
        scan = ds["results"]["A-B"]["scan"].get("rand_test_nap")
        if scan is None:
            continue
        values = [v for p in ds["phases"] for v in p["values"]]
        L = ds["options"]["randomization_min_phase_length"]
        out = rt.randomization_test(
            values,
            _starts(ds["phases"])[0],
            admissible=rt.admissible_start_points(len(values), min_phase_length=L),
            improvement=ds["improvement"],
            statistic="nap",
        )
        assert out.n_assignments == scan["n_assignments"]
        assert out.p_value == pytest.approx(scan["p"], abs=P_TOL), ds["id"]
        # scan reports NAP in percent; we report the proportion (SingleCaseES convention).
        assert out.observed * 100 == pytest.approx(scan["observed_statistic"], rel=1e-9)


@pytest.mark.parametrize(
    ("statistic", "key"),
    [
        ("mean_difference", "mean_diff_pooled"),
        ("phase_means_difference", "mean_of_phase_means_diff"),
    ],
)
def test_abab_matches_scrt(reference: dict[str, Any], statistic: str, key: str) -> None:
    for ds in _datasets(reference, "ABAB"):
        res = ds["results"]["pooled_A_vs_B"]
        values = [v for p in ds["phases"] for v in p["values"]]
        L = ds["options"]["randomization_min_phase_length"]
        adm = rt.admissible_abab_start_points(len(values), min_phase_length=L)
        out = rt.randomization_test(
            values,
            _starts(ds["phases"]),
            admissible=adm,
            improvement=ds["improvement"],
            statistic=statistic,
        )
        assert out.design == "ABAB"
        assert out.n_assignments == res["SCRT"][key]["n_assignments"]
        assert out.p_value == pytest.approx(
            res["oracle_randomization_tie_tolerant"][key]["p"], abs=P_TOL
        )
        assert out.p_value == pytest.approx(res["SCRT"][key]["p"], abs=P_TOL)
        assert out.observed == pytest.approx(
            res["oracle_randomization_tie_tolerant"][key]["observed_statistic"], rel=1e-9
        )


def _mbd(ds: dict[str, Any]) -> tuple[list[list[float]], tuple[int, ...]]:
    tiers = [[v for p in t["phases"] for v in p["values"]] for t in ds["tiers"]]
    actual = tuple(t["b_start_session"] for t in ds["tiers"])
    assert actual == tuple(_starts(t["phases"])[0] for t in ds["tiers"])
    return tiers, actual


def test_mbd_regulated_scheme_matches_scrt(reference: dict[str, Any]) -> None:
    for ds in _datasets(reference, "MBD"):
        res = ds["results"]["across_tiers"]
        tiers, actual = _mbd(ds)
        sets = res["SCRT_MBD_mean_diff"]["admissible_start_points_per_tier"]
        adm = rt.regulated_mbd_start_points(sets)
        out = rt.randomization_test(tiers, actual, admissible=adm, improvement=ds["improvement"])
        oracle = res["oracle_randomization_tie_tolerant"]["SCRT_MBD_mean_diff"]
        assert out.design == "MBD"
        assert len(adm) == out.n_assignments == res["SCRT_MBD_mean_diff"]["n_assignments"]
        assert out.p_value == pytest.approx(oracle["p"], abs=P_TOL)
        assert out.p_value == pytest.approx(res["SCRT_MBD_mean_diff"]["p"], abs=P_TOL)
        assert out.observed == pytest.approx(oracle["observed_statistic"], rel=1e-9)


def test_mbd_independent_scheme_matches_scan(reference: dict[str, Any]) -> None:
    for ds in _datasets(reference, "MBD"):
        res = ds["results"]["across_tiers"]
        tiers, actual = _mbd(ds)
        L = ds["options"]["randomization_min_phase_length"]
        adm = rt.admissible_mbd_start_points([len(t) for t in tiers], min_phase_length=L)
        out = rt.randomization_test(tiers, actual, admissible=adm, improvement=ds["improvement"])
        oracle = res["oracle_randomization_tie_tolerant"]["scan_MBD_mean_diff"]
        assert out.n_assignments == res["rand_test_mean"]["n_assignments"] == len(adm)
        assert out.p_value == pytest.approx(oracle["p"], abs=P_TOL)
        assert out.p_value == pytest.approx(res["rand_test_mean"]["p"], abs=P_TOL)
        assert out.observed == pytest.approx(res["rand_test_mean"]["observed_statistic"], rel=1e-9)


# --- floating-point ties (sced.md §5 P6) --------------------------------------------------------


def test_mathematically_tied_statistics_are_counted() -> None:
    # Start points 5 and 10 both give a mean difference of exactly −37/14, but in floating point
    # one of them falls short of the other: a plain ">=" (SCRT, scan) would report 3/7.
    x = [5, 10, 6, 8, 3, 8, 10, 0, 5, 4, 0, 0]
    adm = rt.admissible_start_points(len(x), min_phase_length=3)
    naive = [float(np.mean(x[s - 1 :]) - np.mean(x[: s - 1])) for s in adm]
    assert sum(v >= naive[adm.index(5)] for v in naive) == 3  # the trap is real
    assert _fraction_p(x, 5, range(4, 11), +1) == Fraction(4, 7)
    out = rt.randomization_test(x, 5, admissible=adm, improvement="increase")
    assert out.p_value == pytest.approx(4 / 7, abs=P_TOL)


@settings(max_examples=60)
@given(
    x=st.lists(st.integers(0, 10), min_size=6, max_size=18),
    data=st.data(),
    improvement=st.sampled_from(["increase", "decrease"]),
)
def test_exact_p_equals_rational_arithmetic(x: list[int], data: Any, improvement: str) -> None:
    L = 3
    adm = rt.admissible_start_points(len(x), min_phase_length=L)
    actual = data.draw(st.sampled_from(adm))
    out = rt.randomization_test(x, actual, admissible=adm, improvement=improvement)
    expected = _fraction_p(
        x, actual, range(adm[0], adm[-1] + 1), 1 if improvement == "increase" else -1
    )
    assert out.p_value == pytest.approx(float(expected), abs=P_TOL)
    # An exact p is k/N with 1 <= k <= N (the observed assignment counts itself).
    k = out.p_value * out.n_assignments
    assert k == pytest.approx(round(k), abs=1e-9)
    assert 1 / out.n_assignments - P_TOL <= out.p_value <= 1 + P_TOL


@settings(max_examples=40)
@given(
    x=st.lists(
        st.floats(-50, 50, allow_nan=False).map(lambda v: round(v, 1)), min_size=12, max_size=20
    ),
    data=st.data(),
    statistic=st.sampled_from(["mean_difference", "phase_means_difference", "nap"]),
)
def test_abab_p_is_a_multiple_of_one_over_n(x: list[float], data: Any, statistic: str) -> None:
    adm = rt.admissible_abab_start_points(len(x), min_phase_length=3)
    actual = data.draw(st.sampled_from(adm))
    out = rt.randomization_test(
        x, actual, admissible=adm, improvement="decrease", statistic=statistic
    )
    k = out.p_value * out.n_assignments
    assert k == pytest.approx(round(k), abs=1e-9)
    assert round(k) >= 1
    assert out.p_value <= 1 + P_TOL
    assert len(out.distribution) == out.n_assignments


# --- admissible sets ----------------------------------------------------------------------------


def test_ab_start_points_leave_min_phase_length_in_each_phase() -> None:
    # SCRT "AB": A lengths L..N−L, so B starts at L+1..N−L+1; N − 2L + 1 of them.
    assert rt.admissible_start_points(20, min_phase_length=5) == tuple(range(6, 17))
    assert len(rt.admissible_start_points(30, min_phase_length=5)) == 21  # sced.md §6
    assert rt.admissible_start_points(6, min_phase_length=3) == (4,)
    with pytest.raises(ValueError, match="cannot hold"):
        rt.admissible_start_points(5, min_phase_length=3)
    with pytest.raises(ValueError, match="at least 1"):
        rt.admissible_start_points(10, min_phase_length=0)


@pytest.mark.parametrize(
    ("n", "k", "L"), [(22, 4, 3), (30, 4, 5), (15, 3, 3), (12, 4, 3), (9, 2, 2)]
)
def test_change_points_are_every_split_with_long_enough_phases(n: int, k: int, L: int) -> None:
    got = rt.admissible_change_points(n, n_phases=k, min_phase_length=L)
    brute = [
        c
        for c in itertools.combinations(range(2, n + 1), k - 1)
        if all(b - a >= L for a, b in itertools.pairwise((1, *c, n + 1)))
    ]
    assert sorted(got) == brute
    assert len(got) == len(set(got)) == math.comb(n - k * L + k - 1, k - 1)


def test_abab_count_from_sced_md() -> None:
    assert len(rt.admissible_abab_start_points(30, min_phase_length=5)) == 286  # sced.md §6


def test_mbd_set_sizes() -> None:
    regulated = rt.regulated_mbd_start_points([[4, 5, 6], [8, 9, 10], [12, 13, 14]])
    assert len(regulated) == 162  # 3·3·3 · 3! (sced.md §2.13)
    listed = list(regulated)
    assert len(set(listed)) == 162
    assert (5, 9, 13) in regulated
    assert (13, 5, 9) in regulated
    assert (5, 6, 13) not in regulated
    # Every tier gets each set in some permutation, and one point of each set per assignment.
    set_of = {v: i for i, s in enumerate([[4, 5, 6], [8, 9, 10], [12, 13, 14]]) for v in s}
    for a in listed:
        assert sorted(set_of[v] for v in a) == [0, 1, 2]
    independent = rt.admissible_mbd_start_points([30, 30, 30], min_phase_length=5)
    assert len(independent) == 9261  # 21³ (sced.md §6)
    assert independent[0] == (6, 6, 6)
    assert independent[-1] == (26, 26, 26)


# --- Monte Carlo ----------------------------------------------------------------------------------


def test_monte_carlo_is_reproducible_and_includes_the_observed_assignment(
    reference: dict[str, Any],
) -> None:
    ds = _datasets(reference, "ABAB")[0]
    values = [v for p in ds["phases"] for v in p["values"]]
    adm = rt.admissible_abab_start_points(len(values), min_phase_length=3)
    kw: dict[str, Any] = {
        "admissible": adm,
        "improvement": ds["improvement"],
        "method": "monte_carlo",
    }
    one = rt.randomization_test(values, _starts(ds["phases"]), n_random=4000, seed=7, **kw)
    two = rt.randomization_test(values, _starts(ds["phases"]), n_random=4000, seed=7, **kw)
    other = rt.randomization_test(values, _starts(ds["phases"]), n_random=4000, seed=8, **kw)
    assert one == two
    assert one.distribution != other.distribution
    assert one.method == "monte_carlo"
    assert one.seed == 7
    assert one.n_assignments == len(one.distribution) == 4001
    assert one.distribution[0] == one.observed
    # p = (count + 1)/(n + 1): a multiple of 1/(n+1), never below it.
    k = one.p_value * 4001
    assert k == pytest.approx(round(k), abs=1e-9)
    assert round(k) >= 1
    # The exact p is 1/286 (SCRT); 4,000 draws land close to it.
    exact = ds["results"]["pooled_A_vs_B"]["SCRT"]["mean_diff_pooled"]["p"]
    assert abs(one.p_value - exact) < 0.004


def test_auto_switches_to_monte_carlo_above_the_limit() -> None:
    x = list(np.random.default_rng(0).normal(size=40))
    adm = rt.admissible_start_points(40, min_phase_length=5)
    assert rt.randomization_test(x, 20, admissible=adm, improvement="increase").method == "exact"
    out = rt.randomization_test(
        x, 20, admissible=adm, improvement="increase", exact_limit=10, n_random=50
    )
    assert out.method == "monte_carlo"
    assert out.n_assignments == 51
    assert out.n_admissible == len(adm)


# --- validity and errors -------------------------------------------------------------------------


def test_actual_start_outside_the_declared_set_is_refused() -> None:
    x = [3, 4, 3, 5, 4, 7, 8, 7, 9, 8]
    with pytest.raises(ValueError, match="not among the admissible"):
        rt.randomization_test(x, 3, admissible=(4, 5, 6), improvement="increase")
    with pytest.raises(ValueError, match="not among the admissible"):
        rt.randomization_test(
            x, 3, admissible=(4, 5, 6), improvement="increase", method="monte_carlo"
        )


def test_unknown_statistic_and_direction_are_refused() -> None:
    x = [3, 4, 3, 5, 4, 7, 8, 7]
    with pytest.raises(ValueError, match="Unknown statistic"):
        rt.randomization_test(x, 4, admissible=(4, 5), improvement="increase", statistic="median")
    with pytest.raises(ValueError, match="improvement"):
        rt.randomization_test(x, 4, admissible=(4, 5), improvement="up")


def test_direction_flips_the_statistic() -> None:
    x = [6, 7, 7, 6, 3, 2, 3, 2]
    up = rt.randomization_test(x, 5, admissible=(3, 4, 5, 6), improvement="increase")
    down = rt.randomization_test(x, 5, admissible=(3, 4, 5, 6), improvement="decrease")
    assert up.observed == pytest.approx(-down.observed)
    assert down.p_value == pytest.approx(1 / 4)
    assert up.p_value == pytest.approx(1.0)


# --- drawing the start point ---------------------------------------------------------------------


def test_draw_is_reproducible_from_the_seed() -> None:
    adm = rt.admissible_start_points(20, min_phase_length=3)  # 15 start points, 4..18
    # random.Random(42).random() == 0.6394267984578837 on every CPython version (docs guarantee).
    assert random.Random(42).random() == 0.6394267984578837
    draw = rt.draw_start_point(adm, seed=42)
    assert draw.start == adm[int(0.6394267984578837 * 15)] == 13
    assert draw == rt.draw_start_point(adm, seed=42)
    assert draw.seed == 42
    assert draw.admissible == adm
    assert {rt.draw_start_point(adm, seed=s).start for s in range(200)} == set(adm)


def test_draw_for_abab_and_mbd() -> None:
    abab = rt.admissible_abab_start_points(24, min_phase_length=4)
    assert rt.draw_start_point(abab, seed=1).start in abab
    mbd = rt.regulated_mbd_start_points([[4, 5], [8, 9], [12, 13]])
    assert rt.draw_start_point(mbd, seed=3).start in mbd
    with pytest.raises(TypeError):
        rt.draw_start_point(abab, seed="1")


# --- performance (sced.md §6); numbers are printed, not asserted (STYLE.md §3.9) ---------------


def test_exact_ab_60_points_is_vectorised(capsys: pytest.CaptureFixture[str]) -> None:
    x = np.random.default_rng(2).normal(size=60)
    adm = rt.admissible_start_points(60, min_phase_length=5)
    t0 = time.perf_counter()
    for _ in range(20):
        out = rt.randomization_test(x, 30, admissible=adm, improvement="increase", statistic="nap")
    per_call = (time.perf_counter() - t0) / 20
    assert out.n_assignments == 51
    with capsys.disabled():
        print(f"\nexact AB randomization test, N = 60, NAP: {per_call * 1e3:.2f} ms per call")
