"""Parametric effect sizes for one A/B comparison: within-case SMD, LRRi/LRRd, LOR, LRM, PoGO.

Definitions follow SingleCaseES 0.7.4 ``R/parametric-measures.R`` (shared/reference/sced.md
§2.9–§2.10).  Unlike the non-overlap indices, these flip the sign of the result for the
improvement direction instead of orienting the data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
from scipy import stats

from .nonoverlap import EffectSize, Values, make_effect, undefined, z_crit
from .phases import Improvement, check_improvement, pair_problems

if TYPE_CHECKING:
    from collections.abc import Sequence

Scale = Literal["count", "rate", "proportion", "percentage", "other"]


@dataclass(frozen=True)
class PhaseSummary:
    """n, mean and sample variance (n − 1) of one phase; variance is NaN for one point (as R)."""

    n: int
    mean: float
    var: float

    @classmethod
    def of(cls, values: Values) -> PhaseSummary:
        x = np.asarray(values, dtype=float)
        n = len(x)
        mean = float(x.mean()) if n else math.nan
        var = float(x.var(ddof=1)) if n > 1 else math.nan
        return cls(n, mean, var)


def smd(
    a: Values,
    b: Values,
    *,
    improvement: Improvement,
    std_dev: Literal["baseline", "pool"] = "baseline",
    bias_correct: bool = True,
    confidence: float = 0.95,
) -> EffectSize:
    """Within-case standardised mean difference as ``SingleCaseES::SMD`` (sced.md §2.9).

    baseline: s² = var(A), df = m − 1, SV1 = 1/m + var(B)/(n·var(A)).
    pool: s² = pooled variance, df = m + n − 2, SV1 = 1/m + 1/n.
    Hedges (1981) J = 1 − 3/(4·df − 1); d = J·(M_B − M_A)/s (negated for decrease);
    SE = J·√(SV1 + d²/(2·df)); Wald CI.
    """
    check_improvement(improvement)
    opts = {"std_dev": std_dev, "bias_correct": bias_correct, "confidence": confidence}
    name = "SMD"
    min_a = 2 if std_dev == "baseline" else 1
    if reason := pair_problems(a, b, min_a=min_a):
        return undefined(name, reason, improvement, **opts)
    sa, sb = PhaseSummary.of(a), PhaseSummary.of(b)
    if std_dev == "baseline":
        df = sa.n - 1
        s_sq = sa.var
        sv1 = 1 / sa.n + (sb.var / (sb.n * sa.var) if sa.var > 0 else math.inf)
    else:
        df = sa.n + sb.n - 2
        if df < 1:
            return undefined(name, "pooled SD needs at least 3 points in total", improvement)
        s_sq = float(np.nansum([(sa.n - 1) * sa.var, (sb.n - 1) * sb.var])) / df
        sv1 = 1 / sa.n + 1 / sb.n
    sd_key = "baseline_SD" if std_dev == "baseline" else "pooled_SD"
    if math.isnan(s_sq) or s_sq == 0:
        # SingleCaseES warns "There is no variation in the outcome!" and returns ±Inf/NaN
        return undefined(
            name,
            "there is no variation in the outcome (SD = 0), so the SMD is not estimable",
            improvement,
            **opts,
        )
    if std_dev == "baseline" and math.isnan(sb.var):
        sv1 = math.nan
    j = 1 - 3 / (4 * df - 1) if bias_correct else 1.0
    d = j * (sb.mean - sa.mean) / math.sqrt(s_sq)
    if improvement == "decrease":
        d = -d
    se = j * math.sqrt(sv1 + d**2 / (2 * df))
    z = z_crit(confidence)
    return make_effect(
        name,
        d,
        improvement=improvement,
        se=se,
        ci=(d - z * se, d + z * se),
        options=opts,
        details={sd_key: math.sqrt(s_sq), "J": j, "df": df},
    )


def truncation_constant(
    scale: Scale,
    *,
    observation_length: float | None = None,
    intervals: float | None = None,
) -> float:
    """D of Pustejovsky (2018) by scale (SingleCaseES ``trunc_constant``; sced.md §2.10).

    count → 1; rate → observation length; proportion → intervals; percentage → intervals/100;
    other or missing information → ∞ (no truncation).
    """
    if scale == "count":
        return 1.0
    if scale == "rate":
        return float(observation_length) if observation_length else math.inf
    if scale == "proportion":
        return float(intervals) if intervals else math.inf
    if scale == "percentage":
        return float(intervals) / 100 if intervals else math.inf
    if scale == "other":
        return math.inf
    raise ValueError(f"unknown scale {scale!r}")


def pct_change(lrr: float | None) -> float | None:
    """Percent change 100·(e^LRR − 1) (SingleCaseES ``pct_change``)."""
    return None if lrr is None else 100 * math.expm1(lrr)


def lrr(
    a: Values,
    b: Values,
    *,
    improvement: Improvement,
    kind: Literal["LRRi", "LRRd"],
    scale: Scale = "count",
    observation_length: float | None = None,
    intervals: float | None = None,
    d_const: float | None = None,
    bias_correct: bool = True,
    confidence: float = 0.95,
) -> EffectSize:
    """Log response ratio (Pustejovsky 2015, 2018) as ``SingleCaseES::LRRi``/``LRRd``.

    Means are floored at 1/(2Dn) and variances at 1/(D²n³); ln M + V/(2nM²) with bias
    correction.  LRRi > 0 and LRRd < 0 mean improvement.  ``details`` carries the percent
    change of the estimate and of both CI limits.  Only meaningful on ratio scales (minutes,
    counts), not 0–10 ratings (sced.md §4).
    """
    check_improvement(improvement)
    opts: dict[str, object] = {
        "scale": scale,
        "bias_correct": bias_correct,
        "confidence": confidence,
        "observation_length": observation_length,
        "intervals": intervals,
    }
    if reason := pair_problems(a, b, min_a=2, min_b=2):
        return undefined(kind, reason + " (LRR needs a variance per phase)", improvement, **opts)
    av, bv = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if np.any(av < 0) or np.any(bv < 0):
        return undefined(kind, "LRR needs non-negative values (a ratio scale)", improvement, **opts)
    s = [PhaseSummary.of(av), PhaseSummary.of(bv)]
    n = np.array([x.n for x in s], dtype=float)
    M = np.array([x.mean for x in s])
    V = np.array([x.var for x in s])
    opposite = (kind == "LRRi" and improvement == "decrease") or (
        kind == "LRRd" and improvement == "increase"
    )
    if opposite and scale == "percentage":
        M = 100 - M
    if opposite and scale == "proportion":
        M = 1 - M
    D = (
        d_const
        if d_const is not None
        else truncation_constant(scale, observation_length=observation_length, intervals=intervals)
    )
    opts["D"] = D
    if D > 0 and math.isfinite(D):
        # truncation of zero means/variances (Pustejovsky 2018; sced.md §2.10 step 3)
        M = np.maximum(1 / (2 * D * n), M)
        V = np.maximum(1 / (D**2 * n**3), V)
    if np.any(M <= 0):
        return undefined(
            kind,
            "a phase mean is 0 and the scale gives no truncation constant, so the log ratio is "
            "infinite (choose scale='count' or give D)",
            improvement,
            **opts,
        )
    r = np.log(M) + (V / (2 * n * M**2) if bias_correct else 0.0)
    est = float(r[1] - r[0])
    flip = (kind == "LRRi" and improvement == "decrease") or (
        kind == "LRRd" and improvement == "increase"
    )
    if flip and scale not in ("percentage", "proportion"):
        est = -est
    se = float(np.sqrt(np.sum(V / (n * M**2))))
    z = z_crit(confidence)
    lo, hi = est - z * se, est + z * se
    details = {
        "pct_change": pct_change(est),
        "pct_change_ci_lower": pct_change(lo),
        "pct_change_ci_upper": pct_change(hi),
    }
    return make_effect(
        kind, est, improvement=improvement, se=se, ci=(lo, hi), options=opts, details=details
    )


def lrri(a: Values, b: Values, *, improvement: Improvement, **kwargs: object) -> EffectSize:
    return lrr(a, b, improvement=improvement, kind="LRRi", **kwargs)  # type: ignore[arg-type]


def lrrd(a: Values, b: Values, *, improvement: Improvement, **kwargs: object) -> EffectSize:
    return lrr(a, b, improvement=improvement, kind="LRRd", **kwargs)  # type: ignore[arg-type]


def lor(
    a: Values,
    b: Values,
    *,
    improvement: Improvement,
    scale: Literal["percentage", "proportion"] = "percentage",
    intervals: float | None = None,
    d_const: float | None = None,
    bias_correct: bool = True,
    confidence: float = 0.95,
) -> EffectSize:
    """Log odds ratio for percentage/proportion outcomes (Pustejovsky 2015; SingleCaseES LOR)."""
    check_improvement(improvement)
    opts: dict[str, object] = {"scale": scale, "intervals": intervals, "bias_correct": bias_correct}
    if scale not in ("percentage", "proportion"):
        return undefined("LOR", "LOR needs a percentage or proportion scale", improvement, **opts)
    if reason := pair_problems(a, b, min_a=2, min_b=2):
        return undefined("LOR", reason, improvement, **opts)
    av, bv = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    top = 100.0 if scale == "percentage" else 1.0
    if np.any(np.r_[av, bv] < 0) or np.any(np.r_[av, bv] > top):
        return undefined("LOR", f"values must lie between 0 and {top:g}", improvement, **opts)
    D = d_const if d_const is not None else truncation_constant(scale, intervals=intervals)
    if scale == "percentage":
        av, bv, D = av / 100, bv / 100, 100 * D
    s = [PhaseSummary.of(av), PhaseSummary.of(bv)]
    n = np.array([x.n for x in s], dtype=float)
    M = np.array([x.mean for x in s])
    V = np.array([x.var for x in s])
    if D > 0 and math.isfinite(D):
        lo_t = 1 / (2 * D * n)
        M = np.minimum(1 - lo_t, np.maximum(lo_t, M))
        V = np.maximum(1 / (D**2 * n**3), V)
    if np.any(M <= 0) or np.any(M >= 1):
        return undefined("LOR", "a phase mean is 0 or 100 % without truncation", improvement)
    logit = np.log(M) - np.log(1 - M)
    if bias_correct:
        logit = logit - (2 * M - 1) * V / (2 * n * M**2 * (1 - M) ** 2)
    est = float(logit[1] - logit[0])
    if improvement == "decrease":
        est = -est
    se = float(np.sqrt(np.sum(V / (n * M**2 * (1 - M) ** 2))))
    z = z_crit(confidence)
    return make_effect(
        "LOR", est, improvement=improvement, se=se, ci=(est - z * se, est + z * se), options=opts
    )


def _log_median_stats(x: np.ndarray) -> tuple[float, float]:
    # Bonett & Price (2020) order-statistic CI for the median turned into a variance of ln(median)
    n = len(x)
    o1 = max(int(_r_round(n / 2 - math.sqrt(n))), 1)
    o2 = n - o1 + 1
    z0 = float(stats.norm.ppf(1 - stats.binom.cdf(o1 - 1, n, 0.5)))
    y = np.sort(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        var = float(((np.log(y[o2 - 1]) - np.log(y[o1 - 1])) / (2 * z0)) ** 2)
    med = float(np.median(x))
    return (math.log(med) if med > 0 else -math.inf), var


def _r_round(x: float) -> float:
    # R's round() rounds half to even, like Python's round()
    return float(round(x))


def lrm(a: Values, b: Values, *, improvement: Improvement, confidence: float = 0.95) -> EffectSize:
    """Log ratio of medians (Bonett & Price 2020) as ``SingleCaseES::LRM(delta_method=FALSE)``."""
    check_improvement(improvement)
    opts = {"delta_method": False, "confidence": confidence}
    if reason := pair_problems(a, b, min_a=2, min_b=2):
        return undefined("LRM", reason, improvement, **opts)
    av, bv = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if np.median(av) <= 0 or np.median(bv) <= 0 or np.any(av < 0) or np.any(bv < 0):
        return undefined(
            "LRM",
            "a phase median is 0 (or values are negative), so ln(median) is undefined",
            improvement,
            **opts,
        )
    la, va = _log_median_stats(av)
    lb, vb = _log_median_stats(bv)
    est = lb - la
    if improvement == "decrease":
        est = -est
    se = math.sqrt(va + vb) if math.isfinite(va + vb) else None
    z = z_crit(confidence)
    ci = (est - z * se, est + z * se) if se is not None else None
    return make_effect("LRM", est, improvement=improvement, se=se, ci=ci, options=opts)


def pogo(
    a: Values, b: Values, *, goal: float, improvement: Improvement, confidence: float = 0.95
) -> EffectSize:
    """Percent of goal obtained (Ferron et al. 2020) as ``SingleCaseES::PoGO``.

    Direction comes from the goal; ``improvement`` is recorded but flips nothing.
    """
    check_improvement(improvement)
    opts = {"goal": goal, "confidence": confidence}
    if reason := pair_problems(a, b, min_a=2, min_b=2):
        return undefined("PoGO", reason, improvement, **opts)
    sa, sb = PhaseSummary.of(a), PhaseSummary.of(b)
    gap = goal - sa.mean
    if gap == 0:
        return undefined("PoGO", "the baseline mean already equals the goal", improvement, **opts)
    est = 100 * (sb.mean - sa.mean) / gap
    var = (sa.var / sa.n + sb.var / sb.n + (est / 100) ** 2 * sa.var / sa.n) / gap**2
    se = 100 * math.sqrt(var)
    z = z_crit(confidence)
    return make_effect(
        "PoGO", est, improvement=improvement, se=se, ci=(est - z * se, est + z * se), options=opts
    )


def aggregate(
    results: Sequence[EffectSize],
    *,
    weighting: Literal["equal", "1/V"] | Sequence[float] = "equal",
    confidence: float = 0.95,
) -> EffectSize:
    """Combine one index over phase pairs as ``batch_calc_ES(aggregate = …)`` (sced.md §2.11).

    Est = Σw·Est/Σw, SE = √(Σw²SE²)/Σw (pairs independent), Wald CI (not truncated).  Custom
    weights (e.g. nA·nB) may be passed as numbers.
    """
    name = results[0].name if results else "aggregate"
    improvement = results[0].improvement if results else "increase"
    if any(r.estimate is None for r in results) or not results:
        return undefined(name, "an effect size of a phase pair is undefined", improvement)
    est = np.array([r.estimate for r in results], dtype=float)
    ses = [r.se for r in results]
    has_se = all(s is not None for s in ses)
    if isinstance(weighting, str):
        if weighting == "equal":
            w = np.ones(len(results))
        else:
            if not has_se:
                return undefined(name, "1/V weights need an SE for every pair", improvement)
            w = 1 / np.array(ses, dtype=float) ** 2
        label: object = weighting
    else:
        w = np.asarray(weighting, dtype=float)
        label = "custom"
    total = float(np.sum(w))
    pooled = float(np.sum(w * est) / total)
    se = float(np.sqrt(np.sum(w**2 * np.array(ses, dtype=float) ** 2)) / total) if has_se else None
    z = z_crit(confidence)
    ci = (pooled - z * se, pooled + z * se) if se is not None else None
    return make_effect(
        name,
        pooled,
        improvement=improvement,
        se=se,
        ci=ci,
        options={**results[0].options, "weighting": label, "pairs": len(results)},
    )
