"""Lines for the plot (level and trend per phase) and the conservative dual criterion (CDC).

Sessions are global 1..N (scan's measurement times); a line's intercept is its value at
session 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from scipy import stats

from .descriptives import ols_line, split_middle_line, tri_split_line
from .nonoverlap import Line, Values, theil_sen
from .phases import Improvement, Phase, check_improvement, pair_problems

if TYPE_CHECKING:
    from collections.abc import Sequence

TrendMethod = Literal["ols", "split_middle", "tri_split", "theil_sen"]


@dataclass(frozen=True)
class Segment:
    """A line drawn over a phase: from ``start`` to ``end`` session (inclusive)."""

    phase: str
    kind: str
    start: int
    end: int
    line: Line

    def to_dict(self) -> dict[str, object]:
        return {
            "phase": self.phase,
            "kind": self.kind,
            "start": self.start,
            "end": self.end,
            "intercept": self.line.intercept,
            "slope": self.line.slope,
        }


def _starts(phases: Sequence[Phase]) -> list[int]:
    return [int(s) for s in np.cumsum([0] + [p.n for p in phases])[:-1] + 1]


_TREND = {
    "ols": ols_line,
    "split_middle": split_middle_line,
    "tri_split": tri_split_line,
    "theil_sen": theil_sen,
}


def level_lines(
    phases: Sequence[Phase], *, stat: Literal["mean", "median"] = "mean"
) -> list[Segment]:
    """Horizontal phase mean or median lines (scplot ``add_statline``)."""
    out = []
    for phase, start in zip(phases, _starts(phases), strict=True):
        if phase.n == 0:
            continue
        f = np.mean if stat == "mean" else np.median
        out.append(
            Segment(
                phase.label, stat, start, start + phase.n - 1, Line(float(f(phase.values)), 0.0)
            )
        )
    return out


def trend_lines(
    phases: Sequence[Phase],
    *,
    method: TrendMethod = "ols",
    sessions: Sequence[Values] | None = None,
) -> list[Segment]:
    """One trend line per phase on global sessions; phases too short for the method are skipped.

    ``sessions``: each phase's own session numbers, for a series with missed sessions (scan fits
    on its measurement times ``mt``, which keep the gaps); by default sessions are 1..N.
    """
    out = []
    for i, (phase, start) in enumerate(zip(phases, _starts(phases), strict=True)):
        if sessions is None:
            t = np.arange(start, start + phase.n, dtype=float)
        else:
            t = np.asarray(sessions[i], dtype=float)
        if phase.n < 2:
            continue
        line = _TREND[method](phase.values, t)
        if math.isfinite(line.slope):
            out.append(Segment(phase.label, method, int(t[0]), int(t[-1]), line))
    return out


@dataclass(frozen=True)
class CDCResult:
    """Conservative dual criterion (Fisher, Kelley & Lomas 2003) as ``scan::cdc``.

    ``mean_line`` and ``trend_line`` are the baseline mean and trend shifted by
    ``conservative``·sd(A) in the improvement direction; B points beyond both count.  scan
    decides with the one-sided binomial p (< .05), not the published criterion table.
    """

    trend_method: str
    conservative: float
    improvement: Improvement
    mean_line: Line | None
    trend_line: Line | None
    exceeding: int | None
    n_b: int | None
    binom_p: float | None
    decision: str | None
    not_defined_reason: str | None = None

    def to_dict(self) -> dict[str, object]:
        def ln(x: Line | None) -> dict[str, float] | None:
            return None if x is None else {"intercept": x.intercept, "slope": x.slope}

        return {
            "trend_method": self.trend_method,
            "conservative": self.conservative,
            "improvement": self.improvement,
            "mean_line": ln(self.mean_line),
            "trend_line": ln(self.trend_line),
            "exceeding": self.exceeding,
            "n_b": self.n_b,
            "binom_p": self.binom_p,
            "decision": self.decision,
            "not_defined_reason": self.not_defined_reason,
        }


def cdc_lines(
    a: Values,
    b: Values,
    *,
    improvement: Improvement,
    trend_method: Literal["OLS", "bisplit", "trisplit"] = "OLS",
    conservative: float = 0.25,
    a_start: int = 1,
    sessions: tuple[Values, Values] | None = None,
) -> CDCResult:
    """CDC lines and decision (Fisher, Kelley & Lomas 2003; ``scan::cdc``, sced.md §2.8).

    B points count if they lie beyond ŷ_trend ± c·sd(A) and mean(A) ± c·sd(A) (+ for increase).
    ``bisplit``/``trisplit`` need ≥ 5 points per phase, as in scan.
    """
    check_improvement(improvement)
    empty: dict[str, Any] = {"mean_line": None, "trend_line": None, "exceeding": None, "n_b": None}
    base: dict[str, Any] = {
        "trend_method": trend_method,
        "conservative": conservative,
        "improvement": improvement,
    }
    if reason := pair_problems(a, b, min_a=2):
        return CDCResult(**base, **empty, binom_p=None, decision=None, not_defined_reason=reason)
    av, bv = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    m, n = len(av), len(bv)
    if trend_method != "OLS" and (m < 5 or n < 5):
        reason = f"the {trend_method} trend needs at least five points per phase"
        return CDCResult(**base, **empty, binom_p=None, decision=None, not_defined_reason=reason)
    if sessions is None:
        ta = np.arange(a_start, a_start + m, dtype=float)
        tb = np.arange(a_start + m, a_start + m + n, dtype=float)
    else:  # the phases' own session numbers (a series with missed sessions)
        ta, tb = (np.asarray(t, dtype=float) for t in sessions)
    fit = {"OLS": ols_line, "bisplit": split_middle_line, "trisplit": tri_split_line}[trend_method]
    trend = fit(av, ta)
    shift = conservative * float(av.std(ddof=1))
    sign = 1.0 if improvement == "increase" else -1.0
    mean_line = Line(float(av.mean()) + sign * shift, 0.0)
    trend_line = Line(trend.intercept + sign * shift, trend.slope)
    if improvement == "increase":
        hits = (bv > trend_line.at(tb)) & (bv > mean_line.intercept)
    else:
        hits = (bv < trend_line.at(tb)) & (bv < mean_line.intercept)
    exceeding = int(np.sum(hits))
    # binom.test(exceeding, n, .5, alternative = "greater")
    p = float(stats.binom.sf(exceeding - 1, n, 0.5))
    return CDCResult(
        **base,
        mean_line=mean_line,
        trend_line=trend_line,
        exceeding=exceeding,
        n_b=n,
        binom_p=p,
        decision="systematic change" if p < 0.05 else "no change",
    )
