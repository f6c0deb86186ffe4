"""Charts of one measure over time: matplotlib ``Figure`` (no pyplot: no global state, safe in
threads), bands shaded with their word, treatment events marked (their labels above the plot,
never over a value), the instrument's whole scale with a margin, every label drawn literally
(painclinic/charts.py). Rendered once per data version: the PNG is kept in the chart cache
(painclinic/chart_cache.py) under a SHA-256 of everything drawn and of ``CHART_VERSION``, so a
new result or event, or a new way of drawing, makes a new key and an unchanged chart is never
drawn twice."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import DateFormatter, date2num
from matplotlib.figure import Figure

from painclinic import chart_cache
from painclinic.charts import plain, scale_limits, shorten, wrap

if TYPE_CHECKING:
    from painclinic.chart_cache import Chart

# Band colours by level (0 none .. 4 most severe); the band name is written on the chart too.
LEVEL_COLOURS = {0: "#d8efe0", 1: "#fff3c4", 2: "#ffe0b2", 3: "#f8c9c4", 4: "#e9b3c8"}


# Raise when the drawing changes, so no chart drawn the old way is served from the cache.
CHART_VERSION = 2


def chart_key(spec: dict[str, Any]) -> str:
    return chart_cache.chart_key("assessment.measure", (spec,), version=CHART_VERSION)


# Event labels sit in rows above the plot, never over a value; a label this many characters
# wide takes about this share of the axes' width (7 pt text on the 6.4-inch figure).
EVENT_CHAR_WIDTH = 0.016
EVENT_ROW_PT = 9
TITLE_WIDTH = 78


def _event_rows(positions: list[tuple[float, str]]) -> list[int]:
    """Row of each event label (0 = nearest the plot): a label moves up a row while it would
    overlap one already placed."""
    ends: list[float] = []
    rows = []
    for x, label in positions:
        width = EVENT_CHAR_WIDTH * (len(label) + 1)
        row = next((r for r, end in enumerate(ends) if x > end), len(ends))
        if row == len(ends):
            ends.append(0.0)
        ends[row] = x + width
        rows.append(row)
    return rows


def measure_figure(spec: dict[str, Any]) -> Figure:
    """The chart ``render_measure_chart`` draws (tests read it)."""
    figure = Figure(figsize=(6.4, 2.8), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot(1, 1, 1)
    low, high = spec["range"]
    for band_low, band_high, label, level in spec["bands"]:
        axes.axhspan(band_low, band_high, color=LEVEL_COLOURS.get(level, "#eeeeee"), zorder=0)
        axes.text(
            1.01, (band_low + band_high) / 2, plain(wrap(label, 24)),
            transform=axes.get_yaxis_transform(), fontsize=7, va="center", ha="left",
            color="#333333",
        )  # fmt: skip
    dates = [date.fromisoformat(d) for d, _ in spec["points"]]
    values = [v for _, v in spec["points"]]
    if dates:
        axes.plot(dates, values, marker="o", color="#0b4f71", linewidth=2, zorder=3, gid="values")
        for day, value in zip(dates, values, strict=True):
            # Near the top of the scale the value is written below its point, so it stays inside.
            top = value > low + 0.8 * (high - low)
            axes.annotate(f"{value:g}", (day, value), textcoords="offset points",
                          xytext=(0, -7 if top else 6), va="top" if top else "bottom",
                          ha="center", fontsize=8)  # fmt: skip
    # The instrument's full scale with a margin: a score on the floor or ceiling (CARE 50) and
    # its label are not cut off by the frame.
    axes.set_ylim(*scale_limits(low, high))
    events = [(date.fromisoformat(day), label) for day, label in spec["events"]]
    moments = dates + [when for when, _label in events]
    if moments:
        # A lone result gets a month either side, so the axis is not stretched over years.
        axes.set_xlim(min(moments) - timedelta(days=30), max(moments) + timedelta(days=30))
    rows = [0]
    if events:
        lo, hi = axes.get_xlim()  # days, as date2num counts them
        span = hi - lo or 1.0
        labels = [plain(shorten(label, 28)) for _when, label in events]
        rows = _event_rows(
            [((date2num(w) - lo) / span, text) for (w, _), text in zip(events, labels, strict=True)]
        )
        for (when, _label), text, row in zip(events, labels, rows, strict=True):
            axes.axvline(when, color="#6c757d", linestyle="--", linewidth=1, zorder=2)
            # Above the plot, in its own row: never drawn over a value.
            axes.annotate(
                text, (date2num(when), 1.0), xycoords=axes.get_xaxis_transform(), xytext=(2, 3 + EVENT_ROW_PT * row),
                textcoords="offset points", fontsize=7, color="#41464b", va="bottom", ha="left",
                annotation_clip=False, gid="event",
            )  # fmt: skip
    axes.xaxis.set_major_formatter(DateFormatter("%d %b %y"))
    pad = 6 + (EVENT_ROW_PT * (max(rows) + 1) + 4 if events else 0)
    axes.set_title(plain(shorten(spec["title"], TITLE_WIDTH)), fontsize=10, loc="left", pad=pad)
    axes.tick_params(labelsize=8)
    figure.autofmt_xdate()
    figure.subplots_adjust(right=0.66, left=0.08, top=0.86 - 0.06 * max(rows))
    return figure


def render_measure_chart(spec: dict[str, Any]) -> bytes:
    """``spec``: {"title", "range": [lo, hi], "bands": [[lo, hi, label, level]], "points":
    [[iso date, value]], "events": [[iso date, label]]}. Returns PNG bytes."""
    buffer = io.BytesIO()
    measure_figure(spec).savefig(buffer, format="png")
    return buffer.getvalue()


def cached_chart(spec: dict[str, Any]) -> Chart:
    """The PNG of ``spec`` from the chart cache: drawn only when no chart with the same data
    (and ``CHART_VERSION``) is stored."""
    return chart_cache.cached_chart(
        "assessment.measure", (spec,), render_measure_chart, version=CHART_VERSION
    )
