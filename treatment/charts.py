"""Treatment charts: GAS T-score history, expectancy violation across exposure sessions, and the
pacing log against its quota. SVG text from ``matplotlib.figure.Figure`` (no pyplot: nothing
global, safe in threads and workers; same rule as sced/plots.py). No ORM: callers pass plain data.

Colours are Okabe-Ito and every series also has its own marker or line style, so the charts read
in greyscale print and for the common colour-vision deficiencies (sced/plots.py).

Each ``*_chart`` (SVG text) draws the figure its ``*_figure`` builds (tests read the figure).
Session and day axes tick at whole numbers; user text (activities, units) is drawn literally and
shortened with an ellipsis, never cut mid-word (painclinic/charts.py); the pages' tables have it
in full.
"""

from __future__ import annotations

import io
from datetime import date
from typing import TYPE_CHECKING, Any

from matplotlib import rc_context
from matplotlib.figure import Figure

from painclinic.charts import integer_axis, plain, shorten, wrap

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

BLUE = "#0072B2"
ORANGE = "#E69F00"
GREEN = "#009E73"
VERMILLION = "#D55E00"
GREY = "#6c757d"

_RC = {"font.size": 9, "svg.fonttype": "none", "axes.spines.top": False, "axes.spines.right": False}


def _svg(fig: Figure) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight")
    return buffer.getvalue()


def _render(build: Callable[..., Figure], *args: Any) -> str:
    with rc_context(_RC):
        return _svg(build(*args))


def _empty(message: str) -> Figure:
    fig = Figure(figsize=(6, 1.2))
    ax = fig.add_subplot()
    ax.axis("off")
    ax.text(0.5, 0.5, message, ha="center", va="center", color=GREY)
    return fig


def gas_chart(points: Sequence[GasChartPoint]) -> str:
    """T-score per review (label, T or None when unscorable[, date]). 50 = goals attained as
    expected."""
    return _render(gas_figure, points)


# (label, T-score or None, and optionally the date the point belongs to)
GasChartPoint = tuple[str, float | None] | tuple[str, float | None, date | None]


def gas_figure(points: Sequence[GasChartPoint]) -> Figure:
    """Reviews sit at their dates when every point has one (a review three months after the
    last is three times as far as one a month after it); otherwise in order, one apart."""
    labels = [p[0] for p in points]
    days = [p[2] if len(p) > 2 else None for p in points]
    dated = all(d is not None for d in days)
    xs_all = (
        [float((d - days[0]).days) for d in days]
        if dated
        else [float(i) for i in range(len(points))]
    )
    scored = [(x, p[1]) for x, p in zip(xs_all, points, strict=True) if p[1] is not None]
    if not scored:
        return _empty("No goal attainment score yet: review every goal to score it.")
    fig = Figure(figsize=(6.4, 3.0))
    ax = fig.add_subplot()
    span = max(xs_all[-1] - xs_all[0], 1.0)
    pad = span * 0.08 if dated else 0.5
    ax.axhline(50, color=GREY, linestyle="--", linewidth=1)
    ax.text(xs_all[-1] + pad, 50.6, "50 = as expected", color=GREY, ha="right", va="bottom")
    xs = [x for x, _ in scored]
    ys = [t for _, t in scored]
    ax.plot(xs, ys, color=BLUE, marker="o", linewidth=2, label="Goal attainment score")
    for x, y in zip(xs, ys, strict=True):
        ax.annotate(f"{y:.1f}", (x, y), textcoords="offset points", xytext=(0, 7), ha="center")
    ax.set_xticks(xs_all, [plain(label) for label in labels], rotation=20, ha="right")
    low = min([*ys, 30.0]) - 5
    high = max([*ys, 70.0]) + 5
    ax.set_ylim(low, high)
    ax.set_xlim(xs_all[0] - pad, xs_all[-1] + pad)
    ax.set_ylabel("Goal attainment (higher is better)")
    # The method (Kiresuk & Sherman 1968, weights, rho 0.3) is named in the page's Sources.
    ax.set_title("Goal attainment over time", loc="left")
    return fig


def exposure_chart(
    sessions: Sequence[tuple[int, str, float, float, float]],
) -> str:
    """Per behavioural experiment: (session, activity, expectancy before, after, peak fear).

    Expectancy before (filled circles) and after (open squares), joined by a vertical line: its
    length is the belief change (before minus after). The expectancy violation (the prediction
    against what happened) is in the page's table. Peak fear as a dotted line with triangles.
    """
    return _render(exposure_figure, sessions)


def exposure_figure(sessions: Sequence[tuple[int, str, float, float, float]]) -> Figure:
    if not sessions:
        return _empty("No exposure sessions logged yet.")
    fig = Figure(figsize=(6.4, 3.2))
    ax = fig.add_subplot()
    xs = [s[0] for s in sessions]
    # One collection for all the before-after lines (one vlines call per session cost ~2 ms
    # each in the request, issue #16).
    ax.vlines(
        xs,
        [min(s[2], s[3]) for s in sessions],
        [max(s[2], s[3]) for s in sessions],
        color=GREY,
        linewidth=1,
    )
    ax.plot(xs, [s[2] for s in sessions], "o", color=VERMILLION, label="Expectancy before")
    ax.plot(
        xs,
        [s[3] for s in sessions],
        "s",
        color=BLUE,
        markerfacecolor="white",
        label="Expectancy after",
    )
    ax.plot(xs, [s[4] for s in sessions], "^:", color=ORANGE, label="Peak fear", linewidth=1)
    # The activity is named where it changes (graded exposure repeats a step over several
    # sessions), otherwise only the violation; neighbouring labels alternate between two heights
    # when there are more than a few. The legend sits below the plot, never over a value.
    stagger = len(sessions) > 4
    previous = None
    for i, (x, activity, before, after, _) in enumerate(sessions):
        name = shorten(activity, 22) if activity != previous else ""
        previous = activity
        change = f"−{before - after:g}" if before >= after else ""
        text = f"{name} ({change})" if name and change else name or change
        ax.annotate(
            plain(text),
            (x, max(before, after)),
            textcoords="offset points",
            # A name runs to the right of its point (clear of the axis on the left).
            xytext=(-4 if name else 0, 20 if stagger and i % 2 else 6),
            ha="left" if name else "center",
            fontsize=7,
            gid="activity",
        )
    ax.set_ylim(0, 125)
    ax.set_yticks(range(0, 101, 20))
    ax.set_xlim(min(xs) - 0.6, max(xs) + 0.6)
    integer_axis(ax.xaxis)
    ax.set_xlabel("Exposure session")
    ax.set_ylabel("0-100")
    ax.set_title("Expectancy of the feared outcome, before and after", loc="left")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), fontsize=7, frameon=False, ncols=3)
    return fig


def hierarchy_chart(items: Sequence[tuple[str, float, float | None]]) -> str:
    """Per hierarchy item: (activity, fear rating, mean expectancy violation or None)."""
    return _render(hierarchy_figure, items)


HIERARCHY_LABEL_WIDTH = 30  # characters a line; two lines, then an ellipsis


def hierarchy_figure(items: Sequence[tuple[str, float, float | None]]) -> Figure:
    if not items:
        return _empty("The hierarchy is empty.")
    # Labels wrap onto two lines; bbox_inches="tight" widens the SVG to fit them.
    fig = Figure(figsize=(6.4, 0.6 + 0.55 * len(items)))
    ax = fig.add_subplot()
    ys = list(range(len(items)))
    ax.barh(ys, [i[1] for i in items], color="#cfe2f3", edgecolor=BLUE, label="Fear rating")
    for y, (_, _, violation) in zip(ys, items, strict=True):
        if violation is not None:
            ax.plot([violation], [y], "D", color=VERMILLION)
    ax.set_yticks(ys, [plain(wrap(i[0], HIERARCHY_LABEL_WIDTH)) for i in items])
    ax.set_xlim(min([0.0, *[i[2] or 0 for i in items]]) - 5, 105)
    ax.set_xlabel("Fear rating 0-100 (bar); mean expectancy violation (diamond)")
    return fig


def pacing_chart(
    quotas: Sequence[float], done: Sequence[float | None], unit: str, activity: str
) -> str:
    """Planned daily quota (step line) and what was done (points) per day."""
    return _render(pacing_figure, quotas, done, unit, activity)


def pacing_figure(
    quotas: Sequence[float], done: Sequence[float | None], unit: str, activity: str
) -> Figure:
    if not quotas:
        return _empty("No schedule: the starting quota could not be set.")
    fig = Figure(figsize=(6.4, 3.0))
    ax = fig.add_subplot()
    days = list(range(1, len(quotas) + 1))
    ax.step(days, quotas, where="mid", color=BLUE, linewidth=2, label="Quota")
    logged = [(d, v) for d, v in zip(days, done, strict=False) if v is not None]
    if logged:
        ax.plot(
            [d for d, _ in logged],
            [v for _, v in logged],
            "o",
            color=VERMILLION,
            label="Done",
        )
    ax.set_ylim(0, max([*quotas, *[v for _, v in logged]]) * 1.15)
    integer_axis(ax.xaxis)
    ax.set_xlabel("Day")
    ax.set_ylabel(plain(shorten(unit, 30)))
    ax.set_title(plain(f"{shorten(activity, 48)}: done against quota"), loc="left")
    ax.legend(loc="lower right", frameon=False, fontsize=7)
    return fig
