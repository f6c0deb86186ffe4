"""Theil–Sen lines, Tau-BC (baseline-corrected Tau; Tarlow 2017) and scan's corrected_tau."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from ..phases import Improvement, check_improvement, orient, pair_problems
from .base import EffectSize, Values, make_effect, undefined, z_crit
from .nap import NapCI, NapSE, tau
from .tau_u import _kendall_s, kendall_tau, kendall_var_s, two_sided_normal_p

# --------------------------------------------------------------------------------------------
# Tau-BC (baseline-corrected Tau; Tarlow 2017) and scan's corrected_tau
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """A straight line y = intercept + slope·session (global session numbers, 1-based)."""

    intercept: float
    slope: float

    def at(self, sessions: np.ndarray) -> np.ndarray:
        return self.intercept + self.slope * np.asarray(sessions, dtype=float)


def theil_sen(y: Values, sessions: Values | None = None) -> Line:
    """Theil–Sen line: median pairwise slope, intercept = median(y − slope·t) (sced.md §2.4).

    Computed on raw (un-oriented) values, as SingleCaseES and mblm(repeated = FALSE) do.
    """
    yv = np.asarray(y, dtype=float)
    t = np.arange(1, len(yv) + 1, dtype=float) if sessions is None else np.asarray(sessions, float)
    if len(yv) < 2:
        return Line(float(yv[0]) if len(yv) else math.nan, math.nan)
    # The n(n−1)/2 slopes are needed for the exact median; filled row by row without the two
    # index arrays triu_indices would add (3× the memory). Phase and study limits bound n.
    n = len(yv)
    slopes = np.empty(n * (n - 1) // 2)
    at = 0
    for i in range(n - 1):
        step = n - 1 - i
        slopes[at : at + step] = (yv[i + 1 :] - yv[i]) / (t[i + 1 :] - t[i])
        at += step
    slope = float(np.median(slopes))
    intercept = float(np.median(yv - slope * t))
    return Line(intercept, slope)


def kendall_pretest_p(y: Values) -> float:
    """Baseline trend p of ``Kendall::Kendall(A, 1..m)$sl`` as used by SingleCaseES Tau_BC.

    The Fortran routine (Kendall 2.2.1, src/Kendall.f, TAUK2) gives p = 1 (IFAULT 12) when
    m ≤ 3 or the baseline is constant; otherwise it uses the normal approximation with
    continuity correction, (|S| − 1)/sd(S), and the tie-corrected variance (sced.md §2.4).
    """
    yv = np.asarray(y, dtype=float)
    m = len(yv)
    if m <= 3 or np.all(yv == yv[0]):
        return 1.0
    t = np.arange(1, m + 1, dtype=float)
    s = _kendall_s(yv, t)
    s_cc = math.copysign(abs(s) - 1, s) if s != 0 else 0.0
    return two_sided_normal_p(s_cc / math.sqrt(kendall_var_s(yv, t)))


def _round_ties(x: np.ndarray, decimals: int | None) -> np.ndarray:
    # Theil–Sen residuals that are mathematically equal differ in their last bits; rounding makes
    # them tie again (sced.md §5 P5: oracle_tie_robust rounds to 9 decimals).
    return x if decimals is None else np.round(x, decimals)


def tau_bc(
    a: Values,
    b: Values,
    *,
    improvement: Improvement,
    kendall: bool = False,
    pretest_alpha: float | None = None,
    se_method: NapSE = "unbiased",
    confidence: float = 0.95,
    ci_method: NapCI = "newcombe",
    tie_decimals: int | None = 9,
) -> EffectSize:
    """Baseline-corrected Tau (Tarlow 2017) as ``SingleCaseES::Tau_BC``.

    1. Theil–Sen line on A with sessions 1..m (B continues at m+1..N).
    2. Optional pretest (``pretest_alpha``): no correction if the Kendall p > alpha; with m ≤ 3
       the pretest never corrects (p = 1).
    3. Residuals of all sessions; ``kendall=False``: Tau (NAP-based, no tie adjustment) with its
       SE/CI; ``kendall=True``: tau-b against the phase dummy, SE = √(2/N·(1 − τ²)), CI = τ ± z·SE
       (not truncated to [−1, 1]).
    Residuals are rounded to ``tie_decimals`` before comparison (sced.md P5); ``None`` compares
    raw doubles like the packages do.  The SEs ignore the uncertainty of the correction.
    """
    check_improvement(improvement)
    opts: dict[str, object] = {
        "kendall": kendall,
        "pretest_alpha": pretest_alpha,
        "se_method": se_method,
        "confidence": confidence,
        "tie_decimals": tie_decimals,
        **({} if kendall else {"ci_method": ci_method}),
    }
    if reason := pair_problems(a, b, min_a=2):
        return undefined("Tau-BC", reason, improvement, **opts)
    A = np.asarray(a, dtype=float)
    B = np.asarray(b, dtype=float)
    m, n = len(A), len(B)
    line = theil_sen(A)
    details: dict[str, object] = {"slope": line.slope, "intercept": line.intercept}
    adjust = True
    if pretest_alpha is not None:
        if not 0 < pretest_alpha < 1:
            raise ValueError("pretest_alpha must lie strictly between 0 and 1")
        p = kendall_pretest_p(A)
        details["pval_slope_A"] = p
        adjust = p <= pretest_alpha
    details["correction_applied"] = adjust
    if adjust:
        A = _round_ties(A - line.at(np.arange(1, m + 1)), tie_decimals)
        B = _round_ties(B - line.at(np.arange(m + 1, m + n + 1)), tie_decimals)
    if not kendall:
        t = tau(
            A,
            B,
            improvement=improvement,
            se_method=se_method,
            confidence=confidence,
            ci_method=ci_method,
        )
        return make_effect(
            "Tau-BC",
            t.estimate,
            improvement=improvement,
            se=t.se,
            ci=(t.ci_lower, t.ci_upper),
            options=opts,
            details=details,
            reason=t.not_defined_reason,
            ci_reference=t.ci_reference,
        )
    x = orient(np.concatenate([A, B]), improvement)
    if np.all(x == x[0]):
        # SingleCaseES: sd of the residuals 0 -> tau 0
        est = 0.0
    else:
        est = kendall_tau(x, np.r_[np.zeros(m), np.ones(n)], tau_method="b").tau
    se = math.sqrt(2 / (m + n) * (1 - est**2))
    zc = z_crit(confidence)
    return make_effect(
        "Tau-BC",
        est,
        improvement=improvement,
        se=se,
        ci=(est - zc * se, est + zc * se),
        options=opts,
        details=details,
    )


def corrected_tau_scan(
    a: Values,
    b: Values,
    *,
    improvement: Improvement,
    alpha: float = 0.05,
    continuity: bool = False,
    tau_method: Literal["a", "b"] = "b",
    tie_decimals: int | None = 9,
) -> dict[str, object]:
    """``scan::corrected_tau``: baseline trend test, uncorrected and corrected tau-b vs phase.

    scan has no direction argument: the oracle ran it on oriented values (sced.md P10), so the
    Theil–Sen line is fitted to the oriented baseline here.  If var(A) = 0 the pretest is NA and
    no correction is applied.
    """
    check_improvement(improvement)
    if reason := pair_problems(a, b, min_a=2):
        return {"not_defined_reason": reason}
    A, B = orient(a, improvement), orient(b, improvement)
    m, n = len(A), len(B)
    sessions = np.arange(1, m + n + 1, dtype=float)
    phase = np.r_[np.ones(m), np.full(n, 2.0)]
    if np.var(A) == 0:
        auto: dict[str, float | None] = {"tau": None, "z": None, "p": None}
    else:
        k = kendall_tau(A, sessions[:m], tau_method=tau_method, continuity_correction=continuity)
        auto = {"tau": k.tau, "z": k.z, "p": k.p}
    line = theil_sen(A)
    y = np.concatenate([A, B])
    resid = _round_ties(y - line.at(sessions), tie_decimals)
    corr = kendall_tau(resid, phase, tau_method=tau_method, continuity_correction=continuity)
    unc = kendall_tau(y, phase, tau_method=tau_method, continuity_correction=continuity)
    applied = auto["p"] is not None and auto["p"] <= alpha
    chosen = corr if applied else unc
    return {
        "tau": chosen.tau,
        "p": chosen.p,
        "correction_applied": applied,
        "baseline_autocorrelation": auto,
        "uncorrected_tau": {"tau": unc.tau, "z": unc.z, "p": unc.p},
        "baseline_corrected_tau": {"tau": corr.tau, "z": corr.z, "p": corr.p},
        "theil_sen": {"intercept": line.intercept, "slope": line.slope},
        "options": {"alpha": alpha, "continuity": continuity, "tau_method": tau_method},
    }
