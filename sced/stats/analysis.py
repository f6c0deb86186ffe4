"""One call that analyses one case: descriptives, visual aids and every effect size.

Used by the CLI (``sced_analyse FILE.csv``), Celery jobs and the web page; the result is a plain
JSON-serialisable dict (non-finite numbers become None, always with a reason nearby).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from . import descriptives as de
from . import nonoverlap as no
from . import parametric as pa
from . import visual as vi
from .inputs import DEFAULTS
from .phases import (
    Comparison,
    DesignName,
    Improvement,
    build_phases,
    check_improvement,
    comparisons_for,
    infer_design,
)

# Trend-based statistics are not computed on the pooled A1+A2 vs B1+B2 comparison: the jump
# between A1 and A2 would count as trend (sced.md §5 P9, §4 "no pooled trend statistics").
POOLED_NO_TREND = "not computed for pooled phases: the A1/A2 jump would count as trend (P9)"


def _clean(obj: Any) -> Any:
    """Make a structure JSON-safe: non-finite floats -> None, numpy scalars -> Python."""
    if isinstance(obj, Mapping):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, float | np.floating):
        return float(obj) if math.isfinite(obj) else None
    if isinstance(obj, np.bool_):
        return bool(obj)
    return obj


def effect_sizes_for(
    comp: Comparison,
    *,
    improvement: Improvement,
    tau_u_variant: str,
    confidence: float,
    lrr_scale: pa.Scale,
    goal: float | None,
    pooled: bool = False,
) -> dict[str, no.EffectSize]:
    """Every effect size of one comparison, each computed once."""
    a, b = comp.a.values, comp.b.values
    imp = improvement
    out: dict[str, no.EffectSize] = {}
    out["NAP"] = no.nap(a, b, improvement=imp, confidence=confidence)
    out["Tau"] = no.tau_from_nap(out["NAP"])
    out["PND"] = no.pnd(a, b, improvement=imp)
    out["PEM"] = no.pem(a, b, improvement=imp)
    out["PAND"] = no.pand(a, b, improvement=imp)
    out["IRD"] = no.ird(a, b, improvement=imp)
    if pooled:
        row = no._row_name(tau_u_variant)
        if row == "A vs. B":
            out["Tau_U"] = no.tau_u(a, b, improvement=imp, variant=row, confidence=confidence)
        else:
            out["Tau_U"] = no.undefined("Tau-U", POOLED_NO_TREND, imp, variant=row)
        out["Tau_BC"] = no.undefined("Tau-BC", POOLED_NO_TREND, imp)
    else:
        out["Tau_U"] = no.tau_u(a, b, improvement=imp, variant=tau_u_variant, confidence=confidence)
        out["Tau_U_SingleCaseES"] = no.tau_u_singlecasees(a, b, improvement=imp)
        out["Tau_BC"] = no.tau_bc(a, b, improvement=imp, confidence=confidence)
    out["SMD_baseline"] = pa.smd(a, b, improvement=imp, confidence=confidence)
    out["SMD_pool"] = pa.smd(a, b, improvement=imp, std_dev="pool", confidence=confidence)
    out["LRRi"] = pa.lrri(a, b, improvement=imp, scale=lrr_scale, confidence=confidence)
    out["LRRd"] = pa.lrrd(a, b, improvement=imp, scale=lrr_scale, confidence=confidence)
    out["LRM"] = pa.lrm(a, b, improvement=imp, confidence=confidence)
    if goal is not None:
        out["PoGO"] = pa.pogo(a, b, goal=goal, improvement=imp, confidence=confidence)
    return out


def analyse_case(
    phases: Sequence[tuple[str, Sequence[float]]],
    *,
    improvement: Improvement,
    tau_u_variant: str = DEFAULTS.tau_u_variant,
    confidence: float = DEFAULTS.confidence,
    design: DesignName | None = None,
    lrr_scale: pa.Scale = DEFAULTS.lrr_scale,
    goal: float | None = DEFAULTS.goal,
    immediacy_k: int = DEFAULTS.immediacy_k,
) -> dict[str, Any]:
    """Analyse one single-case series.

    ``phases`` are (label, values) in session order; labels A/B (any case, optionally
    numbered).  Returns design, per-phase descriptives, plot lines, and for each comparison
    ("A-B"; or "A1-B1", "A2-B2", "pooled_A_vs_B") every effect size with estimate, se, ci_lower,
    ci_upper, options and not_defined_reason; ABAB adds equal-weight aggregates over the pairs
    (SingleCaseES ``batch_calc_ES`` default, sced.md §2.11).
    """
    check_improvement(improvement)
    built = build_phases(phases)
    design = design or infer_design([p.label for p in built])
    starts = np.cumsum([0] + [p.n for p in built])[:-1] + 1
    result: dict[str, Any] = {
        "design": design,
        "improvement": improvement,
        "confidence": confidence,
        "options": {
            "tau_u_variant": tau_u_variant,
            "lrr_scale": lrr_scale,
            "goal": goal,
            "immediacy_k": immediacy_k,
            "nap_se": "unbiased",
            # Newcombe (2006) method 5 with the interior root at NAP = 0 or 1 (sced.md §5 P3);
            # SingleCaseES's interval is in each NAP/Tau/Tau-BC entry's ci_reference.
            "nap_ci": "newcombe",
            "smd_bias_correct": True,
            "pem_ties": "half",
            "tau_bc": "Theil-Sen, no pretest, NAP-based, residuals rounded to 9 decimals",
        },
        "phases": [
            de.describe_phase(p, first_session=int(s)).to_dict()
            for p, s in zip(built, starts, strict=True)
        ],
        "visual": {
            "mean_lines": [s.to_dict() for s in vi.level_lines(built, stat="mean")],
            "median_lines": [s.to_dict() for s in vi.level_lines(built, stat="median")],
            "ols_lines": [s.to_dict() for s in vi.trend_lines(built, method="ols")],
            "split_middle_lines": [
                s.to_dict() for s in vi.trend_lines(built, method="split_middle")
            ],
            "consistency_across_like_phases": de.like_phase_consistency(built),
        },
        "comparisons": {},
        "problems": [],
    }
    try:
        comps = comparisons_for(built, design)
    except ValueError as exc:
        result["problems"].append(str(exc))
        return _clean(result)
    per_pair: dict[str, list[no.EffectSize]] = {}
    for comp in comps:
        pooled = comp.name == "pooled_A_vs_B"
        es = effect_sizes_for(
            comp,
            improvement=improvement,
            tau_u_variant=tau_u_variant,
            confidence=confidence,
            lrr_scale=lrr_scale,
            goal=goal,
            pooled=pooled,
        )
        entry: dict[str, Any] = {
            "a": comp.a.label,
            "b": comp.b.label,
            "n_a": comp.a.n,
            "n_b": comp.b.n,
            "effect_sizes": {k: v.to_dict() for k, v in es.items()},
        }
        if not pooled:
            entry["visual_aids"] = de.compare_adjacent(
                comp.a.values,
                comp.b.values,
                improvement=improvement,
                a_start=comp.a_start,
                k=immediacy_k,
            )
            entry["cdc"] = vi.cdc_lines(
                comp.a.values, comp.b.values, improvement=improvement, a_start=comp.a_start
            ).to_dict()
            for key, value in es.items():
                per_pair.setdefault(key, []).append(value)
        result["comparisons"][comp.name] = entry
    if design == "ABAB":
        result["aggregated_over_phase_pairs"] = {
            key: pa.aggregate(values, weighting="equal", confidence=confidence).to_dict()
            for key, values in per_pair.items()
            if len(values) == 2
        }
    return _clean(result)
