"""Non-overlap indices for one A/B comparison: NAP, Tau, Tau-U, Tau-BC, PND, PEM, PAND, IRD.

Definitions follow SingleCaseES 0.7.4 and scan 0.67.1 exactly (shared/reference/sced.md §2.1–§2.7).
All inputs are the two phases' values in session order, missing values already dropped
(``sced.stats.phases.clean_values``).  Pairwise comparisons are numpy outer differences, so a
60-point series costs well under a millisecond per index.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Literal

import numpy as np
from scipy import optimize, stats

from .phases import Improvement, check_improvement, orient, pair_problems

Values = Sequence[float] | np.ndarray


@dataclass(frozen=True)
class EffectSize:
    """One effect size for one comparison.

    ``estimate``/``se``/``ci_*`` are None where the reference package gives no value or where the
    statistic is undefined; ``not_defined_reason`` then says why. ``ci_reference`` is the
    reference package's interval where ours differs by method (NAP, Tau, Tau-BC at NAP = 0 or 1:
    ``NAP_CI_METHODS``), kept so it can still be checked against SingleCaseES.  ``options`` spells out every
    choice that changes the number (like the R call the SingleCaseES app prints, sced.md §7);
    ``details`` holds package extras (S, D, Z, p, slope, percent change, …).
    """

    name: str
    estimate: float | None
    se: float | None = None
    ci_lower: float | None = None
    ci_upper: float | None = None
    improvement: Improvement = "increase"
    options: Mapping[str, object] = field(default_factory=dict)
    details: Mapping[str, object] = field(default_factory=dict)
    not_defined_reason: str | None = None
    ci_reference: tuple[float, float] | None = None

    def to_dict(self) -> dict[str, object]:
        out = asdict(self)
        out["options"] = dict(self.options)
        out["details"] = {k: _json_number(v) for k, v in self.details.items()}
        return out


def _json_number(v: object) -> object:
    if isinstance(v, float | np.floating):
        return float(v) if math.isfinite(v) else None
    if isinstance(v, np.integer):
        return int(v)
    return v


def _finite(x: float | None) -> float | None:
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def make_effect(
    name: str,
    estimate: float | None,
    *,
    improvement: Improvement,
    se: float | None = None,
    ci: tuple[float | None, float | None] | None = None,
    options: Mapping[str, object] | None = None,
    details: Mapping[str, object] | None = None,
    reason: str | None = None,
    ci_reference: tuple[float, float] | None = None,
) -> EffectSize:
    """Build an EffectSize, turning non-finite numbers into None with a reason (sced.md §5 P2)."""
    est = None if reason else _finite(estimate)
    if reason is None and est is None:
        reason = f"{name} is not finite for these data (value {estimate})"
    lo, hi = ci if ci is not None else (None, None)
    return EffectSize(
        name=name,
        estimate=est,
        se=None if reason else _finite(se),
        ci_lower=None if reason else _finite(lo),
        ci_upper=None if reason else _finite(hi),
        improvement=improvement,
        options=dict(options or {}),
        details=dict(details or {}),
        not_defined_reason=reason,
        ci_reference=None if reason else ci_reference,
    )


def undefined(name: str, reason: str, improvement: Improvement, **options: object) -> EffectSize:
    return EffectSize(
        name=name,
        estimate=None,
        improvement=improvement,
        options=options,
        not_defined_reason=reason,
    )


@functools.lru_cache(maxsize=64)
def z_crit(confidence: float) -> float:
    """z = Φ⁻¹(1 − (1 − conf)/2) (sced.md §2, notation); cached, scipy's ppf is slow."""
    if not 0 < confidence < 1:
        raise ValueError("confidence must lie strictly between 0 and 1")
    return float(stats.norm.ppf(1 - (1 - confidence) / 2))


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


# --------------------------------------------------------------------------------------------
# Kendall's S / tau (scan's kendall_tau) and the Tau-U family
# --------------------------------------------------------------------------------------------


def two_sided_normal_p(z: float) -> float:
    """2·(1 − Φ(|z|)) via erfc (same value as scipy's norm.sf, without its call overhead)."""
    return math.erfc(abs(z) / math.sqrt(2))


def _tie_groups(x: np.ndarray) -> np.ndarray:
    _, counts = np.unique(x, return_counts=True)
    return counts.astype(float)


def _kendall_s(x: np.ndarray, y: np.ndarray) -> int:
    # S = Σ_{i<j} sign(x_j − x_i)·sign(y_j − y_i); pairs tied in x or y count 0. Summed over all
    # ordered pairs in row blocks (each pair twice), so memory stays O(n·_BLOCK).
    total = 0
    for lo in range(0, len(x), _BLOCK):
        sx = np.sign(x[None, :] - x[lo : lo + _BLOCK, None])
        sy = np.sign(y[None, :] - y[lo : lo + _BLOCK, None])
        total += int(np.sum(sx * sy))
    return round(total / 2)


def _later_minus_earlier(x: np.ndarray) -> tuple[int, int, int]:
    """Pairs i < j with x_j above, below and tied with x_i; row blocks, O(n·_BLOCK) memory."""
    pos = neg = tie = 0
    n = len(x)
    for lo in range(0, n, _BLOCK):
        hi = min(lo + _BLOCK, n)
        d = x[None, :] - x[lo:hi, None]
        later = np.arange(n)[None, :] > np.arange(lo, hi)[:, None]
        pos += int(np.sum((d > 0) & later))
        neg += int(np.sum((d < 0) & later))
        tie += int(np.sum((d == 0) & later))
    return pos, neg, tie


def kendall_var_s(x: np.ndarray, y: np.ndarray) -> float:
    """Tie-corrected variance of Kendall's S (Kendall 1970; sced.md §2.3)."""
    n = len(x)
    t, u = _tie_groups(x), _tie_groups(y)
    v0 = n * (n - 1) * (2 * n + 5)
    vt = float(np.sum(t * (t - 1) * (2 * t + 5)))
    vu = float(np.sum(u * (u - 1) * (2 * u + 5)))
    v1 = float(np.sum(t * (t - 1))) * float(np.sum(u * (u - 1)))
    v2 = float(np.sum(t * (t - 1) * (t - 2))) * float(np.sum(u * (u - 1) * (u - 2)))
    var = (v0 - vt - vu) / 18
    if n > 1:
        var += v1 / (2 * n * (n - 1))
    if n > 2:
        var += v2 / (9 * n * (n - 1) * (n - 2))
    return var


@dataclass(frozen=True)
class KendallTau:
    """scan's ``kendall_tau(x, y, tau_method, continuity_correction)`` (R/tau_u.R)."""

    n: int
    s: int
    d: float
    tau: float
    var_s: float
    sd_s: float
    z: float
    p: float


def _div(a: float, b: float) -> float:
    # R arithmetic: x/0 is ±Inf, 0/0 is NaN
    if b == 0:
        return math.nan if a == 0 else math.copysign(math.inf, a)
    return a / b


def kendall_tau(
    x: np.ndarray,
    y: np.ndarray,
    *,
    tau_method: Literal["a", "b"] = "b",
    continuity_correction: bool = False,
) -> KendallTau:
    """Kendall's tau-a/tau-b with the normal test exactly as scan computes it."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    n = len(x)
    s = _kendall_s(x, y)
    n0 = n * (n - 1) / 2
    s_cc = math.copysign(abs(s) - 1, s) if s != 0 else 0.0
    if tau_method == "a":
        den = n0
        tau_ = _div(s, den)
        root = math.sqrt(n * (n - 1) * (2 * n + 5) / 2)
        z_plain = _div(3 * s, root)
        # scan: sdS = S / z, which is NaN when S = 0
        sd_s = _div(s, z_plain)
        z = _div(3 * s_cc, root) if continuity_correction else z_plain
        var_s = sd_s**2
    else:
        t, u = _tie_groups(x), _tie_groups(y)
        ti = float(np.sum(t * (t - 1) / 2))
        ui = float(np.sum(u * (u - 1) / 2))
        den = math.sqrt(max((n0 - ti) * (n0 - ui), 0.0))
        tau_ = _div(s, den)
        var_s = kendall_var_s(x, y)
        sd_s = math.sqrt(var_s) if var_s >= 0 else math.nan
        z = _div(s_cc if continuity_correction else s, sd_s)
    p = two_sided_normal_p(z) if not math.isnan(z) else math.nan
    if math.isinf(z):
        p, tau_ = math.nan, math.nan
    return KendallTau(n=n, s=s, d=den, tau=tau_, var_s=var_s, sd_s=sd_s, z=z, p=p)


TAU_U_ROWS: tuple[str, ...] = (
    "A vs. B",
    "Trend A",
    "Trend B",
    "A vs. B - Trend A",
    "A vs. B + Trend B",
    "A vs. B + Trend B - Trend A",
)
TauUMethod = Literal["complete", "parker", "tarlow"]


def _row_name(variant: str) -> str:
    # accept "A vs B - trend A" as well as scan's "A vs. B - Trend A"
    key = variant.replace("vs.", "vs").replace("vs", "vs.").replace("trend", "Trend")
    key = " ".join(key.split())
    if key not in TAU_U_ROWS:
        raise ValueError(f"unknown Tau-U variant {variant!r}; choose one of {TAU_U_ROWS}")
    return key


def _fisher_ci(tau_: float, n: int, z: float, ci_method: str) -> tuple[float, float]:
    # Long & Cliff (1997): tanh(atanh(τ) ± z·se_z), se_z = 1/√(n−3) ("z") or √(.437/(n−4)) ("tau").
    # scan's vectorised back-transform gives NaN for τ = 1 and [−1, −1] for τ = −1; we keep that.
    if ci_method == "z":
        se_z = _div(1.0, math.sqrt(n - 3)) if n > 3 else math.nan
    else:
        se_z = math.sqrt(0.437 / (n - 4)) if n > 4 else math.nan
    if math.isnan(tau_) or abs(tau_) > 1 or math.isnan(se_z):
        return math.nan, math.nan
    if tau_ == 1:
        return math.nan, math.nan
    if tau_ == -1:
        return -1.0, -1.0
    tz = math.atanh(tau_)
    return math.tanh(tz - z * se_z), math.tanh(tz + z * se_z)


def tau_u_table(
    a: Values,
    b: Values,
    *,
    improvement: Improvement,
    method: TauUMethod = "complete",
    tau_method: Literal["a", "b"] = "b",
    confidence: float = 0.95,
    ci_method: Literal["z", "tau"] = "z",
    continuity_correction: bool = False,
) -> dict[str, EffectSize]:
    """All six rows of ``scan::tau_u`` (Parker et al. 2011; sced.md §2.3), keyed by scan's names.

    scan has no direction argument; as in the oracle, the data are oriented first (sced.md P10).
    Each row's ``details`` copies scan's columns (pairs, pos, neg, ties, S, D, SD_S, VAR_S, Z, p,
    n); ``se`` is scan's SE_Tau = Tau/Z and the CI is the Fisher-z interval.
    """
    check_improvement(improvement)
    opts: dict[str, object] = {
        "method": method,
        "tau_method": tau_method,
        "ci_method": ci_method,
        "confidence": confidence,
        "continuity_correction": continuity_correction,
    }
    if method == "parker":
        tau_method, continuity_correction = "a", False
    elif method == "tarlow":
        tau_method, continuity_correction = "a", True
    if reason := pair_problems(a, b, min_a=2, min_b=2):
        return {row: undefined(f"Tau-U ({row})", reason, improvement, **opts) for row in TAU_U_ROWS}
    A, B = orient(a, improvement), orient(b, improvement)
    m, n = len(A), len(B)
    N = m + n
    AB = np.concatenate([A, B])

    aa_pos, aa_neg, aa_tie = _later_minus_earlier(A)
    bb_pos, bb_neg, bb_tie = _later_minus_earlier(B)
    above, below, tied = _pair_counts(A, B)
    ab_pos, ab_neg, ab_tie = int(above.sum()), int(below.sum()), int(tied.sum())

    # scan runs tau-b for every method except "complete" with tau_method "a" (R/tau_u.R)
    k_method: Literal["a", "b"] = "a" if (method == "complete" and tau_method == "a") else "b"
    time_vectors = [
        (AB, np.r_[np.zeros(m), np.ones(n)]),
        (A, np.arange(1, m + 1, dtype=float)),
        (B, np.arange(1, n + 1, dtype=float)),
        (AB, np.r_[np.arange(m, 0, -1), np.full(n, m + 1)].astype(float)),
        (AB, np.r_[np.zeros(m), np.arange(m + 1, N + 1)].astype(float)),
        (AB, np.r_[np.arange(m, 0, -1), np.arange(m + 1, N + 1)].astype(float)),
    ]
    ks = [
        kendall_tau(x, y, tau_method=k_method, continuity_correction=continuity_correction)
        for x, y in time_vectors
    ]
    pab, paa, pbb = m * n, m * (m - 1) / 2, n * (n - 1) / 2
    pairs = [pab, paa, pbb, pab + paa, pab + pbb, pab + paa + pbb]
    if method == "parker":
        pairs[3] = pab
        pairs[5] = N * (N - 1) / 2
    pos = [ab_pos, aa_pos, bb_pos, ab_pos + aa_neg, ab_pos + bb_pos, ab_pos + bb_pos + aa_neg]
    neg = [ab_neg, aa_neg, bb_neg, ab_neg + aa_pos, ab_neg + bb_neg, ab_neg + bb_neg + aa_pos]
    ties = [ab_tie, aa_tie, bb_tie, ab_tie + aa_tie, ab_tie + bb_tie, ab_tie + bb_tie + aa_tie]
    if method == "complete" and tau_method == "b":
        dens = [k.d for k in ks]
        dens[0] = pairs[0] - ties[0] / 2
    else:
        dens = list(pairs)
    if method == "tarlow":
        sd_s = [k.sd_s for k in ks]
    else:
        # rows 1–3 report null SDs that scan does not use for Z (sced.md §2.3)
        sd_trend = (
            kendall_tau(np.arange(1.0, k + 1), np.arange(1.0, k + 1), tau_method=tau_method).sd_s
            for k in (m, n)
        )
        sd_s = [2 * math.sqrt(m * n * (N + 1) / 12), *sd_trend, ks[3].sd_s, ks[4].sd_s, ks[5].sd_s]
    zc = z_crit(confidence)
    out: dict[str, EffectSize] = {}
    for i, row in enumerate(TAU_U_ROWS):
        k = ks[i]
        est = _div(k.s, dens[i])
        lo, hi = _fisher_ci(est, k.n, zc, ci_method)
        se = _div(est, k.z) if not math.isnan(est) else math.nan
        details = {
            "pairs": pairs[i],
            "pos": pos[i],
            "neg": neg[i],
            "ties": ties[i],
            "S": k.s,
            "D": dens[i],
            "SD_S": sd_s[i],
            "VAR_S": sd_s[i] ** 2,
            "Z": k.z,
            "p": k.p,
            "n": k.n,
        }
        reason = None
        if not math.isfinite(est):
            reason = (
                f"Tau-U ({row}) is not defined: a phase has no variation (zero variance in the "
                "ranks), so the tau-b denominator is 0"
            )
        out[row] = make_effect(
            f"Tau-U ({row})",
            est,
            improvement=improvement,
            se=se,
            ci=(lo, hi),
            options={**opts, "variant": row},
            details=details,
            reason=reason,
        )
    return out


def tau_u(
    a: Values,
    b: Values,
    *,
    improvement: Improvement,
    variant: str = "A vs. B - Trend A",
    method: TauUMethod = "complete",
    tau_method: Literal["a", "b"] = "b",
    confidence: float = 0.95,
    ci_method: Literal["z", "tau"] = "z",
) -> EffectSize:
    """One Tau-U row (``variant``) of ``scan::tau_u``; default = scan's default method."""
    table = tau_u_table(
        a,
        b,
        improvement=improvement,
        method=method,
        tau_method=tau_method,
        confidence=confidence,
        ci_method=ci_method,
    )
    return table[_row_name(variant)]


def tau_u_singlecasees(a: Values, b: Values, *, improvement: Improvement) -> EffectSize:
    """``SingleCaseES::Tau_U`` = (S_AB − S_A)/(m·n): Parker's "A vs B − trend A" with the m·n
    denominator (sced.md §2.3). Not bounded by ±1 (Tarlow 2017, sced.md §5 P7); no SE or CI.
    """
    check_improvement(improvement)
    opts = {"variant": "A vs. B - Trend A", "denominator": "m*n (Parker 2011, SingleCaseES)"}
    if reason := pair_problems(a, b):
        return undefined("Tau-U (SingleCaseES)", reason, improvement, **opts)
    A, B = orient(a, improvement), orient(b, improvement)
    above, below, _tied = _pair_counts(A, B)
    s_ab = float(above.sum() - below.sum())
    a_pos, a_neg, _a_tie = _later_minus_earlier(A)
    s_a = float(a_pos - a_neg)
    est = (s_ab - s_a) / (len(A) * len(B))
    return make_effect(
        "Tau-U (SingleCaseES)",
        est,
        improvement=improvement,
        options=opts,
        details={"S_AB": s_ab, "S_A": s_a},
    )


def tau_u_meta(
    rows: Sequence[EffectSize],
    *,
    confidence: float = 0.95,
    weight_method: Literal["z", "tau"] = "z",
) -> EffectSize:
    """Fixed-effect Fisher-z combination of one Tau-U row over cases (scan ``.meta_tau_u``).

    z_i = atanh(Tau_i), w_i = n_i − 3 (or (n_i − 4)/0.437); sced.md §2.3.  A case with Tau = ±1
    makes the pooled value ±1; any |Tau| > 1 (method "parker") makes it undefined.
    """
    name = rows[0].name if rows else "Tau-U"
    improvement = rows[0].improvement if rows else "increase"
    taus, ns = [], []
    for r in rows:
        if r.estimate is None:
            return undefined(name, "a case has no Tau-U value", improvement)
        taus.append(r.estimate)
        ns.append(int(r.details["n"]))  # type: ignore[call-overload]
    t = np.asarray(taus)
    n = np.asarray(ns, dtype=float)
    if np.any(np.abs(t) > 1):
        return undefined(name, "a case has |Tau| > 1, so its Fisher z is undefined", improvement)
    se_z = 1 / np.sqrt(n - 3) if weight_method == "z" else np.sqrt(0.437 / (n - 4))
    w = 1 / se_z**2
    with np.errstate(divide="ignore", invalid="ignore"):
        tz = np.arctanh(t)
        te = float(np.sum(tz * w) / np.sum(w))
    se = math.sqrt(1 / float(np.sum(w)))
    zc = z_crit(confidence)
    est = math.tanh(te)
    details = {"z": te / se, "p": 2 * float(stats.norm.sf(abs(te / se))), "se_z": se, "k": len(t)}
    return EffectSize(
        name=name,
        estimate=est,
        se=se,
        ci_lower=math.tanh(te - zc * se),
        ci_upper=math.tanh(te + zc * se),
        improvement=improvement,
        options={"weight_method": weight_method, "confidence": confidence, **rows[0].options},
        details=details,
    )


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
