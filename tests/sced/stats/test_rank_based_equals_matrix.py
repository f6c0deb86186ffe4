"""The rank-based and row-block pair statistics (issue #15) give exactly what the m×n matrices
gave: the matrix formulas are kept here as the reference and compared on data with many ties."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sced.stats import nonoverlap as no
from sced.stats import randomization as rt

# small integer ratings: ties everywhere, as in 0–10 diaries
points = st.lists(st.integers(0, 6).map(float), min_size=2, max_size=40)


def _matrix_q(a, b):
    diff = b[None, :] - a[:, None]
    return (diff > 0) + 0.5 * (diff == 0)


def _matrix_nap_variance(q, nap):
    m, n = q.shape
    dev = q - nap
    q1 = float(np.sum(dev.sum(axis=1) ** 2)) / (m * n**2)
    q2 = float(np.sum(dev.sum(axis=0) ** 2)) / (m**2 * n)
    trunc = 0.5 / (m * n)
    nap_t = min(max(nap, trunc), 1 - trunc)
    x = float(np.sum(dev**2)) / (m * n)
    denom = (m - 1) * (n - 1)
    return (nap_t * (1 - nap_t) + n * q1 + m * q2 - 2 * x) / denom if denom > 0 else np.inf


def _matrix_kendall_s(x, y):
    return round(
        float(np.sum(np.sign(x[None, :] - x[:, None]) * np.sign(y[None, :] - y[:, None]))) / 2
    )


def _matrix_pand_kept(A, B):
    m, n = len(A), len(B)
    x = np.r_[-np.inf, np.sort(A)]
    y = np.r_[np.sort(B), np.inf]
    i = np.arange(1, m + 2)[:, None]
    j = np.arange(1, n + 2)[None, :]
    return int(((i + n - j) * (x[:, None] < y[None, :])).max())


def _matrix_theil_sen_slope(y):
    t = np.arange(1, len(y) + 1, dtype=float)
    i, k = np.triu_indices(len(y), k=1)
    return float(np.median((y[k] - y[i]) / (t[k] - t[i])))


@settings(max_examples=300, derandomize=True)
@given(points, points)
def test_nap_estimate_and_se_equal_the_matrix_formulas(a, b):
    A, B = np.array(a), np.array(b)
    q = _matrix_q(A, B)
    result = no.nap(a, b, improvement="increase")
    assert result.estimate == float(q.mean())
    assert result.details["positives"] == int(np.count_nonzero(q == 1.0))
    assert result.details["ties"] == int(np.count_nonzero(q == 0.5))
    expected = _matrix_nap_variance(q, float(q.mean()))
    if np.isfinite(expected) and expected >= 0:
        assert result.se == np.sqrt(expected) or abs(result.se - np.sqrt(expected)) < 1e-12


@settings(max_examples=300, derandomize=True)
@given(points, points)
def test_kendall_s_pand_and_tau_u_counts_equal_the_matrix_formulas(a, b):
    A, B = np.array(a), np.array(b)
    t = np.arange(1.0, len(A) + 1)
    assert no._kendall_s(A, t) == _matrix_kendall_s(A, t)
    assert no._kendall_s(A, A[::-1]) == _matrix_kendall_s(A, A[::-1])
    assert no._pand_kept(A, B) == _matrix_pand_kept(A, B)
    d = B[None, :] - A[:, None]
    row = no.tau_u_table(a, b, improvement="increase")["A vs. B"].details
    assert (row["pos"], row["neg"], row["ties"]) == (
        int(np.sum(d > 0)),
        int(np.sum(d < 0)),
        int(np.sum(d == 0)),
    )
    assert no.theil_sen(a).slope == _matrix_theil_sen_slope(A) or (
        np.isnan(no.theil_sen(a).slope) and np.isnan(_matrix_theil_sen_slope(A))
    )


def test_kendall_s_in_row_blocks_equals_the_matrix_beyond_one_block():
    rng = np.random.default_rng(15)
    x = rng.integers(0, 5, 1300).astype(float)
    y = rng.integers(0, 3, 1300).astype(float)
    assert no._kendall_s(x, y) == _matrix_kendall_s(x, y)
    assert no._later_minus_earlier(x)[0] == int(np.sum(np.triu(x[None, :] - x[:, None] > 0, 1)))


@settings(max_examples=150, derandomize=True)
@given(st.lists(st.integers(0, 6).map(float), min_size=8, max_size=30), st.integers(0, 3))
def test_randomization_nap_equals_the_prefix_table(values, shift):
    x = np.array(values)
    n = len(x)
    starts = np.array([[s, min(s + 2 + shift, n)] for s in range(2, n - 3)], dtype=np.int64)
    got = rt._series_statistics(x, starts, "nap")
    diff = x[None, :] - x[:, None]
    wins = (diff > 0).astype(np.float64) + 0.5 * (diff == 0)
    c = np.zeros((n + 1, n + 1))
    c[1:, 1:] = wins.cumsum(axis=0).cumsum(axis=1)
    bounds = np.c_[np.zeros(len(starts), dtype=np.int64), starts - 1, np.full(len(starts), n)]
    expected = []
    for row in bounds:
        total = n_a = n_b = 0.0
        for pa in range(0, 3, 2):
            for pb in range(1, 3, 2):
                a0, a1, b0, b1 = row[pa], row[pa + 1], row[pb], row[pb + 1]
                total += c[a1, b1] - c[a0, b1] - c[a1, b0] + c[a0, b0]
        n_a = (row[1] - row[0]) + (row[3] - row[2])
        n_b = row[2] - row[1]
        expected.append(total / (n_a * n_b) if n_a and n_b else np.nan)
    np.testing.assert_array_equal(got, np.array(expected))
