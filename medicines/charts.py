"""Medication charts: daily OME over time with the taper plan, and OME above the pain and
interference outcomes (NRS, PEG, BPI interference) on one date axis, so the clinician sees pain
and function while the dose comes down. SVG from ``matplotlib.figure.Figure`` (no pyplot; same
rule as treatment/charts.py and sced/plots.py). No ORM: callers pass plain data. Okabe-Ito colours
with a distinct marker or line style per series (reads in greyscale)."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import TYPE_CHECKING

from matplotlib import rc_context
from matplotlib.dates import AutoDateLocator, DateFormatter
from matplotlib.figure import Figure

from painclinic.charts import plain

if TYPE_CHECKING:
    from collections.abc import Sequence

BLUE = "#0072B2"
ORANGE = "#E69F00"
GREEN = "#009E73"
VERMILLION = "#D55E00"
PURPLE = "#CC79A7"
GREY = "#6c757d"

_RC = {"font.size": 9, "svg.fonttype": "none", "axes.spines.top": False, "axes.spines.right": False}
OUTCOME_STYLES = {
    "NRS": (VERMILLION, "o", "-"),
    "PEG": (GREEN, "s", "--"),
    "BPI interference": (PURPLE, "^", ":"),
}


def _svg(fig: Figure) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight")
    return buffer.getvalue()


def _empty(message: str) -> str:
    with rc_context(_RC):
        fig = Figure(figsize=(6, 1.2))
        ax = fig.add_subplot()
        ax.axis("off")
        ax.text(0.5, 0.5, message, ha="center", va="center", color=GREY)
        return _svg(fig)


def _date_axis(ax, first: date, last: date) -> None:
    """Dates on x, from ``first`` to ``last`` with a margin. The limits are set explicitly: a lone
    point (one OME figure, one planned step, one pain score) otherwise gives a zero-width range,
    on which AutoDateLocator finds no interval and warns while drawing."""
    pad = timedelta(days=max(1, (last - first).days // 20))
    ax.set_xlim(first - pad, last + pad)
    ax.xaxis.set_major_locator(AutoDateLocator(minticks=2, maxticks=8))
    ax.xaxis.set_major_formatter(DateFormatter("%d %b %Y"))
    for label in ax.get_xticklabels():
        label.set_rotation(20)
        label.set_horizontalalignment("right")


def _ome_axis(ax, series, planned, steps, thresholds, until: date) -> None:
    if series:
        xs = [d for d, _ in series] + [until]
        ys = [v for _, v in series] + [series[-1][1]]
        ax.step(xs, ys, where="post", color=BLUE, linewidth=2, label="Daily OME (recorded)")
        ax.plot(xs[:-1], ys[:-1], linestyle="none", marker="o", color=BLUE)
    if planned:
        ax.step(
            [d for d, _ in planned],
            [v for _, v in planned],
            where="post",
            color=ORANGE,
            linestyle="--",
            linewidth=1.5,
            label="Taper plan",
        )
    if steps:
        ax.plot(
            [d for d, _ in steps],
            [v for _, v in steps],
            linestyle="none",
            marker="D",
            color=GREEN,
            label="Taper steps taken",
        )
    for value, label in thresholds:
        ax.axhline(value, color=GREY, linestyle=":", linewidth=1)
        ax.annotate(
            plain(label),
            (1, value),
            xycoords=("axes fraction", "data"),
            ha="right",
            va="bottom",
            color=GREY,
        )
    ax.set_ylabel("mg oral morphine a day")
    ax.set_ylim(bottom=0)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper right", frameon=False, fontsize=8)


def ome_chart(
    series: Sequence[tuple[date, float]],
    planned: Sequence[tuple[date, float]] = (),
    steps: Sequence[tuple[date, float]] = (),
    thresholds: Sequence[tuple[float, str]] = (),
    today: date | None = None,
) -> str:
    if not series and not planned:
        return _empty("No opioid doses recorded yet.")
    today = today or date.today()
    dates = [d for d, _ in [*series, *planned, *steps]]
    last = max([*dates, today])
    with rc_context(_RC):
        fig = Figure(figsize=(7, 3.2))
        ax = fig.add_subplot()
        _ome_axis(ax, series, planned, steps, thresholds, last + timedelta(days=1))
        _date_axis(ax, min(dates), last + timedelta(days=1))
        ax.set_title("Daily oral morphine equivalent", loc="left")
        return _svg(fig)


def ome_outcomes_chart(
    series: Sequence[tuple[date, float]],
    outcomes: dict[str, Sequence[tuple[date, float]]],
    planned: Sequence[tuple[date, float]] = (),
    today: date | None = None,
) -> str:
    """OME above the 0-10 outcomes on a shared date axis."""
    shown = {name: points for name, points in outcomes.items() if points}
    if not series and not shown:
        return _empty("No opioid doses and no pain scores recorded yet.")
    today = today or date.today()
    every = [d for d, _ in series] + [d for pts in shown.values() for d, _ in pts]
    last = max([*every, today])
    with rc_context(_RC):
        fig = Figure(figsize=(7, 5.2))
        top, bottom = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [1, 1]})
        _ome_axis(top, series, planned, (), (), last + timedelta(days=1))
        top.set_title("Daily oral morphine equivalent", loc="left")
        for name, points in shown.items():
            colour, marker, style = OUTCOME_STYLES.get(name, (GREY, "x", "-"))
            bottom.plot(
                [d for d, _ in points],
                [v for _, v in points],
                color=colour,
                marker=marker,
                linestyle=style,
                label=plain(name),
            )
        if not shown:
            bottom.text(
                0.5, 0.5, "No pain scores recorded yet.", transform=bottom.transAxes,
                ha="center", color=GREY,
            )  # fmt: skip
        bottom.set_ylim(0, 10)
        bottom.set_ylabel("score (0-10, higher is worse)")
        bottom.set_title("Pain and interference", loc="left")
        if shown:
            bottom.legend(loc="upper right", frameon=False, fontsize=8)
        shown_dates = [*every, *(d for d, _ in planned)]
        _date_axis(bottom, min(shown_dates), max([*shown_dates, last]) + timedelta(days=1))
        fig.align_ylabels()
        return _svg(fig)
