"""PND, PEM, PAND and IRD (SingleCaseES 0.7.4 / scan 0.67.1; sced.md §2.5–§2.7)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np
from scipy import stats

from ..phases import Improvement, check_improvement, orient, pair_problems
from .base import EffectSize, Values, make_effect, undefined

if TYPE_CHECKING:
    from collections.abc import Sequence

# --------------------------------------------------------------------------------------------
# PND, PEM, PAND, IRD
# --------------------------------------------------------------------------------------------


def pnd(a: Values, b: Values, *, improvement: Improvement) -> EffectSize:
    """PND (Scruggs, Mastropieri & Casto 1987): share of B strictly beyond the best A point.

    Ties count as non-improvement; one extreme baseline day sets it to 0 (sced.md §5 P14).
    """
    check_improvement(improvement)
    if reason := pair_problems(a, b):
        return undefined("PND", reason, improvement)
    ao, bo = orient(a, improvement), orient(b, improvement)
    est = float(np.mean(bo > ao.max()))
    return make_effect(
        "PND",
        est,
        improvement=improvement,
        details={"percent": 100 * est},
        options={"warning": "PND depends on a single extreme baseline point"},
    )


def pem(
    a: Values,
    b: Values,
    *,
    improvement: Improvement,
    ties: Literal["half", "strict"] = "half",
) -> EffectSize:
    """PEM (Ma 2006): share of B beyond the baseline median.

    ``ties="half"`` = SingleCaseES (B values equal to the median weigh ½, the recommended default,
    sced.md §4); ``"strict"`` = scan::pem (they count 0) with its one-sided binomial p.
    """
    check_improvement(improvement)
    if reason := pair_problems(a, b):
        return undefined("PEM", reason, improvement, ties=ties)
    ao, bo = orient(a, improvement), orient(b, improvement)
    med = float(np.median(ao))
    above = int(np.sum(bo > med))
    # SingleCaseES: ties with the median weigh ½; scan: strict inequality
    half = float(np.mean((bo > med) + 0.5 * (bo == med)))
    est = half if ties == "half" else above / len(bo)
    # scan: binom.test(positives, n, alternative = "greater")
    p = float(stats.binom.sf(above - 1, len(bo), 0.5))
    return make_effect(
        "PEM",
        est,
        improvement=improvement,
        options={"ties": ties},
        details={"percent": 100 * est, "positives": above, "total": len(bo), "binom_p": p},
    )


def _pand_kept(A: np.ndarray, B: np.ndarray) -> int:
    # max over i, j with x_i < y_j of (i + n − j), x = (−∞, sorted A), y = (sorted B, +∞)
    # For each i the best j is the first y_j above x_i (y is sorted, +∞ last): O((m+n) log n).
    m, n = len(A), len(B)
    x = np.r_[-np.inf, np.sort(A)]
    y = np.r_[np.sort(B), np.inf]
    i = np.arange(1, m + 2)
    j = np.searchsorted(y, x, side="right") + 1
    return int(np.max(i + n - j))


def pand(a: Values, b: Values, *, improvement: Improvement) -> EffectSize:
    """PAND (Parker, Hagan-Burke & Vannest 2007) as SingleCaseES = scan ``method="minimum"``.

    scan's default "sort" method breaks ties at random and is not reproducible (sced.md P13).
    """
    check_improvement(improvement)
    if reason := pair_problems(a, b):
        return undefined("PAND", reason, improvement)
    A, B = orient(a, improvement), orient(b, improvement)
    kept = _pand_kept(A, B)
    N = len(A) + len(B)
    est = kept / N
    return make_effect(
        "PAND",
        est,
        improvement=improvement,
        options={"method": "minimum"},
        details={"percent": 100 * est, "overlaps": N - kept, "n": N},
    )


def ird(a: Values, b: Values, *, improvement: Improvement) -> EffectSize:
    """Robust IRD = [N²·PAND − m² − n²]/(2mn) (Parker, Vannest & Brown 2009; sced.md §2.7)."""
    p = pand(a, b, improvement=improvement)
    if p.estimate is None:
        return undefined("IRD", p.not_defined_reason or "PAND undefined", improvement)
    m, n = len(a), len(b)
    N = m + n
    est = (N**2 * p.estimate - m**2 - n**2) / (2 * m * n)
    return make_effect("IRD", est, improvement=improvement, options={"method": "PAND-based"})


def pand_pooled(
    cases: Sequence[tuple[Values, Values]], *, improvement: Improvement
) -> tuple[EffectSize, EffectSize]:
    """PAND and IRD pooled over cases the way scan does: overlap counts summed over cases."""
    overlaps = kept_total = m_tot = n_tot = 0
    for a, b in cases:
        if reason := pair_problems(a, b):
            bad = undefined("PAND (pooled)", reason, improvement)
            return bad, undefined("IRD (pooled)", reason, improvement)
        A, B = orient(a, improvement), orient(b, improvement)
        kept = _pand_kept(A, B)
        kept_total += kept
        overlaps += len(A) + len(B) - kept
        m_tot += len(A)
        n_tot += len(B)
    N = m_tot + n_tot
    est = kept_total / N
    pand_res = make_effect(
        "PAND (pooled)",
        est,
        improvement=improvement,
        details={"percent": 100 * est, "overlaps": overlaps, "n": N},
    )
    ird_est = 1 - N**2 * (1 - est) / (2 * m_tot * n_tot)
    return pand_res, make_effect("IRD (pooled)", ird_est, improvement=improvement)
