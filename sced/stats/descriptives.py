"""Per-phase descriptives and the between-phase aids of visual analysis.

Session numbering: global 1..N over the whole series (scan's default measurement times, and the
convention of the ``visual_aids`` oracle blocks); every line's intercept is its value at
session 0.  ``scan::trend`` restarts time at 0 in each phase: use ``Line.at`` to convert.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

import numpy as np

from .nonoverlap import Line, Values, theil_sen
from .phases import Improvement, Phase, orient

if TYPE_CHECKING:
    from collections.abc import Sequence


def ols_line(y: Values, sessions: Values) -> Line:
    """Ordinary least-squares line of y on session number (scan ``describe`` trend)."""
    yv, t = np.asarray(y, dtype=float), np.asarray(sessions, dtype=float)
    if len(yv) < 2:
        return Line(float(yv[0]) if len(yv) else math.nan, math.nan)
    tc = t - t.mean()
    slope = float(np.sum(tc * (yv - yv.mean())) / np.sum(tc**2))
    return Line(float(yv.mean() - slope * t.mean()), slope)


def _line_through(p1: tuple[float, float], p2: tuple[float, float]) -> Line:
    (t1, y1), (t2, y2) = p1, p2
    if t2 == t1:
        return Line(math.nan, math.nan)
    slope = (y2 - y1) / (t2 - t1)
    return Line(y1 - slope * t1, slope)


def split_middle_line(y: Values, sessions: Values) -> Line:
    """Split-middle line as scan's ``bisplit`` (sced.md §3; Koenig's split-middle).

    Halves are points 1..⌊m/2⌋ and ⌈m/2 + 1⌉..m (the middle point is dropped for odd m); the
    line passes through (median t, median y) of each half and, unlike White & Haring's classic
    version, is not shifted to split the points 50/50.
    """
    yv, t = np.asarray(y, dtype=float), np.asarray(sessions, dtype=float)
    m = len(yv)
    if m < 2:
        return Line(math.nan, math.nan)
    first = slice(0, m // 2)
    second = slice(math.ceil(m / 2 + 1) - 1, m)
    return _line_through(
        (float(np.median(t[first])), float(np.median(yv[first]))),
        (float(np.median(t[second])), float(np.median(yv[second]))),
    )


def tri_split_line(y: Values, sessions: Values) -> Line:
    """Tukey tri-split as scan's ``trisplit``: points 1..⌊m/3⌋ and ⌈2m/3 + 1⌉..m."""
    yv, t = np.asarray(y, dtype=float), np.asarray(sessions, dtype=float)
    m = len(yv)
    if m < 3:
        return Line(math.nan, math.nan)
    first = slice(0, m // 3)
    second = slice(math.ceil(m / 3 * 2 + 1) - 1, m)
    return _line_through(
        (float(np.median(t[first])), float(np.median(yv[first]))),
        (float(np.median(t[second])), float(np.median(yv[second]))),
    )


def trimmed_mean(y: Values, trim: float = 0.1) -> float:
    """R ``mean(x, trim)``: drop ⌊n·trim⌋ points at each end (scplot's default mean line)."""
    x = np.sort(np.asarray(y, dtype=float))
    k = math.floor(len(x) * trim)
    return float(x[k : len(x) - k].mean()) if len(x) > 2 * k else math.nan


def stability_envelope(y: Values, *, band: float = 0.25) -> float:
    """Share of points within ±band·|median| of the phase median.

    Lane & Gast (2014): a phase is "stable" if at least 80 % of its points lie within 25 % of
    its median (sced.md §3).  With a median of 0 the envelope has width 0, so the share is the
    share of zeros.
    """
    x = np.asarray(y, dtype=float)
    if len(x) == 0:
        return math.nan
    med = float(np.median(x))
    # small absolute slack so that points exactly on the edge count as inside
    return float(np.mean(np.abs(x - med) <= band * abs(med) + 1e-12))


@dataclass(frozen=True)
class PhaseDescriptives:
    """What scan::describe and the visual-analysis oracle report per phase (sced.md §3)."""

    label: str
    n: int
    first_session: int
    mean: float | None
    median: float | None
    sd: float | None
    mad: float | None
    min: float | None
    max: float | None
    range: float | None
    trimmed_mean_10: float | None
    cv: float | None
    ols: Line | None
    split_middle: Line | None
    tri_split: Line | None
    theil_sen: Line | None
    stability_within_20pct: float | None
    stability_within_25pct: float | None
    stable: bool | None
    not_defined_reason: str | None = None

    def to_dict(self) -> dict[str, object]:
        out = asdict(self)
        for k, v in out.items():
            if isinstance(v, float) and not math.isfinite(v):
                out[k] = None
            if isinstance(v, dict):
                out[k] = {kk: (vv if math.isfinite(vv) else None) for kk, vv in v.items()}
        return out


def _f(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def _line(line: Line) -> Line | None:
    return line if math.isfinite(line.slope) and math.isfinite(line.intercept) else None


def describe_phase(
    phase: Phase, *, first_session: int = 1, stable_share: float = 0.8, stable_band: float = 0.25
) -> PhaseDescriptives:
    """n, mean, median, SD (n − 1), MAD (×1.4826, R ``mad``), min, max, range, 10 % trimmed mean,
    CV, the four trend lines on global sessions, and the stability envelope.

    ``stable`` applies Lane & Gast (2014): ≥ ``stable_share`` of points within ±``stable_band``
    of the median.  Lines need 2 points (tri-split 3); SD needs 2.
    """
    x = phase.array()
    n = len(x)
    if n == 0:
        fields = ["mean", "median", "sd", "mad", "min", "max", "range", "trimmed_mean_10", "cv"]
        fields += ["ols", "split_middle", "tri_split", "theil_sen", "stable"]
        fields += ["stability_within_20pct", "stability_within_25pct"]
        empty = dict.fromkeys(fields)
        return PhaseDescriptives(
            label=phase.label,
            n=0,
            first_session=first_session,
            not_defined_reason=f"phase {phase.label} has no observed values",
            **empty,
        )
    t = np.arange(first_session, first_session + n, dtype=float)
    mean = float(x.mean())
    med = float(np.median(x))
    sd = float(x.std(ddof=1)) if n > 1 else math.nan
    s25 = stability_envelope(x, band=stable_band)
    return PhaseDescriptives(
        label=phase.label,
        n=n,
        first_session=first_session,
        mean=mean,
        median=med,
        sd=_f(sd),
        mad=float(1.4826 * np.median(np.abs(x - med))),
        min=float(x.min()),
        max=float(x.max()),
        range=float(x.max() - x.min()),
        trimmed_mean_10=_f(trimmed_mean(x, 0.1)),
        cv=_f(sd / mean) if mean != 0 else None,
        ols=_line(ols_line(x, t)),
        split_middle=_line(split_middle_line(x, t)),
        tri_split=_line(tri_split_line(x, t)),
        theil_sen=_line(theil_sen(x, t)),
        stability_within_20pct=stability_envelope(x, band=0.20),
        stability_within_25pct=stability_envelope(x, band=0.25),
        stable=bool(s25 >= stable_share),
        not_defined_reason="one point: no SD or trend" if n == 1 else None,
    )


def immediacy(a: Values, b: Values, *, k: int = 3, stat: str = "mean") -> float | None:
    """Immediacy of effect: (mean or median of the first k B points) − (that of the last k A).

    WWC (2020) / Kratochwill et al. (2010) use the last and first 3–5 points (sced.md §3).
    """
    av, bv = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if len(av) == 0 or len(bv) == 0:
        return None
    f = np.mean if stat == "mean" else np.median
    return float(f(bv[:k]) - f(av[-k:]))


def compare_adjacent(
    a: Values, b: Values, *, improvement: Improvement, a_start: int = 1, k: int = 3
) -> dict[str, float | None]:
    """Between-phase visual aids (the oracle's ``A_vs_B`` block, sced.md §3)."""
    av, bv = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if len(av) == 0 or len(bv) == 0:
        return {}
    m = len(av)
    tb = np.arange(a_start + m, a_start + m + len(bv), dtype=float)
    base = ols_line(av, np.arange(a_start, a_start + m, dtype=float))
    proj = base.at(tb) if m > 1 else np.full(len(bv), math.nan)
    ao, bo, po = orient(av, improvement), orient(bv, improvement), orient(proj, improvement)
    return {
        "mean_diff_B_minus_A": float(bv.mean() - av.mean()),
        "median_diff_B_minus_A": float(np.median(bv) - np.median(av)),
        f"immediacy_mean_first{k}B_minus_last{k}A": immediacy(av, bv, k=k, stat="mean"),
        f"immediacy_median_first{k}B_minus_last{k}A": immediacy(av, bv, k=k, stat="median"),
        "absolute_level_change_firstB_minus_lastA": float(bv[0] - av[-1]),
        "mean_B_minus_projected_OLS_baseline": _f(float(np.mean(bv - proj))),
        "prop_B_beyond_projected_OLS_baseline_in_improvement_direction": (
            float(np.mean(bo > po)) if m > 1 else None
        ),
        "prop_B_beyond_A_range_in_improvement_direction": float(np.mean(bo > ao.max())),
        "prop_B_beyond_A_median_in_improvement_direction_strict": float(
            np.mean(bo > np.median(ao))
        ),
    }


def like_phase_consistency(phases: Sequence[Phase]) -> dict[str, dict[str, object]]:
    """Consistency of data patterns across like phases (A1 vs A2, B1 vs B2; WWC 2020).

    Per phase kind: the phase means and medians, the largest difference between like-phase means,
    and the share of points of later like phases inside the range of the first one (overlap).
    """
    out: dict[str, dict[str, object]] = {}
    for kind in ("A", "B"):
        like = [p for p in phases if p.kind == kind and p.n > 0]
        if len(like) < 2:
            continue
        means = [float(np.mean(p.values)) for p in like]
        first = like[0].array()
        later = np.concatenate([p.array() for p in like[1:]])
        out[kind] = {
            "phases": [p.label for p in like],
            "means": means,
            "medians": [float(np.median(p.values)) for p in like],
            "max_mean_difference": float(max(means) - min(means)),
            "share_of_later_points_within_first_range": float(
                np.mean((later >= first.min()) & (later <= first.max()))
            ),
        }
    return out
