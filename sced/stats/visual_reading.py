"""The six features of visual analysis in numbers and words, for the results page.

Pure: no Django. Takes one measure's phases as (label, sessions, values) and returns, per phase
and per phase change, level, trend, variability, immediacy, overlap and consistency, each with
its numbers rounded to the measure's scale and a plain word, plus a short reading in the What
Works Clearinghouse order (Kratochwill et al. 2010; WWC 2020): level, trend, variability within
phases first, then immediacy, overlap and consistency across phases.

The numbers come from ``descriptives`` and ``visual`` (checked against scan, sced.md §3); the
word thresholds below are conventions of this page, each with its source.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .descriptives import compare_adjacent, ols_line, stability_envelope
from .phases import Improvement, check_improvement, normalise_labels
from .visual import cdc_lines

if TYPE_CHECKING:
    from collections.abc import Sequence

# A difference smaller than this share of the measure's scale is "about the same" (a judgement of
# this page, not a published rule: one point on a 0-10 rating). UNVERIFIED convention.
SAME_SHARE = 0.10
# Lane & Gast (2014): a phase is stable if at least 80 % of its points lie within 25 % of its
# median (sced.md §3).
ENVELOPE_BAND = 0.25
ENVELOPE_SHARE = 0.80
# Variability "changed" when one SD is more than 1.5 times the other. UNVERIFIED convention.
SD_RATIO = 1.5
# Overlap words from the PND bands of Scruggs & Mastropieri (1998): 90 % and more of the
# intervention points beyond the baseline range is very little overlap, 70 % little, 50 % some.
OVERLAP_BANDS = ((0.9, "very little overlap"), (0.7, "little overlap"), (0.5, "some overlap"))
# Conservative dual criterion (Fisher, Kelley & Lomas 2003), as scan::cdc: lines shifted by
# 0.25 SD of the baseline, decided by a one-sided binomial test at .05.
CDC_SHIFT = 0.25
IMMEDIACY_K = 3  # WWC 2020 / Kratochwill et al. 2010: the last and first 3-5 points


CHANGE_FEATURES = (
    ("Level", "level"),
    ("Trend", "trend"),
    ("Variability", "variability"),
    ("Immediacy", "immediacy"),
    ("Overlap", "overlap"),
    ("Conservative dual criterion", "cdc"),
)


@dataclass(frozen=True)
class Scale:
    """How the measure's numbers are written: its unit and how many decimals its range needs."""

    unit: str
    low: float
    high: float

    @property
    def span(self) -> float:
        return self.high - self.low

    @property
    def decimals(self) -> int:
        # "Round to the measure's unit": a 0-1 proportion needs 2 decimals, a 0-10 rating 1,
        # minutes or counts on a wide scale none.
        if self.span <= 2:
            return 2
        if self.span <= 20:
            return 1
        return 0

    def num(self, x: float) -> str:
        text = f"{x:.{self.decimals}f}"
        return "0" if float(text) == 0 else text

    @property
    def suffix(self) -> str:
        # "minutes" follows a number; a unit that only names the scale ("0-10") does not.
        return f" {self.unit}" if any(ch.isalpha() for ch in self.unit) else ""

    def amount(self, x: float) -> str:
        return f"{self.num(x)}{self.suffix}"

    def slope(self, x: float) -> str:
        # one decimal more than the values: a slope per session is small
        text = f"{x:+.{self.decimals + 1}f}"
        return "0" if float(text) == 0 else text


def _pct(share: float) -> str:
    return f"{round(100 * share)} %"


def _oriented(diff: float, improvement: Improvement) -> float:
    return diff if improvement == "increase" else -diff


def _direction_word(oriented: float, scale: Scale, better: str, worse: str, same: str) -> str:
    if abs(oriented) < SAME_SHARE * scale.span:
        return same
    return better if oriented > 0 else worse


def _phase_trend(values: np.ndarray, sessions: np.ndarray) -> float | None:
    if len(values) < 3:
        return None
    line = ols_line(values, sessions)
    return float(line.slope) if math.isfinite(line.slope) else None


def _describe(
    label: str, sessions: np.ndarray, values: np.ndarray, scale: Scale, improvement: Improvement
) -> dict[str, Any]:
    n = len(values)
    mean, median = float(values.mean()), float(np.median(values))
    slope = _phase_trend(values, sessions)
    if slope is None:
        trend = "too few points for a trend (three needed)"
    else:
        moved = _oriented(slope * (n - 1), improvement)
        word = _direction_word(moved, scale, "improving", "worsening", "flat")
        trend = f"{word} (straight-line slope {scale.slope(slope)} per session)"
    share = stability_envelope(values, band=ENVELOPE_BAND)
    sd = float(values.std(ddof=1)) if n > 1 else None
    stable = share >= ENVELOPE_SHARE
    variability = (
        f"{'stable' if stable else 'variable'}: {_pct(share)} of points within ±25 % of the "
        f"phase median; values {scale.num(float(values.min()))} to "
        f"{scale.num(float(values.max()))}" + (f", SD {scale.num(sd)}" if sd is not None else "")
    )
    return {
        "label": label,
        "n": n,
        "level": f"mean {scale.amount(mean)}, median {scale.amount(median)}",
        "trend": trend,
        "slope": slope,
        "variability": variability,
        "stable": stable,
        "mean": mean,
        "sd": sd,
    }


def _change(
    a: dict[str, Any],
    b: dict[str, Any],
    av: np.ndarray,
    bv: np.ndarray,
    a_sessions: np.ndarray,
    b_sessions: np.ndarray,
    scale: Scale,
    improvement: Improvement,
    k: int,
) -> dict[str, Any]:
    withdrawal = a["label"][:1] == "B" and b["label"][:1] == "A"
    aids = compare_adjacent(
        av, bv, improvement=improvement, a_start=int(a_sessions[0]) if len(a_sessions) else 1, k=k
    )
    level_diff = float(bv.mean() - av.mean())
    level_word = _direction_word(
        _oriented(level_diff, improvement), scale, "better", "worse", "about the same"
    )
    if a["slope"] is None or b["slope"] is None:
        trend = "too few points to compare trends"
    else:
        trend = (
            f"slope {scale.slope(a['slope'])} per session before, {scale.slope(b['slope'])} after"
        )
    if a["sd"] is None or b["sd"] is None:
        variability = "too few points to compare variability"
    elif b["sd"] > SD_RATIO * a["sd"]:
        variability = f"more variable (SD {scale.num(a['sd'])} before, {scale.num(b['sd'])} after)"
    elif a["sd"] > SD_RATIO * b["sd"]:
        variability = f"less variable (SD {scale.num(a['sd'])} before, {scale.num(b['sd'])} after)"
    else:
        variability = f"similar (SD {scale.num(a['sd'])} before, {scale.num(b['sd'])} after)"
    imm = aids.get(f"immediacy_mean_first{k}B_minus_last{k}A")
    imm_oriented = _oriented(float(imm), improvement) if imm is not None else 0.0
    imm_word = _direction_word(
        imm_oriented,
        scale,
        "an immediate improvement",
        "an immediate worsening",
        "no immediate change",
    )
    immediacy = (
        f"{imm_word}: mean of the first {k} points minus mean of the last {k} before the change "
        f"is {scale.num(float(imm or 0.0))}"
    )
    row: dict[str, Any] = {
        "title": f"{a['label']} to {b['label']}",
        "withdrawal": withdrawal,
        "level": f"{level_word} (mean change {scale.amount(level_diff)})",
        "level_oriented": _oriented(level_diff, improvement),
        "trend": trend,
        "variability": variability,
        "immediacy": immediacy,
        "immediacy_oriented": imm_oriented,
    }
    if not withdrawal:
        beyond = float(aids["prop_B_beyond_A_range_in_improvement_direction"] or 0.0)
        word = next((w for cut, w in OVERLAP_BANDS if beyond >= cut), "much overlap")
        row["overlap"] = (
            f"{word}: {_pct(beyond)} of the {len(bv)} points after the change lie beyond the "
            f"best value before it"
        )
        row["overlap_share"] = beyond
        cdc = cdc_lines(
            av,
            bv,
            improvement=improvement,
            conservative=CDC_SHIFT,
            sessions=(a_sessions, b_sessions),
        )
        if cdc.exceeding is None:
            row["cdc"] = f"not drawn: {cdc.not_defined_reason}"
        else:
            verdict = (
                "a systematic change"
                if cdc.decision == "systematic change"
                else "no systematic change"
            )
            row["cdc"] = (
                f"{verdict}: {cdc.exceeding} of {cdc.n_b} points beyond both lines "
                f"(one-sided binomial test, p {'<' if (cdc.binom_p or 1) < 0.05 else '≥'} 0.05)"
            )
    else:
        row["overlap"] = (
            "withdrawal: a return toward the baseline level is what shows the treatment's effect"
        )
    return row


def _consistency(phases: list[dict[str, Any]], scale: Scale) -> list[str]:
    """Like phases (A1 vs A2, B1 vs B2) at a similar level (WWC 2020)."""
    out = []
    for kind, name in (("A", "baseline"), ("B", "intervention")):
        like = [p for p in phases if p["label"][:1] == kind]
        if len(like) < 2:
            continue
        means = [p["mean"] for p in like]
        gap = max(means) - min(means)
        word = "consistent" if gap < SAME_SHARE * scale.span else "not consistent"
        listed = ", ".join(f"{p['label']} {scale.num(p['mean'])}" for p in like)
        out.append(
            f"The {name} phases are {word} with each other: means {listed} "
            f"(largest difference {scale.num(gap)})."
        )
    return out


def consistency_across_tiers(tiers: Sequence[tuple[str, float, float]]) -> list[str]:
    """Multiple baseline: did each tier improve when its own intervention began?

    ``tiers``: (name, oriented level change, the tier's scale span). WWC 2020: an effect is
    demonstrated at three different times, so three tiers must change when (and only when)
    their intervention starts.
    """
    if len(tiers) < 2:
        return []
    improved = [n for n, change, span in tiers if change >= SAME_SHARE * span]
    others = [n for n, change, span in tiers if change < SAME_SHARE * span]
    text = f"{len(improved)} of {len(tiers)} tiers improved when their intervention began"
    if others:
        text += f" (not: {', '.join(others)})"
    word = (
        "consistent across tiers"
        if not others and len(tiers) >= 3
        else "consistent across tiers, but fewer than three tiers"
        if not others
        else "not consistent across tiers"
    )
    return [f"{text}: {word} (three demonstrations are needed for experimental control)."]


def visual_analysis(
    phases: Sequence[tuple[str, Sequence[int], Sequence[float]]],
    *,
    improvement: Improvement,
    value_range: tuple[float, float],
    unit: str = "",
    k: int = IMMEDIACY_K,
) -> dict[str, Any]:
    """The visual-analysis panel of one measure: ``parameters`` (what each figure means),
    ``phases``, ``changes``, ``consistency`` and ``reading`` (the WWC order)."""
    check_improvement(improvement)
    scale = Scale(unit=unit, low=float(value_range[0]), high=float(value_range[1]))
    kept = [(lab, s, v) for lab, s, v in phases if len(v)]
    labels = normalise_labels([lab for lab, _, _ in kept])
    arrays = [
        (lab, np.asarray(s, dtype=float), np.asarray(v, dtype=float))
        for lab, (_, s, v) in zip(labels, kept, strict=True)
    ]
    described = [_describe(lab, s, v, scale, improvement) for lab, s, v in arrays]
    changes = [
        _change(
            described[i],
            described[i + 1],
            arrays[i][2],
            arrays[i + 1][2],
            arrays[i][1],
            arrays[i + 1][1],
            scale,
            improvement,
            k,
        )
        for i in range(len(arrays) - 1)
    ]
    consistency = _consistency(described, scale)
    return {
        "parameters": [
            f"Stability envelope: a phase is stable when at least {_pct(ENVELOPE_SHARE)} of its "
            f"points lie within ±{_pct(ENVELOPE_BAND)} of the phase median.",
            f"Immediacy: the mean of the first {k} points after a change minus the mean of the "
            f"last {k} before it.",
            "Trend: a straight line fitted to each phase (ordinary least squares).",
            "Overlap: the share of points after the change beyond the best value before it.",
            f"Conservative dual criterion: the baseline mean and trend lines shifted by "
            f"{CDC_SHIFT:g} SD of the baseline toward improvement; points beyond both count.",
            f"About the same: a difference smaller than {_pct(SAME_SHARE)} of the scale "
            f"({scale.amount(SAME_SHARE * scale.span)}).",
        ],
        "phases": described,
        "changes": changes,
        # The same, one row per feature (WWC order) and one column per change: reads in a
        # narrow column too.
        "change_rows": [
            (feature, [c.get(key) or "—" for c in changes]) for feature, key in CHANGE_FEATURES
        ]
        if changes
        else [],
        "consistency": consistency,
        "reading": _reading(described, changes, consistency, improvement),
    }


def _reading(
    phases: list[dict[str, Any]],
    changes: list[dict[str, Any]],
    consistency: list[str],
    improvement: Improvement,
) -> list[str]:
    """Level, trend, variability, then immediacy, overlap, consistency (Kratochwill et al.
    2010; WWC 2020)."""
    if not phases:
        return []
    better = "higher" if improvement == "increase" else "lower"
    base = phases[0]
    levels = "; ".join(f"{p['label']} {p['level']}" for p in phases)
    out = [f"Level: {levels} ({better} is better)."]
    out.append(f"Trend: the baseline is {base['trend']}.")
    if base["trend"].startswith("improving"):
        out[-1] += " Part of any later difference may be this trend continuing."
    out.append(
        f"Variability: the baseline is {base['variability'].split(':')[0]}"
        + ("; a variable baseline makes a change harder to see." if not base["stable"] else ".")
    )
    first = next((c for c in changes if not c["withdrawal"]), None)
    if first is not None:
        out.append(f"Immediacy ({first['title']}): {first['immediacy'].split(':')[0]}.")
        out.append(f"Overlap ({first['title']}): {first['overlap'].split(':')[0]}.")
    if consistency:
        out.append("Consistency: " + " ".join(consistency))
    elif len(phases) <= 2:
        out.append("Consistency: one phase change only, so consistency cannot be judged.")
    return out
