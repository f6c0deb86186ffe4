"""The analysis of one measure of an alternating-treatments or changing-criterion study (#12).

Called by ``sced.study_analysis.analyse_study`` for those two designs; no ORM. The numbers come
from the pure cores (``sced.stats.atd``, ``sced.stats.changing_criterion``) through
``sced.stats.design_reports``, the same functions ``manage.py sced_analyse --design`` uses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sced import design_plots
from sced import plots as sced_plots
from sced.stats.changing_criterion import MIN_CHANGES_FOR_CONTROL, CriterionPhase
from sced.stats.design_reports import ATD_NOTE, atd_case_report, criterion_table

if TYPE_CHECKING:
    from sced.stats.inputs import MeasureInputs, StudyInputs

Plot = tuple[int, str, dict[str, bytes]]

ATD_STAT_LABEL = "Mean difference B − A, oriented (larger = better)"
ATD_NEEDS_BOTH = (
    "Not analysed yet: {measure} needs values under both conditions (A: {n_a}, B: {n_b})."
)
ATD_PAST_PLAN = (
    "{n} value(s) recorded after the {planned} planned sessions have no drawn condition and "
    "are not analysed."
)
ATD_INTERIM = (
    "Interim: {n} of {planned} planned sessions recorded; sessions without a value keep their "
    "place in the drawn sequence and are left out of the means."
)
CC_NEEDS_DATA = "Not analysed yet: {measure} has no values in a criterion phase."
CC_RULE = (
    "A phase counts as met when at least {share:.0%} of its points are at or beyond its "
    "criterion in the direction of improvement. This share is the clinic's convention, not a "
    "published cut-off; the share of points meeting the criterion is shown for every phase."
)
CC_LOGIC = (
    "Experimental control in a changing-criterion design needs at least {n} criterion changes, "
    "with the behaviour tracking each one (WWC standards, Kratochwill et al. 2010)."
)


def _atd(
    inputs: StudyInputs, measure: MeasureInputs, entry: dict[str, Any], *, with_plots: bool
) -> list[Plot]:
    plan = inputs.atd
    assert plan is not None
    by_session = {s: v for p in measure.phases for s, v in zip(p.sessions, p.values, strict=True)}
    sequence = plan.sequence
    n_a = sum(1 for s in by_session if s <= len(sequence) and sequence[s - 1] == "A")
    n_b = sum(1 for s in by_session if s <= len(sequence) and sequence[s - 1] == "B")
    if not n_a or not n_b:
        entry["not_ready"] = ATD_NEEDS_BOTH.format(measure=measure.name, n_a=n_a, n_b=n_b)
        return []
    values = [by_session.get(i) for i in range(1, len(sequence) + 1)]
    options = inputs.options
    report = atd_case_report(
        list(sequence),
        values,
        improvement=measure.improvement,
        max_consecutive=plan.max_consecutive,
        confidence=options.confidence,
        lrr_scale=options.lrr_scale,
        method=options.method,
        seed=plan.seed % (2**32),
        n_random=options.n_random,
    )
    rand = report["randomization"]
    distribution = rand.pop("distribution")
    rand["statistic_label"] = ATD_STAT_LABEL
    entry["atd"] = {**report, "n_planned": len(sequence), "seed": plan.seed}
    better = "higher" if measure.improvement == "increase" else "lower"
    a, b = report["conditions"]["A"], report["conditions"]["B"]
    nap = report["effect_sizes"]["NAP"]["estimate"]
    summary = [
        f"{measure.name}: mean {a['mean']:.2f} under condition A ({a['n']} sessions) and "
        f"{b['mean']:.2f} under condition B ({b['n']} sessions); {better} is better.",
    ]
    if nap is not None:
        summary.append(
            f"NAP = {nap:.2f}: in {nap * 100:.0f}% of all pairs of an A and a B session the B "
            "session was better (0.5 = no difference)."
        )
    summary.append(
        f"Randomization test: p = {rand['p_value']:.3f} over "
        f"{'all' if rand['method'] == 'exact' else 'a random sample of'} the admissible "
        "condition sequences (the share that would have shown at least this difference by "
        "chance)."
    )
    cautions = [ATD_NOTE]
    recorded = sum(1 for v in values if v is not None)
    if recorded < len(sequence):
        cautions.append(ATD_INTERIM.format(n=recorded, planned=len(sequence)))
    past = sum(1 for s in by_session if s > len(sequence))
    if past:
        cautions.append(ATD_PAST_PLAN.format(n=past, planned=len(sequence)))
    cautions.append(
        "Confidence intervals assume independent observations; daily values are usually "
        "autocorrelated, so read them as approximate."
    )
    entry["reading"] = {"summary": summary, "cautions": cautions}
    entry["randomization"] = rand
    if not with_plots:
        return []
    lo, hi = measure.range
    conditions = [
        (c, [s for s in sorted(by_session) if s <= len(sequence) and sequence[s - 1] == c])
        for c in ("A", "B")
    ]
    return [
        (
            measure.id,
            "sced",
            design_plots.render_atd_plot(
                [(c, sessions, [by_session[s] for s in sessions]) for c, sessions in conditions],
                measure_name=measure.name,
                unit=measure.unit,
                y_range=(lo, hi),
                improvement=measure.improvement,
                n_sessions=len(sequence),
            ),
        ),
        (
            measure.id,
            "randomization",
            sced_plots.render_randomization_plot(
                distribution,
                rand["observed_statistic"],
                rand["p_value"],
                statistic_label=ATD_STAT_LABEL,
                method=rand["method"],
            ),
        ),
    ]


def _criterion(
    inputs: StudyInputs, measure: MeasureInputs, entry: dict[str, Any], *, with_plots: bool
) -> list[Plot]:
    criteria = dict(inputs.criteria)
    by_label: dict[str, list[tuple[int, float]]] = {}
    for p in measure.phases:
        by_label.setdefault(p.label, []).extend(zip(p.sessions, p.values, strict=True))
    labels = ("A", *criteria)
    phases = [
        CriterionPhase(
            label=label,
            criterion=criteria.get(label),
            values=tuple(v for _s, v in by_label.get(label, ())),
        )
        for label in labels
    ]
    if not any(p.values for p in phases if p.criterion is not None):
        entry["not_ready"] = CC_NEEDS_DATA.format(measure=measure.name)
        return []
    table = criterion_table(phases, improvement=measure.improvement)
    entry["criterion"] = table
    entry["reading"] = {
        "summary": [f"{measure.name}: {table['reading']}"],
        "cautions": [
            CC_LOGIC.format(n=MIN_CHANGES_FOR_CONTROL),
            CC_RULE.format(share=table["met_share"]),
        ],
    }
    if not with_plots:
        return []
    plotted = [
        (
            label,
            [s for s, _ in by_label[label]],
            [v for _, v in by_label[label]],
            criteria.get(label),
        )
        for label in labels
        if by_label.get(label)
    ]
    spans = []
    for i, (label, sessions, _v, _c) in enumerate(plotted):
        nxt = plotted[i + 1][1][0] - 1 if i + 1 < len(plotted) else sessions[-1]
        spans.append((label, sessions[0], nxt))
    lo, hi = measure.range
    return [
        (
            measure.id,
            "sced",
            design_plots.render_criterion_plot(
                plotted,
                measure_name=measure.name,
                unit=measure.unit,
                y_range=(lo, hi),
                improvement=measure.improvement,
                planned_spans=spans,
            ),
        )
    ]


def handles(inputs: StudyInputs) -> bool:
    """True for the designs analysed here (an ATD with its drawn plan; criteria set)."""
    return inputs.atd is not None or bool(inputs.criteria)


def analyse_design_measure(
    inputs: StudyInputs, measure: MeasureInputs, entry: dict[str, Any], *, with_plots: bool
) -> list[Plot]:
    """Fill ``entry`` (the measure's results) and return its plots."""
    if inputs.atd is not None:
        return _atd(inputs, measure, entry, with_plots=with_plots)
    return _criterion(inputs, measure, entry, with_plots=with_plots)
