"""The analysis of one study's inputs: statistics, randomization test, plots and a plain-language
reading. No ORM: takes the JSON built by ``sced.services.analysis_inputs`` and returns JSON plus
image bytes, so the Celery task stays thin and the benchmark can time exactly what the job does.

Every number comes from ``sced.stats`` (validated against SingleCaseES, scan and SCRT) and every
image from ``sced.plots``; this module only chooses what to compute and words the cautions.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from sced.stats import randomization as rt
from sced.stats.analysis import analyse_case

# WWC pilot standards (Kratochwill et al. 2010): at least 5 points per phase to meet the
# standards without reservation, 3 with reservations.
SHORT_PHASE = 5
# |lag-1 autocorrelation| above this is worth a word (Huitema & McKean 1991 call r1 of this
# size common in behavioural series; any size makes the SEs too small, sced.md §5 P11).
AUTOCORRELATION_NOTE = 0.2
ALPHA = 0.05
BASELINE_TREND_SHARE = 0.10

NOT_READY = (
    "Not analysed yet: {measure} needs values in a baseline and an intervention phase ({have})."
)
NO_DRAW = (
    "No randomization test: the intervention start was not drawn at random before the data "
    "(sced.md §5 P12)."
)
NO_RT_DESIGN = "No randomization test for this design yet (AB, ABA and ABAB only)."
INTERIM = (
    "Interim: {n} of {planned} planned sessions recorded; the randomization test is computed "
    "over the admissible start points that fit the sessions recorded so far."
)
RT_NOT_YET = "The randomization test needs at least {L} intervention values after the drawn start."

STAT_LABELS = {
    "mean_difference": "Mean difference B − A, oriented (larger = better)",
    "nap": "NAP (larger = better)",
}


def lag1_autocorrelation(values: Sequence[float]) -> float | None:
    """Conventional lag-1 autocorrelation r1 (Box & Jenkins; Huitema & McKean 1991)."""
    x = np.asarray(values, dtype=float)
    if x.size < 3:
        return None
    d = x - x.mean()
    denom = float(np.sum(d * d))
    if denom == 0:
        return None
    return float(np.sum(d[1:] * d[:-1]) / denom)


def _observed_index(sessions: Sequence[int], start_session: int) -> int:
    """Start point counted over observed values (scan counts observed values, missing dropped)."""
    return 1 + sum(1 for s in sessions if s < start_session)


def _randomization(
    inputs: dict[str, Any], measure: dict[str, Any], sessions: list[int], values: list[float]
) -> dict[str, Any]:
    draw = inputs.get("draw")
    if inputs["design"] not in ("AB", "ABA", "ABAB"):
        return {"error": NO_RT_DESIGN}
    if draw is None:
        return {"error": NO_DRAW}
    L = int(inputs["min_phase_length"])
    n = len(values)
    actual_sessions = [draw["start"]] if isinstance(draw["start"], int) else list(draw["start"])
    # Keep the declared assignments whose phases all fit in what has been recorded so far, each
    # with at least L values, and translate sessions into observed positions.
    admissible: list[Any] = []
    for a in draw["admissible"]:
        a_sessions = [a] if isinstance(a, int) else list(a)
        idx = [_observed_index(sessions, s) for s in a_sessions]
        bounds = [1, *idx, n + 1]
        if all(bounds[i + 1] - bounds[i] >= L for i in range(len(bounds) - 1)):
            admissible.append(idx[0] if isinstance(a, int) else tuple(idx))
    actual_idx = [_observed_index(sessions, s) for s in actual_sessions]
    actual: Any = actual_idx[0] if isinstance(draw["start"], int) else tuple(actual_idx)
    if actual not in admissible:
        return {"error": RT_NOT_YET.format(L=L)}
    admissible = sorted(set(admissible))
    result = rt.randomization_test(
        values,
        actual,
        admissible=admissible,
        improvement=measure["improvement"],
        statistic="mean_difference",
        seed=int(draw["seed"]) % (2**32),
    )
    out = result.to_dict()
    out["actual_start_session"] = draw["start"]
    out["n_declared"] = len(draw["admissible"])
    out["statistic_label"] = STAT_LABELS["mean_difference"]
    return out


def _fmt(x: float | None, digits: int = 2) -> str:
    return "—" if x is None else f"{x:.{digits}f}"


def _reading(
    measure: dict[str, Any], analysis: dict[str, Any], rand: dict[str, Any], interim: str | None
) -> dict[str, Any]:
    """A plain-language reading and the cautions that apply (sced.md §4, §5)."""
    improvement = measure["improvement"]
    better = "higher" if improvement == "increase" else "lower"
    phases = analysis["phases"]
    cautions: list[str] = []
    if interim:
        cautions.append(interim)
    short = [f"{p['label']} ({p['n']})" for p in phases if p["n"] < SHORT_PHASE]
    if short:
        cautions.append(
            "Short phases: "
            + ", ".join(short)
            + f" — fewer than {SHORT_PHASE} points makes level and trend unreliable "
            "(WWC standards, Kratochwill et al. 2010)."
        )
    a = phases[0]
    slope = (a.get("ols") or {}).get("slope")
    lo, hi = measure["range"]
    if slope is not None and slope != 0:
        improving = (slope > 0) == (improvement == "increase")
        # Worth a word when the fitted baseline line moves by ≥ 10 % of the scale.
        if improving and abs(slope) * max(a["n"] - 1, 1) >= BASELINE_TREND_SHARE * (hi - lo):
            cautions.append(
                f"The baseline was already improving (OLS slope {slope:+.2f} per session, "
                f"{better} is better): part of any difference may be that trend continuing. "
                "Tau-BC and Tau-U (A vs B − trend A) correct for it; look at the extended "
                "baseline trend in the graph (sced.md §5 P8)."
            )
    for p in phases:
        r1 = p.get("lag1_autocorrelation")
        if r1 is not None and abs(r1) > AUTOCORRELATION_NOTE:
            cautions.append(
                f"Values in phase {p['label']} are autocorrelated (lag-1 r = {r1:.2f}): "
                "standard errors and confidence intervals assume independent days and are too "
                "narrow (sced.md §5 P11)."
            )
            break
    else:
        cautions.append(
            "Confidence intervals assume independent observations; daily values are usually "
            "autocorrelated, so read them as approximate (sced.md §5 P11)."
        )
    cautions.append(
        "NAP, PND, PEM, PAND and IRD count overlap only: they ignore the order of the points and "
        "cannot tell an effect from a trend that was already there."
    )
    if "p_value" in rand:
        floor = rand["smallest_possible_p"]
        note = (
            f"With {rand['n_assignments']} possible start points the smallest attainable p is "
            f"1/{rand['n_assignments']} = {floor:.3f}"
        )
        if floor > ALPHA:
            note += f", above {ALPHA}: this test cannot show an effect whatever the data."
        else:
            note += "."
        cautions.append(note)

    comp = next(iter(analysis["comparisons"].values()), None)
    summary = []
    if len(phases) >= 2:
        b = phases[1]
        summary.append(
            f"{measure['name']}: mean {_fmt(a['mean'])} in baseline ({a['label']}, {a['n']} "
            f"sessions) and {_fmt(b['mean'])} in the intervention phase ({b['label']}, {b['n']} "
            f"sessions); {better} is better."
        )
    if comp is not None:
        nap = comp["effect_sizes"]["NAP"]
        if nap["estimate"] is not None:
            summary.append(
                f"NAP = {nap['estimate']:.2f}: in {nap['estimate'] * 100:.0f}% of all "
                "baseline–intervention pairs of days the intervention day was better "
                "(0.5 = no difference)."
            )
    if "p_value" in rand:
        summary.append(
            f"Randomization test: p = {rand['p_value']:.3f} over {rand['n_assignments']} "
            "admissible start points (the share of start points that would have shown at least "
            "this improvement by chance)."
        )
    return {"summary": summary, "cautions": cautions}


def analyse_study(
    inputs: dict[str, Any], *, with_plots: bool = True
) -> tuple[dict[str, Any], list[tuple[int, str, dict[str, bytes]]]]:
    """Results for every measure, and the plots as (measure id, kind, {"png", "svg"})."""
    results: dict[str, Any] = {"measures": []}
    plots: list[tuple[int, str, dict[str, bytes]]] = []
    for measure in inputs["measures"]:
        phases = [(p["label"], p["values"]) for p in measure["phases"]]
        sessions = [s for p in measure["phases"] for s in p["sessions"]]
        values = [v for p in measure["phases"] for v in p["values"]]
        entry: dict[str, Any] = {
            "measure_id": measure["id"],
            "name": measure["name"],
            "unit": measure["unit"],
            "improvement": measure["improvement"],
            "n": len(values),
        }
        kinds = {p["label"][:1] for p in measure["phases"]}
        if len(phases) < 2 or kinds != {"A", "B"}:
            have = ", ".join(f"{p['label']}: {len(p['values'])}" for p in measure["phases"])
            entry["not_ready"] = NOT_READY.format(measure=measure["name"], have=have or "none")
            results["measures"].append(entry)
            continue
        settings = inputs["settings"]
        design = inputs["design"] if inputs["design"] in ("AB", "ABA", "ABAB") else None
        if design and len(phases) != len(design):
            design = None  # e.g. an ABAB still in its B1 phase is analysed as AB so far
        analysis = analyse_case(
            phases,
            improvement=measure["improvement"],
            tau_u_variant=settings["tau_u_variant"],
            confidence=settings["confidence"],
            design=design,
            lrr_scale="count",
        )
        for p, (_, vals) in zip(analysis["phases"], phases, strict=True):
            p["lag1_autocorrelation"] = lag1_autocorrelation(vals)
        rand = _randomization(inputs, measure, sessions, values)
        interim = None
        if len(values) < inputs["planned_sessions"]:
            interim = INTERIM.format(n=len(values), planned=inputs["planned_sessions"])
        entry["analysis"] = analysis
        entry["randomization"] = {k: v for k, v in rand.items() if k != "distribution"}
        entry["reading"] = _reading(measure, analysis, rand, interim)
        results["measures"].append(entry)
        if with_plots:
            from sced.plots import render_randomization_plot, render_sced_plot

            lo, hi = measure["range"]
            plots.append(
                (
                    measure["id"],
                    "sced",
                    render_sced_plot(
                        phases,
                        measure_name=measure["name"],
                        unit=measure["unit"],
                        y_range=(lo, hi),
                        improvement=measure["improvement"],
                        level="mean",
                        trend="ols",
                    ),
                )
            )
            if "distribution" in rand:
                plots.append(
                    (
                        measure["id"],
                        "randomization",
                        render_randomization_plot(
                            rand["distribution"],
                            rand["observed_statistic"],
                            rand["p_value"],
                            statistic_label=rand["statistic_label"],
                            method=rand["method"],
                        ),
                    )
                )
    return _finite(results), plots


def _finite(obj: Any) -> Any:
    """JSON-safe: non-finite floats become None (the reason is always stored beside them)."""
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_finite(v) for v in obj]
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, np.generic):
        return _finite(obj.item())
    return obj
