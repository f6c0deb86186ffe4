"""The one entry point of a study's analysis: statistics, randomization test, plots and a
plain-language reading. No ORM: ``analyse_study`` takes the typed, frozen ``StudyInputs`` that
``sced.selectors.analysis_inputs`` builds (a run stores them as JSON) and returns one
``StudyResults`` (the results JSON and the image bytes), so the Celery task stays thin and the
benchmark can time exactly what the job does. The options and their defaults are
``sced.stats.inputs.AnalysisOptions``.

Every number comes from ``sced.stats`` (validated against SingleCaseES, scan and SCRT) and every
image from ``sced.plots``; this module only chooses what to compute and words the cautions.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from sced import design_analysis
from sced import plots as sced_plots
from sced.stats import randomization as rt
from sced.stats.analysis import analyse_case
from sced.stats.nonoverlap import NAP_CI_METHODS

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sced.stats.inputs import MeasureInputs, StudyInputs

# WWC pilot standards (Kratochwill et al. 2010): at least 5 points per phase to meet the
# standards without reservation, 3 with reservations.
SHORT_PHASE = 5
# |lag-1 autocorrelation| above this is worth a word (Huitema & McKean 1991 call r1 of this
# size common in behavioural series; any size makes the SEs too small, sced.md §5 P11).
AUTOCORRELATION_NOTE = 0.2
ALPHA = 0.05
BASELINE_TREND_SHARE = 0.10

NO_DESIGN_PLAN = (
    "This study was set up before alternating-treatments and changing-criterion studies kept "
    "their plan (the randomized order of conditions, or the criterion of each phase), so it cannot "
    "be analysed as its design asks. Close it and set up a new study with the same measures."
)
NOT_READY = (
    "Not analysed yet: {measure} needs values in a baseline and an intervention phase ({have})."
)
# sced.md §5 P12: the test is valid only for a start drawn before the data.
NO_DRAW = "No randomization test: the intervention start was not drawn at random before the data."
NO_RT_DESIGN = "No randomization test for this design yet (AB, ABA, ABAB and multiple baseline)."
MBD_DESIGNS = ("MBD_behaviours", "MBD_settings")
SEE_MBD = (
    "Multiple baseline: the randomization test is across all tiers together (below), because "
    "the drawn unit is the staggered set of starts, not one tier's start."
)
MBD_NEEDS_TIERS = "The multiple-baseline test needs values in every tier ({missing} has none)."
MBD_STAT_MEAN = "Mean over tiers of the mean difference B − A, each tier oriented (larger = better)"
MBD_STAT_NAP = (
    "Mean over tiers of NAP (tiers are on different scales, so a scale-free statistic is used)"
)
INTERIM = (
    "Interim: {n} of {planned} planned sessions recorded; the randomization test is computed "
    "over the admissible start points that fit the sessions recorded so far."
)
# Issue #12: the test is declared on the primary outcome before data; testing every measure would
# multiply the chances of a false positive, so process measures are described, not tested.
PROCESS_NOT_TESTED = (
    "Not tested: the randomization test was declared on {primary} before data collection; "
    "other measures are described, not tested."
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
    inputs: StudyInputs, measure: MeasureInputs, sessions: list[int], values: list[float]
) -> dict[str, Any]:
    draw = inputs.draw
    if inputs.design in MBD_DESIGNS:
        return {"error": SEE_MBD if draw is not None else NO_DRAW}
    if measure.role != "primary":
        primary = next((m.name for m in inputs.measures if m.role == "primary"), "the outcome")
        return {"error": PROCESS_NOT_TESTED.format(primary=primary), "not_tested": True}
    if inputs.design not in ("AB", "ABA", "ABAB"):
        return {"error": NO_RT_DESIGN}
    if draw is None:
        return {"error": NO_DRAW}
    L = int(inputs.min_phase_length)
    n = len(values)
    actual_sessions = [draw.start] if isinstance(draw.start, int) else list(draw.start)
    # Keep the declared assignments whose phases all fit in what has been recorded so far, each
    # with at least L values, and translate sessions into observed positions.
    admissible: list[Any] = []
    for a in draw.admissible:
        a_sessions = [a] if isinstance(a, int) else list(a)
        idx = [_observed_index(sessions, s) for s in a_sessions]
        bounds = [1, *idx, n + 1]
        if all(bounds[i + 1] - bounds[i] >= L for i in range(len(bounds) - 1)):
            admissible.append(idx[0] if isinstance(a, int) else tuple(idx))
    actual_idx = [_observed_index(sessions, s) for s in actual_sessions]
    actual: Any = actual_idx[0] if isinstance(draw.start, int) else tuple(actual_idx)
    if actual not in admissible:
        return {"error": RT_NOT_YET.format(L=L)}
    admissible = sorted(set(admissible))
    result = rt.randomization_test(
        values,
        actual,
        admissible=admissible,
        improvement=measure.improvement,
        statistic="mean_difference",
        seed=int(draw.seed) % (2**32),
    )
    out = result.to_dict()
    out["actual_start_session"] = draw.start
    out["n_declared"] = len(draw.admissible)
    out["statistic_label"] = STAT_LABELS["mean_difference"]
    return out


def _mbd_randomization(inputs: StudyInputs) -> dict[str, Any]:
    """The multiple-baseline randomization test across tiers (Koehler & Levin 1998 regulated
    randomization; SCRT "MBD"; ``sced.stats.randomization``).

    The reference set is every assignment of the declared start-point sets to the tiers (one
    point from every set, sets permuted over tiers), in sessions; each is translated into
    observed positions per tier (a missed day shifts that tier only) and kept when every tier's
    phases hold at least L recorded values (an interim analysis uses the assignments that fit
    what has been recorded). Duplicates after translation are kept: each session assignment
    was equally likely to be drawn. The statistic is the mean over tiers of each tier's
    oriented statistic; tiers on different scales use NAP so no tier outweighs the others.
    """
    draw = inputs.draw
    if draw is None or not draw.tiers:
        return {"error": NO_DRAW}
    by_id = {m.id: m for m in inputs.measures}
    tiers = [by_id[t] for t in draw.tiers if t in by_id]
    series: list[list[float]] = []
    sessions: list[np.ndarray] = []
    for m in tiers:
        s = m.sessions
        v = m.values
        if not v:
            return {"error": MBD_NEEDS_TIERS.format(missing=m.name)}
        # Orient each tier (larger = better) so tiers improving in opposite directions combine.
        series.append([x if m.improvement == "increase" else -x for x in v])
        sessions.append(np.asarray(s, dtype=np.int64))
    L = int(inputs.min_phase_length)
    same_scale = len({(tuple(m.range), m.unit) for m in tiers}) == 1
    statistic = "mean_difference" if same_scale else "nap"
    tier_starts = draw.start if isinstance(draw.start, tuple) else (draw.start,)
    regulated = rt.regulated_mbd_start_points(draw.admissible)
    n_total = len(regulated)
    if n_total <= rt.EXACT_LIMIT:
        in_sessions = regulated.as_array()
        method_note = None
    else:  # too many to list: a Monte Carlo sample (the observed assignment is added below)
        rng = np.random.default_rng(int(draw.seed) % (2**32))
        in_sessions = regulated.decode(rng.integers(0, n_total, size=rt.DEFAULT_N_RANDOM))
        method_note = "monte_carlo"
    observed = np.empty_like(in_sessions)
    keep = np.ones(len(in_sessions), dtype=bool)
    for t, sess in enumerate(sessions):
        # observed position of the first B value = 1 + number of values before the start
        idx = 1 + np.searchsorted(sess, in_sessions[:, t], side="left")
        observed[:, t] = idx
        keep &= (idx - 1 >= L) & (len(sess) - (idx - 1) >= L)
    actual_idx = tuple(
        int(1 + np.searchsorted(sess, start, side="left"))
        for sess, start in zip(sessions, tier_starts, strict=True)
    )
    if not all(
        a - 1 >= L and len(s) - (a - 1) >= L for a, s in zip(actual_idx, sessions, strict=True)
    ):
        return {"error": RT_NOT_YET.format(L=L) + " (in every tier)"}
    admissible = [tuple(int(v) for v in row) for row in observed[keep]]
    if method_note == "monte_carlo":
        admissible.append(actual_idx)
    result = rt.randomization_test(
        series,
        actual_idx,
        admissible=admissible,
        improvement="increase",
        statistic=statistic,
        method="exact",
    )
    out = result.to_dict()
    out["improvement"] = "per tier"
    out["n_declared"] = n_total
    if method_note:
        out["method"] = "monte_carlo"
    out["actual_start_sessions"] = {m.name: int(s) for m, s in zip(tiers, tier_starts, strict=True)}
    out["start_sets"] = [list(a) for a in draw.admissible]
    out["statistic_label"] = MBD_STAT_MEAN if statistic == "mean_difference" else MBD_STAT_NAP
    out["tiers"] = [m.name for m in tiers]
    return out


def _mbd_panels(inputs: StudyInputs, draw_tiers: Sequence[int]) -> list[tuple[str, list]]:
    by_id = {m.id: m for m in inputs.measures}
    order = [by_id[t] for t in draw_tiers if t in by_id] or list(inputs.measures)
    panels = []
    for m in order:
        phases = [(p.label, list(p.values), list(p.sessions)) for p in m.phases if p.values]
        if phases:
            better = "lower is better" if m.improvement == "decrease" else "higher is better"
            unit = f" ({m.unit})" if m.unit else ""
            panels.append((f"{m.name}{unit} · {better}", phases))
    return panels


def _fmt(x: float | None, digits: int = 2) -> str:
    return "—" if x is None else f"{x:.{digits}f}"


def _reading(
    measure: MeasureInputs, analysis: dict[str, Any], rand: dict[str, Any], interim: str | None
) -> dict[str, Any]:
    """A plain-language reading and the cautions that apply (sced.md §4, §5)."""
    improvement = measure.improvement
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
    lo, hi = measure.range
    if slope is not None and slope != 0:
        improving = (slope > 0) == (improvement == "increase")
        # Worth a word when the fitted baseline line moves by ≥ 10 % of the scale.
        if improving and abs(slope) * max(a["n"] - 1, 1) >= BASELINE_TREND_SHARE * (hi - lo):
            cautions.append(
                f"The baseline was already improving (OLS slope {slope:+.2f} per session, "
                f"{better} is better): part of any difference may be that trend continuing. "
                "Tau-BC and Tau-U (A vs B − trend A) correct for it; look at the extended "
                "baseline trend in the graph."  # sced.md §5 P8
            )
    for p in phases:
        r1 = p.get("lag1_autocorrelation")
        if r1 is not None and abs(r1) > AUTOCORRELATION_NOTE:
            cautions.append(
                f"Values in phase {p['label']} are autocorrelated (lag-1 r = {r1:.2f}): "
                "standard errors and confidence intervals assume independent days and are too "
                "narrow."  # sced.md §5 P11
            )
            break
    else:
        cautions.append(
            "Confidence intervals assume independent observations; daily values are usually "
            "autocorrelated, so read them as approximate."  # sced.md §5 P11
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
            f"{measure.name}: mean {_fmt(a['mean'])} in baseline ({a['label']}, {a['n']} "
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


def _methods() -> list[str]:
    """How the intervals were computed, in words, for the page's "Sources and methods" note."""
    return [
        f"Intervals for NAP, Tau and Tau-BC: {NAP_CI_METHODS['newcombe']}. The SingleCaseES "
        "package (version 0.7.4) reports a zero-width interval there; its value is kept with "
        "the results for checking.",
        "All intervals assume independent observations; daily measures are usually "
        "autocorrelated, so read them as approximate.",
    ]


@dataclass(frozen=True)
class StudyResults:
    """What one analysis gives: the results JSON a run stores, and its plots as
    (measure id, kind, {"png": …, "svg": …})."""

    results: dict[str, Any]
    plots: tuple[tuple[int, str, dict[str, bytes]], ...]


def _measure_plots(
    measure: MeasureInputs, rand: dict[str, Any], formats: Sequence[str] = ("png", "svg")
) -> list[tuple[int, str, dict[str, bytes]]]:
    lo, hi = measure.range
    # The graph puts each value at its session (a missed session leaves a gap); the
    # statistics count observed values, as scan does.
    plotted = [(p.label, list(p.values), list(p.sessions)) for p in measure.phases]
    out = [
        (
            measure.id,
            "sced",
            sced_plots.render_sced_plot(
                plotted,
                measure_name=measure.name,
                unit=measure.unit,
                y_range=(lo, hi),
                improvement=measure.improvement,
                level="mean",
                trend="ols",
                formats=formats,
            ),
        )
    ]
    if "distribution" in rand:
        out.append(
            (
                measure.id,
                "randomization",
                sced_plots.render_randomization_plot(
                    rand["distribution"],
                    rand["observed_statistic"],
                    rand["p_value"],
                    statistic_label=rand["statistic_label"],
                    method=rand["method"],
                    formats=formats,
                ),
            )
        )
    return out


def _mbd_plots(
    inputs: StudyInputs,
    mbd: dict[str, Any],
    panels: list[tuple[str, list]],
    first_id: int,
    formats: Sequence[str] = ("png", "svg"),
) -> list[tuple[int, str, dict[str, bytes]]]:
    ranges = {tuple(m.range) for m in inputs.measures}
    units = {m.unit for m in inputs.measures}
    out = [
        (
            first_id,
            "mbd",
            sced_plots.render_sced_plot(
                panels,
                measure_name=units.pop() if len(units) == 1 and "" not in units else "Value",
                y_range=ranges.pop() if len(ranges) == 1 else None,
                improvement=inputs.measures[0].improvement,
                level="mean",
                trend="ols",
                formats=formats,
            ),
        )
    ]
    if "distribution" in mbd:
        out.append(
            (
                first_id,
                "mbd_rand",
                sced_plots.render_randomization_plot(
                    mbd["distribution"],
                    mbd["observed_statistic"],
                    mbd["p_value"],
                    statistic_label=mbd["statistic_label"],
                    method=mbd["method"],
                    formats=formats,
                ),
            )
        )
    return out


def analyse_study(
    inputs: StudyInputs, *, with_plots: bool = True, plot_formats: Sequence[str] = ("png", "svg")
) -> StudyResults:
    """Results for every measure of a study, and its plots (the one analysis entry point of a
    study: the Celery task calls it, the pages show what it returned). The jobs ask for the
    statistics without plots first, then for the plots in the one format the page shows
    (``plot_formats``; issue #16)."""
    options = inputs.options
    results: dict[str, Any] = {"measures": [], "methods": _methods()}
    plots: list[tuple[int, str, dict[str, bytes]]] = []
    for measure in inputs.measures:
        phases = [(p.label, list(p.values)) for p in measure.phases]
        sessions = measure.sessions
        values = measure.values
        entry: dict[str, Any] = {
            "measure_id": measure.id,
            "name": measure.name,
            "unit": measure.unit,
            "improvement": measure.improvement,
            "n": len(values),
            "role": measure.role,
        }
        if design_analysis.handles(inputs):  # alternating treatments, changing criterion
            plots.extend(
                design_analysis.analyse_design_measure(
                    inputs, measure, entry, with_plots=with_plots
                )
            )
            results["measures"].append(entry)
            continue
        if inputs.design in ("ATD", "changing_criterion"):
            # Created before these designs were analysed as such (no drawn sequence, no
            # criteria): an A-then-B analysis would be wrong, so none is given (issue #12).
            entry["not_ready"] = NO_DESIGN_PLAN
            results["measures"].append(entry)
            continue
        kinds = {p.label[:1] for p in measure.phases}
        if len(phases) < 2 or kinds != {"A", "B"}:
            have = ", ".join(f"{p.label}: {len(p.values)}" for p in measure.phases)
            entry["not_ready"] = NOT_READY.format(measure=measure.name, have=have or "none")
            results["measures"].append(entry)
            continue
        design = inputs.design if inputs.design in ("AB", "ABA", "ABAB") else None
        if design and len(phases) != len(design):
            design = None  # e.g. an ABAB still in its B1 phase is analysed as AB so far
        analysis = analyse_case(
            phases,
            improvement=measure.improvement,
            tau_u_variant=options.tau_u_variant,
            confidence=options.confidence,
            design=design,
            lrr_scale=options.lrr_scale,
        )
        for p, (_, vals) in zip(analysis["phases"], phases, strict=True):
            p["lag1_autocorrelation"] = lag1_autocorrelation(vals)
        rand = _randomization(inputs, measure, sessions, values)
        interim = None
        if len(values) < inputs.planned_sessions:
            interim = INTERIM.format(n=len(values), planned=inputs.planned_sessions)
        entry["analysis"] = analysis
        entry["randomization"] = {k: v for k, v in rand.items() if k != "distribution"}
        entry["reading"] = _reading(measure, analysis, rand, interim)
        results["measures"].append(entry)
        if with_plots:
            plots.extend(_measure_plots(measure, rand, plot_formats))
    if inputs.design in MBD_DESIGNS:
        tiers = inputs.draw.tiers if inputs.draw is not None else ()
        mbd = _mbd_randomization(inputs)
        results["mbd"] = {k: v for k, v in mbd.items() if k != "distribution"}
        panels = _mbd_panels(inputs, tiers)
        first_id = (tiers or (inputs.measures[0].id,))[0]
        if with_plots and panels:
            plots.extend(_mbd_plots(inputs, mbd, panels, first_id, plot_formats))
    return StudyResults(results=_finite(results), plots=tuple(plots))


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
