"""The alliance chart: WAI-SR totals session by session, each point labelled with the clinician
it rated, a rupture marked where a fall exceeds the reliable change (quality.alliance). Drawn
with matplotlib's object API (no pyplot), every label literal (painclinic.charts), sessions on a
whole-number axis, the questionnaire's whole scale (12–60) in view. Cached like the profile
charts (assessment/charts.py): under a SHA-256 of everything drawn and CHART_VERSION."""

from __future__ import annotations

import io
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from painclinic import chart_cache
from painclinic.charts import integer_axis, plain, runs, scale_limits, shorten

CHART_VERSION = 1
WAISR_RANGE = (12, 60)  # instruments.md §19


def chart_key(spec: dict[str, Any]) -> str:
    return chart_cache.chart_key("quality.alliance", (spec,), version=CHART_VERSION)


def alliance_figure(spec: dict[str, Any]) -> Figure:
    """``spec``: {"points": [[session number, total, rated clinician, rupture]], "note": str}."""
    figure = Figure(figsize=(6.4, 3.0), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot(1, 1, 1)
    points = spec["points"]
    numbers = [p[0] for p in points]
    totals = [p[1] for p in points]
    for run_numbers, run_totals in runs(numbers, totals):
        axes.plot(run_numbers, run_totals, marker="o", color="#0b4f71", linewidth=2, zorder=3)
    low, high = WAISR_RANGE
    for number, total, rated, rupture in points:
        top = total > low + 0.8 * (high - low)
        label = plain(shorten(rated or "not recorded", 18))
        axes.annotate(
            label,
            (number, total),
            textcoords="offset points",
            xytext=(0, -12 if top else 8),
            ha="center",
            fontsize=7,
            color="#333333",
        )
        if rupture:
            axes.plot([number], [total], marker="v", color="#b3261e", markersize=10, zorder=4)
    axes.set_ylim(*scale_limits(low, high))
    if numbers:
        axes.set_xlim(min(numbers) - 0.5, max(numbers) + 0.5)
    integer_axis(axes.xaxis)
    axes.set_xlabel("Rating (in session order)", fontsize=8)
    axes.set_ylabel("Working alliance (12–60)", fontsize=8)
    axes.tick_params(labelsize=7)
    axes.set_title(plain(spec.get("title", "Working alliance")), fontsize=9)
    if spec.get("note"):
        figure.text(0.01, 0.01, plain(spec["note"]), fontsize=6.5, color="#555555", wrap=True)
    figure.subplots_adjust(bottom=0.26, top=0.9, left=0.1, right=0.97)
    return figure


def render_alliance_chart(spec: dict[str, Any]) -> bytes:
    buffer = io.BytesIO()
    alliance_figure(spec).savefig(buffer, format="png")
    return buffer.getvalue()


def cached_alliance_chart(spec: dict[str, Any]) -> tuple[bytes, str]:
    """(PNG, key) from the chart cache (painclinic/chart_cache.py): drawn once per data."""
    chart = chart_cache.cached_chart(
        "quality.alliance", (spec,), render_alliance_chart, version=CHART_VERSION
    )
    return chart.data, chart.key
