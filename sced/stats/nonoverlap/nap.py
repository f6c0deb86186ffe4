"""NAP and Tau (SingleCaseES 0.7.4; shared/reference/sced.md §2.1–§2.2)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Literal

import numpy as np
from scipy import optimize

from ..phases import Improvement, check_improvement, orient, pair_problems
from .base import EffectSize, Values, make_effect, undefined, z_crit

if TYPE_CHECKING:
    from collections.abc import Callable

# --------------------------------------------------------------------------------------------
# NAP and Tau
# --------------------------------------------------------------------------------------------

NapSE = Literal["unbiased", "Hanley", "null"]
NapCI = Literal["singlecasees", "newcombe"]
# The NAP interval, in words for the results page. Both are Newcombe's (2006) method 5, a
# score-type interval for the Mann-Whitney AUC (Stat Med 25:559-573, "Confidence intervals for
# an effect size measure based on the Mann-Whitney statistic. Part 2"); they differ only at
# NAP = 0 or 1, where SingleCaseES's uniroot stops at the endpoint root x = NAP and reports
# [1, 1] with SE > 0 (sced.md §5 P3). We report the interior root there (0.6427 for m = n = 5),
# so the interval is continuous in NAP and never has zero width, and keep the package's interval
# as ``ci_reference``.
NAP_CI_METHODS = {
    "newcombe": (
        "Newcombe's (2006) score-type interval for the proportion of improved pairs (method 5); "
        "when every pair improved (NAP = 1, Tau = 1) it still gives a lower limit below 1"
    ),
    "singlecasees": (
        "Newcombe's (2006) method 5 as the SingleCaseES package computes it (a zero-width "
        "interval when every pair improved)"
    ),
}


# Pairwise statistics are computed from ranks (sorting + binary search) or in row blocks, never
# as an m×n matrix: 4,000 + 4,000 sessions took 612 MB and 10^6 rows asked for 233 GiB (#15).
_BLOCK = 512  # rows per block in the O(n²)-time, O(n·_BLOCK)-memory pair sums


def _pair_counts(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per A point i: how many B points are above, below and tied with it; O((m+n) log n).

    The row sums of the Mann–Whitney comparison matrix, from the sorted B values.
    """
    bs = np.sort(b)
    below = np.searchsorted(bs, a, side="left")
    not_above = np.searchsorted(bs, a, side="right")
    return len(bs) - not_above, below, not_above - below


def _q_sums(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row and column sums of Q_ij = 1[b_j > a_i] + ½·1[b_j = a_i] (Parker & Vannest 2009;
    sced.md §2.1) on oriented data, without building Q."""
    above, _below, tied = _pair_counts(a, b)
    rows = above + 0.5 * tied
    # column j: A points below b_j count 1, tied ½ (the same comparison seen from B)
    _a_above, a_below, a_tied = _pair_counts(b, a)
    cols = a_below + 0.5 * a_tied
    return rows.astype(float), cols.astype(float)


def _nap_variance(
    rows: np.ndarray, cols: np.ndarray, sum_q2: float, nap: float, se_method: NapSE
) -> float:
    m, n = len(rows), len(cols)
    # Σ_j (Q_ij − NAP) = row_i − n·NAP; Σ_ij (Q_ij − NAP)² = ΣQ² − 2·NAP·ΣQ + mn·NAP²
    q1 = float(np.sum((rows - n * nap) ** 2)) / (m * n**2)
    q2 = float(np.sum((cols - m * nap) ** 2)) / (m**2 * n)
    # truncation keeps the SE away from 0 when NAP is 0 or 1 (SingleCaseES 0.4.4, sced.md §2.1)
    trunc = 0.5 / (m * n)
    nap_t = min(max(nap, trunc), 1 - trunc)
    if se_method == "unbiased":
        # Sen (1967), Mee (1990): exactly unbiased variance (SingleCaseES default)
        x = (sum_q2 - 2 * nap * float(rows.sum()) + m * n * nap**2) / (m * n)
        denom = (m - 1) * (n - 1)
        num = nap_t * (1 - nap_t) + n * q1 + m * q2 - 2 * x
        return num / denom if denom > 0 else math.inf
    if se_method == "Hanley":
        # Hanley & McNeil (1982)
        return (nap_t * (1 - nap_t) + (n - 1) * q1 + (m - 1) * q2) / (m * n)
    if se_method == "null":
        # exact variance under H0 of no effect
        return (m + n + 1) / (12 * m * n)
    raise ValueError(f"unknown NAP SE method {se_method!r}")


def _newcombe_f(m: int, n: int, nap: float, z: float) -> Callable[[float], float]:
    # Newcombe (2006) method 5, symmetrised score inversion; h = N/2 − 1 (sced.md §2.1)
    h = (m + n) / 2 - 1

    def f(x: float) -> float:
        return m * n * (nap - x) ** 2 * (2 - x) * (1 + x) - z**2 * x * (1 - x) * (
            2 + h + (1 + 2 * h) * x * (1 - x)
        )

    return f


def nap_ci(m: int, n: int, nap: float, confidence: float, method: NapCI) -> tuple[float, float]:
    """Newcombe (2006) method-5 CI for NAP.

    ``"singlecasees"`` reproduces SingleCaseES: for NAP = 1 (or 0) it returns the degenerate
    endpoint root [1, 1] because uniroot stops at x = NAP (sced.md §5 P3).  ``"newcombe"``
    returns the interior root in that case (e.g. 0.6427 for m = n = 5).  Roots are solved to
    1e-12, SingleCaseES's uniroot only to ~1e-4.
    """
    z = z_crit(confidence)
    f = _newcombe_f(m, n, nap, z)
    eps = 1e-12
    if nap > 0:
        lower = optimize.brentq(f, 0.0, nap, xtol=eps) if nap < 1 or method == "newcombe" else 1.0
        if nap >= 1 and method == "newcombe":
            lower = optimize.brentq(f, 0.0, 1.0 - 1e-9, xtol=eps)
    else:
        lower = 0.0
    if nap < 1:
        upper = optimize.brentq(f, nap, 1.0, xtol=eps) if nap > 0 or method == "newcombe" else 0.0
        if nap <= 0 and method == "newcombe":
            upper = optimize.brentq(f, 1e-9, 1.0, xtol=eps)
    else:
        upper = 1.0
    return float(lower), float(upper)


def nap(
    a: Values,
    b: Values,
    *,
    improvement: Improvement,
    se_method: NapSE = "unbiased",
    confidence: float = 0.95,
    ci_method: NapCI = "newcombe",
) -> EffectSize:
    """Non-overlap of all pairs (Parker & Vannest 2009) as ``SingleCaseES::NAP``.

    Estimate and SE are proportions (0–1); scan's percentage is 100·estimate. The interval is
    ``ci_method`` (``NAP_CI_METHODS``); ``ci_reference`` is always SingleCaseES's.
    """
    check_improvement(improvement)
    opts = {"se_method": se_method, "confidence": confidence, "ci_method": ci_method}
    if reason := pair_problems(a, b):
        return undefined("NAP", reason, improvement, **opts)
    ao, bo = orient(a, improvement), orient(b, improvement)
    above, _below, tied = _pair_counts(ao, bo)
    m, n = len(ao), len(bo)
    pos, ties = int(above.sum()), int(tied.sum())
    est = (pos + 0.5 * ties) / (m * n)
    rows, cols = _q_sums(ao, bo)
    var = _nap_variance(rows, cols, pos + 0.25 * ties, est, se_method)
    lo, hi = nap_ci(m, n, est, confidence, ci_method)
    # The two methods differ only at the boundary; elsewhere the reference is the same interval.
    reference = (lo, hi) if 0 < est < 1 else nap_ci(m, n, est, confidence, "singlecasees")
    details = {"pairs": m * n, "positives": pos, "ties": ties, "percent": 100 * est}
    return make_effect(
        "NAP",
        est,
        improvement=improvement,
        se=math.sqrt(var) if math.isfinite(var) and var >= 0 else None,
        ci=(lo, hi),
        options=opts,
        details=details,
        ci_reference=reference,
    )


def tau_from_nap(res: EffectSize) -> EffectSize:
    """Tau (non-overlap) = 2·NAP − 1; SE = 2·SE; CI = 2·CI − 1 (SingleCaseES::Tau, sced.md §2.2)."""
    if res.estimate is None:
        return EffectSize(
            name="Tau",
            estimate=None,
            improvement=res.improvement,
            options=res.options,
            not_defined_reason=res.not_defined_reason,
        )
    scale = {k: v for k, v in res.details.items() if k in ("pairs", "positives", "ties")}
    return EffectSize(
        name="Tau",
        estimate=2 * res.estimate - 1,
        se=None if res.se is None else 2 * res.se,
        ci_lower=None if res.ci_lower is None else 2 * res.ci_lower - 1,
        ci_upper=None if res.ci_upper is None else 2 * res.ci_upper - 1,
        improvement=res.improvement,
        options=res.options,
        details=scale,
        ci_reference=None
        if res.ci_reference is None
        else (2 * res.ci_reference[0] - 1, 2 * res.ci_reference[1] - 1),
    )


def tau(
    a: Values,
    b: Values,
    *,
    improvement: Improvement,
    se_method: NapSE = "unbiased",
    confidence: float = 0.95,
    ci_method: NapCI = "newcombe",
) -> EffectSize:
    """Tau (A vs B non-overlap; Parker, Vannest, Davis & Sauber 2011) as ``SingleCaseES::Tau``.

    Ties count 0 in S_AB, no tie adjustment.
    """
    return tau_from_nap(
        nap(
            a,
            b,
            improvement=improvement,
            se_method=se_method,
            confidence=confidence,
            ci_method=ci_method,
        )
    )
