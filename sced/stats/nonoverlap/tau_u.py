"""Kendall's S / tau (scan's kendall_tau) and the Tau-U family (sced.md §2.3)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
from scipy import stats

from ..phases import Improvement, check_improvement, orient, pair_problems
from .base import EffectSize, Values, make_effect, undefined, z_crit
from .nap import _BLOCK, _pair_counts

if TYPE_CHECKING:
    from collections.abc import Sequence

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


def _den_and_sd(
    i: int,
    k: KendallTau,
    method: str,
    tau_method: str,
    ab_den_b: float,
    pairs: float,
    m: int,
    n: int,
) -> tuple[float, float]:
    """Row ``i``'s denominator D and SD of S, as scan computes them (R/tau_u.R)."""
    tau_b_dens = method == "complete" and tau_method == "b"
    den = (ab_den_b if i == 0 else k.d) if tau_b_dens else pairs
    if method == "tarlow" or i >= 3:
        return den, k.sd_s
    if i == 0:
        return den, 2 * math.sqrt(m * n * (m + n + 1) / 12)
    # rows 2 and 3 report null SDs that scan does not use for Z (sced.md §2.3)
    t = m if i == 1 else n
    trend = np.arange(1.0, t + 1)
    return den, kendall_tau(trend, trend, tau_method="a" if tau_method == "a" else "b").sd_s


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
    rows: Sequence[str] = TAU_U_ROWS,
) -> dict[str, EffectSize]:
    """All six rows of ``scan::tau_u`` (Parker et al. 2011; sced.md §2.3), keyed by scan's names.

    ``rows`` limits the table to the rows asked for (scan's names): only their Kendall tests are
    computed (issue #16: ``tau_u`` needs one row and the six tests were half its time).

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
        return {row: undefined(f"Tau-U ({row})", reason, improvement, **opts) for row in rows}
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
    wanted = {TAU_U_ROWS.index(row) for row in rows}
    ks: list[KendallTau | None] = [
        kendall_tau(x, y, tau_method=k_method, continuity_correction=continuity_correction)
        if i in wanted
        else None
        for i, (x, y) in enumerate(time_vectors)
    ]
    pab, paa, pbb = m * n, m * (m - 1) / 2, n * (n - 1) / 2
    pairs = [pab, paa, pbb, pab + paa, pab + pbb, pab + paa + pbb]
    if method == "parker":
        pairs[3] = pab
        pairs[5] = N * (N - 1) / 2
    pos = [ab_pos, aa_pos, bb_pos, ab_pos + aa_neg, ab_pos + bb_pos, ab_pos + bb_pos + aa_neg]
    neg = [ab_neg, aa_neg, bb_neg, ab_neg + aa_pos, ab_neg + bb_neg, ab_neg + bb_neg + aa_pos]
    ties = [ab_tie, aa_tie, bb_tie, ab_tie + aa_tie, ab_tie + bb_tie, ab_tie + bb_tie + aa_tie]
    zc = z_crit(confidence)
    out: dict[str, EffectSize] = {}
    for i, row in enumerate(TAU_U_ROWS):
        k = ks[i]
        if k is None:
            continue
        den, sd = _den_and_sd(i, k, method, tau_method, pairs[0] - ties[0] / 2, pairs[i], m, n)
        est = _div(k.s, den)
        lo, hi = _fisher_ci(est, k.n, zc, ci_method)
        se = _div(est, k.z) if not math.isnan(est) else math.nan
        details = {
            "pairs": pairs[i],
            "pos": pos[i],
            "neg": neg[i],
            "ties": ties[i],
            "S": k.s,
            "D": den,
            "SD_S": sd,
            "VAR_S": sd**2,
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
    row = _row_name(variant)
    table = tau_u_table(
        a,
        b,
        improvement=improvement,
        method=method,
        tau_method=tau_method,
        confidence=confidence,
        ci_method=ci_method,
        rows=(row,),
    )
    return table[row]


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
