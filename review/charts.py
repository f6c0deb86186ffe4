"""The team's reliable improvement rate per quarter, with its 95% Wilson intervals (issue #13).
A matplotlib ``Figure`` (no pyplot), drawn once per data version: the PNG is cached under a
SHA-256 of what is drawn and ``CHART_VERSION``, as the measure charts are (assessment/charts.py).
Quarters below the minimum number of patients are marked, never plotted."""

from __future__ import annotations

import io
from typing import Any

from painclinic import chart_cache
from painclinic.charts import plain

CHART_VERSION = 1


def spec_of(quarters, min_n: int) -> dict[str, Any]:
    """Everything drawn, as plain data (the cache key and the drawing read only this)."""
    return {
        "min_n": min_n,
        "quarters": [
            {
                "label": q.label,
                "n": q.n,
                "rate": None if q.estimate is None else q.estimate.value,
                "low": None if q.estimate is None else q.estimate.low,
                "high": None if q.estimate is None else q.estimate.high,
            }
            for q in quarters
        ],
    }


def chart_key(spec: dict[str, Any]) -> str:
    return chart_cache.chart_key("review.team_outcomes", (spec,), version=CHART_VERSION)


def render(spec: dict[str, Any]) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7.2, 3.2), dpi=110, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    quarters = spec["quarters"]
    xs = list(range(len(quarters)))
    axes.set_xticks(xs, [plain(q["label"]) for q in quarters], fontsize=8)
    axes.set_ylim(0, 100)
    axes.set_xlim(-0.5, len(quarters) - 0.5)
    axes.set_ylabel("Reliably improved (%)", fontsize=9)
    axes.grid(axis="y", color="#e5e5e5")
    for x, q in zip(xs, quarters, strict=True):
        if q["rate"] is None:
            text = "none" if q["n"] == 0 else f"fewer than {spec['min_n']}"
            axes.text(x, 4, text, ha="center", fontsize=7, color="#6c757d", rotation=90)
            continue
        rate, low, high = 100 * q["rate"], 100 * q["low"], 100 * q["high"]
        axes.errorbar(
            [x], [rate], yerr=[[rate - low], [high - rate]], fmt="o", color="#0d6efd", capsize=4
        )
        axes.text(x + 0.12, rate, f"{rate:.0f}% (n={q['n']})", fontsize=7, va="center")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def cached_chart(spec: dict[str, Any]) -> tuple[bytes, str]:
    """(PNG, key) from the chart cache (painclinic/chart_cache.py): drawn once per data."""
    chart = chart_cache.cached_chart("review.team_outcomes", (spec,), render, version=CHART_VERSION)
    return chart.data, chart.key
