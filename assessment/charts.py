"""Charts of one measure over time: matplotlib ``Figure`` (no pyplot: no global state, safe in
threads), bands shaded with their word, treatment events marked. Rendered once per data version:
the PNG is cached under a SHA-256 of everything drawn, so a new result or event makes a new key
and an unchanged chart is never drawn twice."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import date, timedelta
from typing import Any

from django.core.cache import cache
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import DateFormatter
from matplotlib.figure import Figure

CACHE_SECONDS = 7 * 24 * 3600
# Band colours by level (0 none .. 4 most severe); the band name is written on the chart too.
LEVEL_COLOURS = {0: "#d8efe0", 1: "#fff3c4", 2: "#ffe0b2", 3: "#f8c9c4", 4: "#e9b3c8"}


def chart_key(spec: dict[str, Any]) -> str:
    canonical = json.dumps(spec, sort_keys=True, default=str, separators=(",", ":"))
    return "assessment-chart:" + hashlib.sha256(canonical.encode()).hexdigest()


def render_measure_chart(spec: dict[str, Any]) -> bytes:
    """``spec``: {"title", "range": [lo, hi], "bands": [[lo, hi, label, level]], "points":
    [[iso date, value]], "events": [[iso date, label]]}. Returns PNG bytes."""
    figure = Figure(figsize=(6.4, 2.8), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot(1, 1, 1)
    low, high = spec["range"]
    for band_low, band_high, label, level in spec["bands"]:
        axes.axhspan(band_low, band_high, color=LEVEL_COLOURS.get(level, "#eeeeee"), zorder=0)
        axes.text(
            1.01, (band_low + band_high) / 2, label, transform=axes.get_yaxis_transform(),
            fontsize=7, va="center", ha="left", color="#333333", wrap=True,
        )  # fmt: skip
    dates = [date.fromisoformat(d) for d, _ in spec["points"]]
    values = [v for _, v in spec["points"]]
    if dates:
        axes.plot(dates, values, marker="o", color="#0b4f71", linewidth=2, zorder=3)
        for day, value in zip(dates, values, strict=True):
            axes.annotate(f"{value:g}", (day, value), textcoords="offset points", xytext=(0, 6),
                          ha="center", fontsize=8)  # fmt: skip
    for day, label in spec["events"]:
        when = date.fromisoformat(day)
        axes.axvline(when, color="#6c757d", linestyle="--", linewidth=1, zorder=2)
        axes.text(when, high, f" {label}", rotation=90, va="top", fontsize=7, color="#41464b")
    axes.set_ylim(low, high)
    moments = dates + [date.fromisoformat(day) for day, _label in spec["events"]]
    if moments:
        # A lone result gets a month either side, so the axis is not stretched over years.
        axes.set_xlim(min(moments) - timedelta(days=30), max(moments) + timedelta(days=30))
    axes.xaxis.set_major_formatter(DateFormatter("%d %b %y"))
    axes.set_title(spec["title"], fontsize=10, loc="left")
    axes.tick_params(labelsize=8)
    figure.autofmt_xdate()
    figure.subplots_adjust(right=0.66, left=0.08)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def cached_chart(spec: dict[str, Any]) -> tuple[bytes, str]:
    """(PNG, key): drawn only when no chart with the same data is cached."""
    key = chart_key(spec)
    png = cache.get(key)
    if png is None:
        png = render_measure_chart(spec)
        cache.set(key, png, CACHE_SECONDS)
    return png, key
