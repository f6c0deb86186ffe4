"""Many AB cases in one file (issue #16): the test across cases checks membership tier by tier,
counts assignments as exact Python integers, and a batch of independent cases skips it.

The "old path" is the exhaustive one the multiple-baseline test used to take: list every
cross-case assignment (itertools.product over the tiers' start points) and scan it. On small
files (2–4 cases) the new code must give the same answers; on large ones it must not try.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest

from sced.stats import randomization as rt
from sced.stats.report import analyse_cases
from sced.stats.scan_csv import Case, ScanCsvError, read_scan_csv, write_scan_csv


def _tiers(n_cases: int, seed: int, *, short: bool = True) -> tuple[list[list[float]], tuple]:
    """Pain diaries that fall after treatment starts; short enough to enumerate by hand."""
    rng = np.random.default_rng(seed)
    tiers, actual = [], []
    for _ in range(n_cases):
        n_a = int(rng.integers(4, 7 if short else 20))
        n_b = int(rng.integers(4, 7 if short else 30))
        a = np.clip(np.round(rng.normal(7, 1, n_a)), 0, 10)
        b = np.clip(np.round(rng.normal(4.5, 1.2, n_b)), 0, 10)
        tiers.append([*a.tolist(), *b.tolist()])
        actual.append(n_a + 1)
    return tiers, tuple(actual)


def _old_path_p(tiers: list[list[float]], actual: tuple[int, ...], min_len: int) -> Fraction:
    """Exhaustive scan: every cross-case assignment, mean over tiers of (mean A − mean B)."""

    def stat(assignment: tuple[int, ...]) -> float:
        per_tier = []
        for x, s in zip(tiers, assignment, strict=True):
            a, b = x[: s - 1], x[s - 1 :]
            per_tier.append(sum(a) / len(a) - sum(b) / len(b))  # improvement = decrease
        return sum(per_tier) / len(per_tier)

    ranges = [range(min_len + 1, len(x) - min_len + 2) for x in tiers]
    everything = list(itertools.product(*ranges))
    assert actual in everything  # membership the slow way
    observed = stat(actual)
    hits = sum(stat(a) >= observed - rt.TIE_TOLERANCE * max(1.0, abs(observed)) for a in everything)
    return Fraction(hits, len(everything))


@pytest.mark.parametrize("n_cases", [2, 3, 4])
def test_small_files_give_the_same_exact_p_as_scanning_every_assignment(n_cases: int) -> None:
    tiers, actual = _tiers(n_cases, seed=n_cases)
    admissible = rt.admissible_mbd_start_points([len(x) for x in tiers], min_phase_length=3)
    result = rt.randomization_test(
        tiers, actual, admissible=admissible, improvement="decrease", method="exact"
    )
    expected = _old_path_p(tiers, actual, 3)
    assert result.n_assignments == result.n_admissible == math.prod(len(x) - 5 for x in tiers)
    hits = round(result.p_value * result.n_assignments)
    assert Fraction(hits, result.n_assignments) == expected


@pytest.mark.parametrize("n_cases", [2, 3, 4])
def test_membership_per_tier_agrees_with_the_full_scan(n_cases: int) -> None:
    tiers, actual = _tiers(n_cases, seed=10 + n_cases)
    admissible = rt.admissible_mbd_start_points([len(x) for x in tiers], min_phase_length=2)
    listed = {tuple(int(v) for v in row) for row in admissible.as_array()}
    rng = np.random.default_rng(n_cases)
    probes = [actual, *(tuple(int(v) for v in rng.integers(1, 14, n_cases)) for _ in range(200))]
    for probe in probes:
        assert (probe in admissible) == (probe in listed), probe


def test_regulated_membership_finds_an_order_of_the_sets_over_the_tiers() -> None:
    # Three declared sets; the tiers may take them in any order (Koehler & Levin 1998).
    admissible = rt.regulated_mbd_start_points([[5, 6], [8, 9], [11, 12]])
    listed = {tuple(int(v) for v in row) for row in admissible.as_array()}
    for probe in itertools.product(range(4, 14), repeat=3):
        assert (probe in admissible) == (probe in listed), probe
    assert (9, 5, 12) in admissible
    assert (5, 6, 12) not in admissible  # two tiers cannot both use the first set


def test_twenty_and_more_cases_are_counted_exactly_as_python_integers() -> None:
    tiers, actual = _tiers(24, seed=24, short=False)
    admissible = rt.admissible_mbd_start_points([len(x) for x in tiers], min_phase_length=3)
    expected = math.prod(len(x) - 5 for x in tiers)
    assert expected > 2**63  # past int64 and len(): this raised OverflowError before
    assert rt.assignment_count(admissible) == expected
    assert type(rt.assignment_count(admissible)) is int
    result = rt.randomization_test(
        tiers, actual, admissible=admissible, improvement="decrease", n_random=500, seed=3
    )
    assert result.n_admissible == expected
    assert type(result.n_admissible) is int
    assert result.method == "monte_carlo"
    assert result.n_assignments == 501
    # Diaries that fall by ~2.5 points in every tier: the observed split is rarely beaten.
    assert result.p_value < 0.05


def test_regulated_design_with_many_tiers_samples_instead_of_listing_orders() -> None:
    # Twelve diaries of 40 days, treatment staggered from day 9 to day 31 (sets fit every tier).
    rng = np.random.default_rng(12)
    actual = tuple(range(9, 33, 2))
    tiers = [
        [*rng.normal(7, 1, s - 1).round().tolist(), *rng.normal(4.5, 1, 41 - s).round().tolist()]
        for s in actual
    ]
    sets = [[s - 1, s, s + 1] for s in actual]
    admissible = rt.regulated_mbd_start_points(sets)
    assert rt.assignment_count(admissible) == 3**12 * math.factorial(12)
    result = rt.randomization_test(
        tiers, actual, admissible=admissible, improvement="decrease", n_random=300, seed=1
    )
    assert result.n_admissible == 3**12 * math.factorial(12)
    assert 1 / 301 <= result.p_value <= 1


def test_sampling_past_int64_keeps_every_tier_in_its_own_set() -> None:
    per_tier = tuple(tuple(range(4, 4 + k)) for k in range(3, 40))
    admissible = rt.IndependentStartPoints(per_tier)
    drawn = admissible.sample(np.random.default_rng(0), 2000)
    assert drawn.shape == (2000, len(per_tier))
    for t, options in enumerate(per_tier):
        assert set(drawn[:, t].tolist()) <= set(options)
    # Uniform per tier: each of the 3 options of the first tier is drawn about a third of the time.
    counts = np.bincount(drawn[:, 0])[4:7]
    assert counts.min() > 550


def _cases(n: int) -> list[Case]:
    tiers, actual = _tiers(n, seed=n, short=False)
    rows = [
        (f"patient {i}", [("A", x[: s - 1]), ("B", x[s - 1 :])])
        for i, (x, s) in enumerate(zip(tiers, actual, strict=True))
    ]
    return read_scan_csv(write_scan_csv(rows), batch=True)


def test_a_file_of_thirty_cases_gets_its_test_across_cases() -> None:
    report = analyse_cases(_cases(30), improvement="decrease", n_random=200)
    mbd = report["multiple_baseline"]
    assert "error" not in mbd, mbd
    assert mbd["method"] == "monte_carlo"
    assert mbd["n_admissible"] > 2**63
    assert len(mbd["tiers"]) == 30


def test_a_batch_of_independent_cases_has_no_test_across_them_but_each_keeps_its_own() -> None:
    cases = _cases(200)  # bounded size; the time for 1,000 is printed by sced_benchmark
    report = analyse_cases(cases, improvement="decrease", independent_cases=True, n_random=200)
    assert "skipped" in report["multiple_baseline"]
    assert report["options"]["independent_cases"] is True
    assert len(report["cases"]) == 200
    assert all("p_value" in c["randomization"] for c in report["cases"])


def test_one_study_still_has_at_most_fifty_cases_and_a_batch_at_most_two_thousand() -> None:
    text = write_scan_csv([(f"c{i}", [("A", [1.0, 2.0, 3.0]), ("B", [1.0])]) for i in range(51)])
    with pytest.raises(ScanCsvError, match="at most 50"):
        read_scan_csv(text)
    assert len(read_scan_csv(text, batch=True)) == 51
    text = write_scan_csv([(f"c{i}", [("A", [1.0]), ("B", [1.0])]) for i in range(2001)])
    with pytest.raises(ScanCsvError, match="at most 2,000"):
        read_scan_csv(text, batch=True)
