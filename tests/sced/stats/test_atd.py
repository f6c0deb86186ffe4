"""Alternating treatments: the admissible sequences and the randomization test agree with SCRT.

The reference values come from ``scrt_reference`` below: a line-by-line transcription of SCRT's
``pvalue.systematic(design = "ATD", statistic = "B-A" / "A-B", limit)`` for N ≤ 20 (R/assignments.R
and R/pvalue.systematic.R of SCRT 1.3): every combination of N/2 A positions in ``combn`` order,
the B positions taken from the reversed column order (the complement), a combination rejected when
``limit`` consecutive gaps between its A (or B) positions are all 1, the statistic the difference
of the condition means, p = #{distribution ≥ observed}/#assignments. It shares no code with
``sced.stats.atd`` (which counts by dynamic programming and enumerates by recursion).
"""

from __future__ import annotations

import itertools
import math
import random
from collections import Counter

import numpy as np
import pytest

from sced.stats import atd


def scrt_reference(conditions, values, limit, statistic):
    """SCRT's ATD enumeration and p-value, transcribed (N ≤ 20, equal numbers of A and B)."""
    mt = len(values)
    index_a = list(itertools.combinations(range(1, mt + 1), mt // 2))  # combn(index, MT/2)
    index_b = index_a[::-1]  # index.a[, ncol(index.a):1]
    keep = []
    for col, (ia, ib) in enumerate(zip(index_a, index_b, strict=True)):
        if mt // 2 <= limit:
            keep.append(col)
            continue
        bad = False
        for idx in (ia, ib):
            gaps = [idx[i] - idx[i - 1] == 1 for i in range(1, len(idx))]
            for end in range(limit - 1, len(gaps)):
                if sum(gaps[end - j] for j in range(limit)) == limit:
                    bad = True
        if not bad:
            keep.append(col)
    observed_a = [v for c, v in zip(conditions, values, strict=True) if c == "A"]
    observed_b = [v for c, v in zip(conditions, values, strict=True) if c == "B"]

    def stat(a, b):
        return (np.mean(b) - np.mean(a)) if statistic == "B-A" else (np.mean(a) - np.mean(b))

    dist = [
        stat([values[i - 1] for i in index_a[c]], [values[i - 1] for i in index_b[c]]) for c in keep
    ]
    observed = stat(observed_a, observed_b)
    return len(keep), sum(d >= observed for d in dist) / len(keep), observed


# Three sequences a clinician could have drawn, with made-up pain-interference ratings.
CASES = [
    # 12 sessions, at most 2 in a row; the intervention (B) lowers the rating.
    ("ABBABAABBAAB", [6, 4, 3, 7, 4, 6, 7, 3, 4, 6, 7, 3], 2, "decrease"),
    # 16 sessions, at most 2 in a row (SCRT's 1,296 sequences); B raises daily activity, with ties.
    (
        "BAABABBAABBABAAB",
        [30, 20, 25, 35, 20, 30, 35, 25, 20, 30, 35, 20, 35, 25, 20, 40],
        2,
        "increase",
    ),
    # 10 sessions, at most 3 in a row; no effect at all.
    ("AABABBBAAB", [5, 5, 5, 5, 5, 5, 5, 5, 5, 5], 3, "decrease"),
]


@pytest.mark.parametrize(("sequence", "values", "limit", "improvement"), CASES)
def test_exact_test_agrees_with_scrt(sequence, values, limit, improvement):
    n_ref, p_ref, observed_ref = scrt_reference(
        sequence, values, limit, "B-A" if improvement == "increase" else "A-B"
    )
    result = atd.atd_randomization_test(
        list(sequence), values, max_consecutive=limit, improvement=improvement
    )
    assert result.method == "exact"
    assert result.n_assignments == n_ref
    assert result.n_admissible == n_ref
    assert result.observed == pytest.approx(observed_ref, abs=1e-12)
    assert result.p_value == pytest.approx(p_ref, abs=1e-12)


def test_sixteen_sessions_at_most_two_in_a_row_give_scrt_1296_sequences():
    assert atd.count_admissible(8, 8, max_consecutive=2) == 1296
    assert sum(1 for _ in atd.iter_admissible(8, 8, max_consecutive=2)) == 1296


def test_a_limit_at_least_half_the_sessions_admits_every_balanced_sequence():
    # SCRT: "if (MT/2 <= limit)" every combination is kept.
    assert atd.count_admissible(4, 4, max_consecutive=4) == math.comb(8, 4)


def test_counts_are_exact_integers_for_long_studies():
    n = atd.count_admissible(50, 50, max_consecutive=3)
    assert isinstance(n, int)
    assert n > 2**64  # past any fixed-width integer, and still exact
    assert n == atd.count_admissible(50, 50, max_consecutive=3)


def test_enumerated_sequences_are_distinct_balanced_and_respect_the_limit():
    seqs = list(atd.iter_admissible(5, 5, max_consecutive=2))
    assert len(seqs) == len(set(seqs)) == atd.count_admissible(5, 5, max_consecutive=2)
    for s in seqs:
        assert Counter(s) == {"A": 5, "B": 5}
        assert atd.longest_run(s)[0] <= 2


def test_the_drawn_sequence_is_reproducible_from_its_seed_and_admissible():
    plan = atd.draw_sequence(20, max_consecutive=2, seed=20261207)
    again = atd.draw_sequence(20, max_consecutive=2, seed=20261207)
    assert plan == again
    assert Counter(plan.sequence) == {"A": 10, "B": 10}
    assert atd.longest_run(plan.sequence)[0] <= 2
    assert plan.n_admissible == atd.count_admissible(10, 10, max_consecutive=2)


def test_every_admissible_sequence_is_equally_likely_to_be_drawn():
    admissible = list(atd.iter_admissible(3, 3, max_consecutive=2))  # 14 sequences
    draws = Counter(
        atd.draw_sequence(6, max_consecutive=2, seed=seed).sequence for seed in range(14_000)
    )
    assert set(draws) == set(admissible)
    # Each expected 1,000 times; a fair draw stays within ±15 % here (binomial SD ≈ 30).
    assert all(850 < count < 1150 for count in draws.values())


def test_a_sequence_that_breaks_the_declared_rule_is_refused_with_the_reason():
    with pytest.raises(ValueError, match="3 consecutive A sessions from session 2"):
        atd.atd_randomization_test(
            list("BAAABB"), [1, 2, 3, 4, 5, 6], max_consecutive=2, improvement="increase"
        )


def test_a_condition_without_any_recorded_value_cannot_be_compared():
    with pytest.raises(ValueError, match="Condition B has no recorded value"):
        atd.atd_randomization_test(
            list("ABAB"), [1, None, 2, None], max_consecutive=2, improvement="increase"
        )


def test_a_missed_session_keeps_its_place_and_is_left_out_of_the_means():
    seq = list("ABBAABAB")
    values = [2.0, 5.0, None, 1.0, 2.0, 6.0, 3.0, 4.0]
    result = atd.atd_randomization_test(seq, values, max_consecutive=2, improvement="increase")
    assert result.observed == pytest.approx(np.mean([5, 6, 4]) - np.mean([2, 1, 2, 3]))
    # Every admissible sequence is still in the reference set (8 sessions, 4 + 4).
    assert result.n_assignments == atd.count_admissible(4, 4, max_consecutive=2)


def test_monte_carlo_agrees_with_the_exact_p_value_when_the_set_is_too_big_to_list():
    sequence, values, limit, improvement = CASES[1]
    exact = atd.atd_randomization_test(
        list(sequence), values, max_consecutive=limit, improvement=improvement
    )
    sampled = atd.atd_randomization_test(
        list(sequence),
        values,
        max_consecutive=limit,
        improvement=improvement,
        exact_limit=100,
        n_random=20_000,
        seed=7,
    )
    assert sampled.method == "monte_carlo"
    assert sampled.n_admissible == exact.n_admissible
    assert sampled.p_value == pytest.approx(exact.p_value, abs=0.01)
    assert 1 / 20_001 <= sampled.p_value <= 1


def test_forty_sessions_are_sampled_not_listed():
    rng = random.Random(3)
    plan = atd.draw_sequence(40, max_consecutive=2, seed=11)
    values = [rng.gauss(5 if c == "A" else 3, 1) for c in plan.sequence]
    result = atd.atd_randomization_test(
        list(plan.sequence), values, max_consecutive=2, improvement="decrease", n_random=2_000
    )
    assert result.method == "monte_carlo"
    assert result.n_admissible > 100_000
    assert result.p_value < 0.01  # a two-point drop in every B session is a clear effect


def test_the_count_agrees_with_listing_and_stays_fast_for_a_long_loose_plan() -> None:
    # the exact count against the listing, over small plans and several limits
    for n_a in range(7):
        for n_b in range(7):
            for k in (1, 2, 3, 5):
                listed = sum(1 for _ in atd.iter_admissible(n_a, n_b, max_consecutive=k))
                assert atd.count_admissible(n_a, n_b, max_consecutive=k) == listed
    # 200 sessions with k = 5 took over half a minute before the count was tabulated; with
    # k at least as large as either count the limit binds nothing: C(200, 100) orders
    assert atd.count_admissible(100, 100, max_consecutive=100) == math.comb(200, 100)
    plan = atd.draw_sequence(200, max_consecutive=5, seed=3)
    atd.check_sequence(plan.sequence, max_consecutive=5)
