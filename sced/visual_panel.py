"""The visual-analysis panel of a study's results page, from what a run analysed.

Reads the run's stored inputs (``StudyInputs`` JSON), never the measurements, so the panel
always describes exactly the data the run's statistics and plots came from; the six features
in numbers and words come from the pure ``sced.stats.visual_reading``. Also draws, on request,
every measure stacked on one session axis with the stability envelope and the conservative dual
criterion (``sced.plots``).
"""

from __future__ import annotations

from typing import Any

from painclinic import chart_cache
from sced import plots as sced_plots
from sced.stats.inputs import MeasureInputs, StudyInputs
from sced.stats.visual_reading import consistency_across_tiers, visual_analysis

MBD_DESIGNS = ("MBD_behaviours", "MBD_settings")
# Raise when sced.plots draws the stacked graph differently (a new key: nothing stale is served).
STACKED_VERSION = 2


def _phases(measure: MeasureInputs) -> list[tuple[str, list[int], list[float]]]:
    return [(p.label, list(p.sessions), list(p.values)) for p in measure.phases if p.values]


def _ready(measure: MeasureInputs) -> bool:
    kinds = {p.label[:1] for p in measure.phases if p.values}
    return kinds == {"A", "B"}


def visual_panels(run_inputs: dict[str, Any] | None) -> dict[str, Any]:
    """{measure id: panel} and, for a multiple baseline, the consistency across tiers."""
    if not run_inputs or not run_inputs.get("measures"):
        return {"by_measure": {}, "across_tiers": []}
    inputs = StudyInputs.from_json(run_inputs)
    by_measure: dict[int, dict[str, Any]] = {}
    tiers: list[tuple[str, float, float]] = []
    for m in inputs.measures:
        if not _ready(m):
            continue
        panel = visual_analysis(
            _phases(m), improvement=m.improvement, value_range=m.range, unit=m.unit
        )
        by_measure[m.id] = panel
        first = next((c for c in panel["changes"] if not c["withdrawal"]), None)
        if first is not None:
            tiers.append((m.name, first["level_oriented"], m.range[1] - m.range[0]))
    across = consistency_across_tiers(tiers) if inputs.design in MBD_DESIGNS else []
    return {"by_measure": by_measure, "across_tiers": across}


def stacked_plot_svg(run_inputs: dict[str, Any], *, envelope: bool, cdc: bool) -> bytes | None:
    """Every measure with values, one panel each, stacked on a shared session axis, with the
    stability envelope and the CDC lines when asked. None when nothing can be drawn."""
    inputs = StudyInputs.from_json(run_inputs)
    panels = []
    for m in inputs.measures:
        phases = [(label, values, sessions) for label, sessions, values in _phases(m)]
        if phases:
            unit = f" ({m.unit})" if m.unit else ""
            panels.append((f"{m.name}{unit}", phases, m.range, m.improvement))
    if not panels:
        return None
    return sced_plots.render_measures_stacked(
        panels, stability_envelope=envelope, cdc=cdc, formats=("svg",)
    )["svg"]


def stacked_plot(run_inputs: dict[str, Any], *, envelope: bool, cdc: bool) -> bytes:
    """``stacked_plot_svg`` through the chart cache (painclinic/chart_cache.py), under a hash of
    the run's inputs and the two aids: drawn once per data and choice, not on every request
    (issue #16). Empty when nothing can be drawn."""
    chart = chart_cache.cached_chart(
        "sced.measures_stacked",
        (run_inputs, bool(envelope), bool(cdc)),
        _stacked_or_empty,
        version=STACKED_VERSION,
    )
    return chart.data


def _stacked_or_empty(run_inputs: dict[str, Any], *aids: bool) -> bytes:
    envelope, cdc = aids  # the chart cache passes its data positionally
    return stacked_plot_svg(run_inputs, envelope=envelope, cdc=cdc) or b""
