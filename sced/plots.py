"""The standard single-case graph and the randomization-distribution histogram.

matplotlib with ``matplotlib.figure.Figure`` objects only: no pyplot, so no global figure list,
nothing shared between Celery tasks or threads, and nothing to close. No ORM: callers pass plain
phases and values.

What a clinician expects to see (Kratochwill et al. 2010 WWC standards; Lane & Gast 2014;
scplot's ``add_statline``/``add_ridge``, sced.md §3):

* each value at its own session (a missed session leaves a gap: no line is drawn across it),
  whole-number session ticks, the data path broken at every phase change, a dashed vertical
  line before each phase's first value and the phase names above the panel;
* optional level (mean or median) and trend (OLS, or scan's split-middle) lines per phase, a
  stability envelope (median ± 25 %) and the CDC criterion lines (Fisher, Kelley & Lomas 2003);
* the y axis spanning the measure's full range (a 0–10 NRS always shows 0–10) and an arrow
  that says which way is better;
* multiple-baseline designs as stacked panels with a shared session axis, so the staggered
  phase changes line up.

Colours are the Okabe–Ito palette (safe for the common colour-vision deficiencies) and each
element also has its own marker or line style, so the graph reads in greyscale print.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
from matplotlib import rc_context, rcParams
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.transforms import blended_transform_factory, offset_copy
from PIL import Image

from painclinic.charts import integer_axis, plain, runs, scale_limits
from sced.stats.phases import Phase
from sced.stats.visual import cdc_lines, trend_lines

# A phase is (label, values) or (label, values, sessions): with its sessions, each value sits at
# its own session and a missed session leaves a gap; without, the values are taken as
# consecutive sessions from 1.
Phases = Sequence[tuple[str, Sequence[float]] | tuple[str, Sequence[float], Sequence[int]]]
Tiers = Sequence[tuple[str, Phases]]
Level = Literal["mean", "median"] | None
Trend = Literal["ols", "split_middle", "tri_split", "theil_sen"] | None
TREND_NAMES = {
    "ols": "OLS trend",
    "split_middle": "Split-middle trend",
    "tri_split": "Tri-split trend",
    "theil_sen": "Theil–Sen trend",
}

# Okabe & Ito (2008) "Color Universal Design".
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
}
# Phase kind -> (colour, marker, marker face): baseline open circles, intervention filled squares.
PHASE_STYLE = {
    "A": (OKABE_ITO["blue"], "o", "white"),
    "B": (OKABE_ITO["vermillion"], "s", OKABE_ITO["vermillion"]),
}
OTHER_STYLE = (OKABE_ITO["green"], "^", OKABE_ITO["green"])
PHASE_LINE_GID = "phase-change"
WIDTH_IN = 8.0  # 800 px at DPI
DPI = 100
FONT_SIZE = 12
# Lane & Gast (2014): a phase is "stable" if ≥ 80 % of its points lie within 25 % of its median.
DEFAULT_ENVELOPE = 0.25
# Fisher, Kelley & Lomas (2003) conservative dual criteria: lines shifted by 0.25 baseline SD.
CDC_SHIFT_SD = 0.25

ERR_EMPTY_PHASE = "Phase {label!r} has no values to plot."
ERR_SESSIONS = "Phase {label!r}: sessions must rise, after the previous phase, one per value."
VALUES_GID = "values"
ERR_FORMAT = "Unsupported image format {fmt!r}; use 'png' or 'svg'."
# Points between a panel's top and its phase names, and between these and a tier's title.
PHASE_NAME_GAP_PT = 3.5
TITLE_GAP_PT = 3.0
# Pixels kept free at the figure's edges and between stacked parts.
EDGE_PX = 5.0


def _kind(label: str) -> str:
    letter = label.strip()[:1].upper()
    return letter if letter in PHASE_STYLE else "other"


def _style(label: str) -> tuple[str, str, str]:
    return PHASE_STYLE.get(_kind(label), OTHER_STYLE)


# --- layout ------------------------------------------------------------------------------------


def _is_tiers(data: Phases | Tiers) -> bool:
    first = data[0][1]
    return len(first) > 0 and isinstance(first[0], tuple | list)


def _spans(phases: Phases) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(label, sessions, values) per phase, sessions given or consecutive from 1."""
    spans: list[tuple[str, np.ndarray, np.ndarray]] = []
    session = 1
    for phase in phases:
        label, values = phase[0], phase[1]
        if len(values) == 0:
            raise ValueError(ERR_EMPTY_PHASE.format(label=label))
        if len(phase) > 2:
            t = np.asarray(phase[2], dtype=float)
            if len(t) != len(values) or t[0] < session or np.any(np.diff(t) <= 0):
                raise ValueError(ERR_SESSIONS.format(label=label))
        else:
            t = np.arange(session, session + len(values), dtype=float)
        spans.append((label, t, np.asarray(values, float)))
        session = int(t[-1]) + 1
    return spans


def _last_session(phases: Phases) -> int:
    return int(_spans(phases)[-1][1][-1])


def _y_limits(y_range: tuple[float, float] | None, values: Sequence[float]) -> tuple[float, float]:
    lo, hi = y_range if y_range is not None else (min(values), max(values))
    # Points on the floor or ceiling of the scale stay visible.
    return scale_limits(lo, hi, margin=0.04)


def _trend_segments(spans: list, trend: Trend) -> dict[int, Any]:
    """Trend lines from sced.stats.visual, by the first session of their phase, so the graph
    shows the lines the analysis reports (global session numbers; phases too short for the
    method get none). With a missed session they are fitted on the sessions drawn, so each line
    runs through its own points; the analysis's lines count observed values and then differ
    slightly."""
    if trend is None:
        return {}
    return {
        seg.start: seg
        for seg in trend_lines(
            [Phase(label, tuple(float(v) for v in y)) for label, _, y in spans],
            method=trend,
            sessions=[t for _, t, _ in spans],
        )
    }


def _draw_data_paths(ax: Any, spans: list) -> set[str]:
    """Each value at its own session. The path is broken at phase changes (WWC convention)
    and at every missed session: a line across a gap would show a value never measured."""
    used: set[str] = set()
    for label, t, y in spans:
        colour, marker, face = _style(label)
        for xs, ys in runs([int(x) for x in t], list(y)):
            ax.plot(
                xs,
                ys,
                color=colour,
                marker=marker,
                markerfacecolor=face,
                markeredgecolor=colour,
                markersize=7,
                linewidth=1.6,
                zorder=3,
                clip_on=False,
                gid=VALUES_GID,
            )
        used.add(_kind(label))
    return used


def _draw_phase_lines(ax: Any, spans: list) -> None:
    """A dashed vertical line at every phase change."""
    for _, t, _ in spans[1:]:
        ax.axvline(
            t[0] - 0.5,
            color="#555555",
            linestyle=(0, (5, 3)),
            linewidth=1.4,
            gid=PHASE_LINE_GID,
            zorder=2,
        )


def _draw_phase_aids(
    ax: Any,
    spans: list,
    *,
    level: Level,
    trends: dict[int, Any],
    stability_envelope: bool | float,
) -> set[str]:
    """Per phase: its level line, its trend line and its stability envelope, as asked."""
    used: set[str] = set()
    for _, t, y in spans:
        x0, x1 = t[0] - 0.5, t[-1] + 0.5
        if level is not None:
            lv = float(np.mean(y) if level == "mean" else np.median(y))
            ax.hlines(
                lv,
                x0 + 0.15,
                x1 - 0.15,
                colors=OKABE_ITO["black"],
                linestyles="-",
                linewidth=1.8,
                zorder=2.5,
                alpha=0.85,
            )
            used.add("level")
        segment = trends.get(int(t[0]))
        if segment is not None:
            ends = np.array([t[0], t[-1]])
            ax.plot(
                ends,
                segment.line.at(ends),
                color=OKABE_ITO["purple"],
                linestyle=(0, (1.5, 1.5)),
                linewidth=2.2,
                zorder=2.6,
                gid="trend",
            )
            used.add("trend")
        if stability_envelope:
            share = DEFAULT_ENVELOPE if stability_envelope is True else float(stability_envelope)
            med = float(np.median(y))
            ax.fill_between(
                [x0 + 0.1, x1 - 0.1],
                med - share * abs(med),
                med + share * abs(med),
                color=OKABE_ITO["sky_blue"],
                alpha=0.22,
                hatch="///",
                edgecolor=OKABE_ITO["sky_blue"],
                linewidth=0,
                zorder=1,
            )
            used.add("envelope")
    return used


def _draw_cdc(ax: Any, spans: list, improvement: Literal["increase", "decrease"]) -> set[str]:
    """CDC lines (Fisher, Kelley & Lomas 2003) for each A phase followed by a B phase, from
    sced.stats.visual.cdc_lines so they match the reported CDC decision."""
    used: set[str] = set()
    for (la, ta, ya), (lb, tb, yb) in itertools.pairwise(spans):
        if _kind(la) != "A" or _kind(lb) != "B":
            continue
        res = cdc_lines(
            ya,
            yb,
            improvement=improvement,
            a_start=int(ta[0]),
            conservative=CDC_SHIFT_SD,
            sessions=(ta, tb),
        )
        if res.mean_line is None or res.trend_line is None:
            continue
        xs = np.array([tb[0] - 0.5, tb[-1] + 0.5])
        ax.plot(
            xs,
            res.mean_line.at(xs),
            color=OKABE_ITO["green"],
            linestyle="-.",
            linewidth=1.6,
            gid="cdc-mean",
        )
        ax.plot(
            xs,
            res.trend_line.at(xs),
            color=OKABE_ITO["orange"],
            linestyle=(0, (6, 2)),
            linewidth=1.6,
            gid="cdc-trend",
        )
        used.add("cdc")
    return used


def _draw_phase_names(ax: Any, spans: list) -> None:
    """Phase names above the panel, bold, over the middle of each phase: one text each (issue
    #16: a second axis with its own ticks cost a tenth of the drawing); the layout keeps room
    for them above the panel and puts a tier's title above them."""
    above = offset_copy(
        blended_transform_factory(ax.transData, ax.transAxes),
        fig=ax.figure,
        y=PHASE_NAME_GAP_PT,
        units="points",
    )
    for label, t, _ in spans:
        ax.text(
            (t[0] + t[-1]) / 2,
            1.0,
            plain(label),
            transform=above,
            ha="center",
            va="bottom",
            fontsize=FONT_SIZE,
            fontweight="bold",
            gid="phase-name",
        )


def _finish_axes(ax: Any, y_limits: tuple[float, float], last_session: int) -> None:
    """Scale, session ticks, grid and spines of one panel."""
    ax.set_ylim(*y_limits)
    ax.set_xlim(0.4, last_session + 1 - 0.4)
    integer_axis(ax.xaxis)
    ax.grid(axis="y", color="#dddddd", linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(labelsize=FONT_SIZE - 1)


def _draw_panel(
    ax: Any,
    phases: Phases,
    *,
    y_range: tuple[float, float] | None,
    improvement: Literal["increase", "decrease"],
    level: Level,
    trend: Trend,
    stability_envelope: bool | float,
    cdc: bool,
    show_phase_names: bool,
) -> set[str]:
    """Draw one series; returns the legend keys it used.

    Each part draws its own kind of mark; every kind has its own z-order, so the order of the
    calls does not change the picture (data paths on top, then trend, level, phase lines, the
    envelope at the bottom)."""
    spans = _spans(phases)
    y_limits = _y_limits(y_range, [v for _, _, y in spans for v in y])
    used = _draw_data_paths(ax, spans)
    _draw_phase_lines(ax, spans)
    used |= _draw_phase_aids(
        ax,
        spans,
        level=level,
        trends=_trend_segments(spans, trend),
        stability_envelope=stability_envelope,
    )
    if cdc:
        used |= _draw_cdc(ax, spans, improvement)
    if show_phase_names:
        _draw_phase_names(ax, spans)
    _finish_axes(ax, y_limits, int(spans[-1][1][-1]))
    return used


def _better_arrow(fig: Figure, ax: object, improvement: str) -> None:
    # Arrow in the right margin: up for "increase", down for "decrease", with the words too, so
    # nobody has to remember which way a pain scale runs.
    up = improvement == "increase"
    tail, head = (0.2, 0.8) if up else (0.8, 0.2)
    ax.annotate(
        "",
        xy=(1.06, head),
        xytext=(1.06, tail),
        xycoords="axes fraction",
        arrowprops={
            "arrowstyle": "-|>,head_width=0.5,head_length=0.8",
            "color": OKABE_ITO["black"],
            "linewidth": 2.2,
        },
    )
    ax.text(
        1.06,
        head + (0.04 if up else -0.04),
        "better ↑" if up else "better ↓",
        transform=ax.transAxes,
        ha="center",
        va="bottom" if up else "top",
        fontsize=FONT_SIZE,
        fontweight="bold",
        gid="better-label",
    )


def _legend(
    fig: Figure, used: set[str], level: Level, trend: Trend, *, envelope: bool | float
) -> float:
    """The legend under the panels; returns its height in pixels."""
    handles = []
    if "A" in used:
        c, m, f = PHASE_STYLE["A"]
        handles.append(Line2D([], [], color=c, marker=m, markerfacecolor=f, label="Baseline (A)"))
    if "B" in used:
        c, m, f = PHASE_STYLE["B"]
        handles.append(
            Line2D([], [], color=c, marker=m, markerfacecolor=f, label="Intervention (B)")
        )
    if "other" in used:
        c, m, f = OTHER_STYLE
        handles.append(Line2D([], [], color=c, marker=m, markerfacecolor=f, label="Other phase"))
    if "level" in used:
        handles.append(Line2D([], [], color="black", linewidth=1.8, label=f"Phase {level}"))
    if "trend" in used:
        name = TREND_NAMES.get(trend or "", "Trend")
        handles.append(
            Line2D(
                [],
                [],
                color=OKABE_ITO["purple"],
                linestyle=(0, (1.5, 1.5)),
                linewidth=2.2,
                label=name,
            )
        )
    if "envelope" in used:
        share = DEFAULT_ENVELOPE if envelope is True else float(envelope)
        handles.append(
            Patch(
                facecolor=OKABE_ITO["sky_blue"],
                alpha=0.35,
                hatch="///",
                label=f"Median ±{share:.0%} envelope",
            )
        )
    if "cdc" in used:
        handles.append(
            Line2D([], [], color=OKABE_ITO["green"], linestyle="-.", label="CDC mean criterion")
        )
        handles.append(
            Line2D(
                [],
                [],
                color=OKABE_ITO["orange"],
                linestyle=(0, (6, 2)),
                label="CDC trend criterion",
            )
        )
    ncol = 4 if len(handles) <= 4 else 3
    fig.legend(
        handles=handles,
        loc="lower center",
        ncol=ncol,
        frameon=False,
        fontsize=FONT_SIZE - 1,
        handlelength=2.6,
    )
    return _legend_px(len(handles), ncol, FONT_SIZE - 1)


# --- layout (issue #16) -------------------------------------------------------------------------
#
# The panels are placed by arithmetic on what surrounds them: the widths of the y tick labels
# and of the "better" label are measured with the renderer that then draws them (the measure
# is kept for the drawing), every height is a line of text at its size. matplotlib's
# constrained layout measured every artist of the figure for this: a fifth of the drawing.

LINE_EM = 1.17  # DejaVu Sans: ascender + descender, in ems (matplotlib's line height)


def _px(points: float) -> float:
    return points * DPI / 72


def _line_px(size: float) -> float:
    return _px(size) * LINE_EM


def _width_px(renderer: Any, text: str, size: float, weight: str = "normal") -> float:
    if not text:
        return 0.0
    font = FontProperties(size=size, weight=weight)
    return renderer.get_text_width_height_descent(text, font, ismath=False)[0]


def _tick_labels(axis: Any) -> list[str]:
    """The labels the axis will draw at its major ticks in view."""
    lo, hi = sorted(axis.get_view_interval())
    tol = 1e-9 * max(1.0, abs(hi - lo))
    locs = [v for v in axis.get_major_locator()() if lo - tol <= v <= hi + tol]
    return list(axis.get_major_formatter().format_ticks(locs))


def _panel_title(ax: Any, name: str) -> None:
    """A tier's or measure's name as a left-aligned, bold panel title above the phase names,
    placed by its pad (``y`` given), so matplotlib measures nothing to lift it over top ticks."""
    ax.set_title(
        plain(name),
        loc="left",
        fontsize=FONT_SIZE + 1,
        fontweight="bold",
        pad=_names_block_pt() + TITLE_GAP_PT,
        y=1.0,
    )


def _tick_px(axis_name: str) -> float:
    params: Any = rcParams  # keyed by a name built here, which the stubs cannot check
    return _px(params[f"{axis_name}.major.size"] + params[f"{axis_name}.major.pad"])


def _names_block_pt() -> float:
    """Height of the phase names above a panel, in points."""
    return PHASE_NAME_GAP_PT + FONT_SIZE * LINE_EM


def _legend_px(n_handles: int, ncol: int, size: float) -> float:
    """Height of a frameless figure legend at the bottom edge (matplotlib's default paddings:
    labelspacing 0.5, borderpad 0.4, borderaxespad 0.5 of the font size)."""
    rows = -(-n_handles // ncol)
    font = _px(size)
    # Rows follow each other at 1.5 font sizes; the first is a whole line high.
    return _line_px(size) + (rows - 1) * 1.5 * font + 0.8 * font + 0.5 * font


def _place_panels(
    fig: Figure,
    axes: Sequence[Any],
    *,
    tops: Sequence[float],
    bottom: float,
    arrow: bool,
) -> Any:
    """Put stacked panels of equal height in the figure. ``tops``: pixels wanted above each
    panel (titles, phase names); ``bottom``: pixels below the last one. The left margin fits
    the widest y tick label and the y label, the right one the "better" arrow and its words
    (at 1.06 of the panel's width) or the last x tick label. Returns the renderer that
    measured, for the drawing."""
    renderer = FigureCanvasAgg(fig).get_renderer()
    width, height = fig.bbox.width, fig.bbox.height
    left = 0.0
    for ax in axes:
        labels = _tick_labels(ax.yaxis)
        widest = max((_width_px(renderer, t, FONT_SIZE - 1) for t in labels), default=0.0)
        y_label = ax.yaxis.label
        label = (
            _line_px(y_label.get_fontsize()) + _px(rcParams["axes.labelpad"])
            if y_label.get_text()
            else 0.0
        )
        left = max(left, EDGE_PX + label + widest + _tick_px("ytick"))
    if arrow:
        words = _width_px(renderer, "better ↓", FONT_SIZE, "bold")
        right = (0.06 * (width - left) + words / 2 + EDGE_PX) / 1.06
    else:
        last = _tick_labels(axes[-1].xaxis)[-1:]
        right = EDGE_PX + max((_width_px(renderer, t, FONT_SIZE - 1) for t in last), default=0) / 2
    gaps = [top + _px(rcParams["xtick.major.size"]) + EDGE_PX for top in tops[1:]]
    panel = (height - tops[0] - bottom - sum(gaps)) / len(axes)
    y = height - tops[0]
    for i, ax in enumerate(axes):
        ax.set_position(
            [left / width, (y - panel) / height, (width - left - right) / width, panel / height]
        )
        y -= panel + (gaps[i] if i < len(gaps) else 0)
    return renderer


def _x_axis_px(x_label: str) -> float:
    """Pixels under a panel for its x tick labels and its x label."""
    out = _tick_px("xtick") + _line_px(FONT_SIZE - 1)
    if x_label:
        out += _px(rcParams["axes.labelpad"]) + _line_px(FONT_SIZE)
    return out


def _export(fig: Figure, formats: Sequence[str]) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for fmt in formats:
        if fmt not in ("png", "svg"):
            raise ValueError(ERR_FORMAT.format(fmt=fmt))
        if fmt == "png":
            out[fmt] = _png(fig)
        else:
            buffer = io.BytesIO()
            # No dates or software versions in the files: the same data give the same bytes.
            # A fixed salt makes SVG element ids (clip paths) stable between runs.
            with rc_context({"svg.hashsalt": "painclinic-sced"}):
                fig.savefig(buffer, format=fmt, dpi=DPI, metadata={"Date": None})
            out[fmt] = buffer.getvalue()
        # A layout engine (the ATD and criterion graphs) has settled the layout on the first
        # format; keep it for the other (saves time and keeps PNG and SVG identical in layout).
        fig.set_layout_engine("none")
    return out


def _png(fig: Figure) -> bytes:
    """The figure as an opaque RGB PNG at DPI, drawn by the canvas that measured its layout.
    RGB, not RGBA: the background is white, so the alpha channel only cost encoding time; no
    metadata (the same data give the same bytes)."""
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    canvas.draw()
    rgba = Image.frombuffer(
        "RGBA", canvas.get_width_height(), canvas.buffer_rgba(), "raw", "RGBA", 0, 1
    )
    buffer = io.BytesIO()
    rgba.convert("RGB").save(buffer, format="png", compress_level=3, dpi=(DPI, DPI))
    return buffer.getvalue()


def build_sced_figure(
    data: Phases | Tiers,
    *,
    measure_name: str,
    unit: str = "",
    y_range: tuple[float, float] | None = None,
    improvement: Literal["increase", "decrease"],
    level: Level = "mean",
    trend: Trend = None,
    stability_envelope: bool | float = False,
    cdc: bool = False,
    title: str | None = None,
    x_label: str = "Session",
) -> Figure:
    """The figure behind ``render_sced_plot`` (returned for tests and for embedding)."""
    if improvement not in ("increase", "decrease"):
        raise ValueError(f"improvement must be 'increase' or 'decrease' (got {improvement!r}).")
    if not data:
        raise ValueError("Nothing to plot.")
    tiers: list[tuple[str | None, Phases]] = (
        [(name, phases) for name, phases in data]  # type: ignore[misc]
        if _is_tiers(data)
        else [(None, data)]  # type: ignore[list-item]
    )
    n_panels = len(tiers)
    height = 4.6 if n_panels == 1 else 1.2 + 2.4 * n_panels
    fig = Figure(figsize=(WIDTH_IN, height), dpi=DPI)
    axes = fig.subplots(n_panels, 1, sharex=True, squeeze=False)[:, 0]
    y_label = plain(f"{measure_name} ({unit})" if unit else measure_name)
    used: set[str] = set()
    for i, ((tier_name, phases), ax) in enumerate(zip(tiers, axes, strict=True)):
        used |= _draw_panel(
            ax,
            phases,
            y_range=y_range,
            improvement=improvement,
            level=level,
            trend=trend,
            stability_envelope=stability_envelope,
            cdc=cdc,
            show_phase_names=True,
        )
        ax.set_ylabel(y_label, fontsize=FONT_SIZE - (1 if n_panels > 1 else 0))
        if tier_name is not None:
            # Tier name as a left-aligned panel title (above the phase names).
            _panel_title(ax, tier_name)
        if i == 0:
            _better_arrow(fig, ax, improvement)
        if i == n_panels - 1:
            ax.set_xlabel(plain(x_label), fontsize=FONT_SIZE)
    if n_panels > 1:
        # Panels of different lengths: all share the longest session axis.
        longest = max(_last_session(phases) for _, phases in tiers)
        axes[0].set_xlim(0.4, longest + 0.6)
    if title:
        fig.suptitle(plain(title), fontsize=FONT_SIZE + 2, fontweight="bold")
    legend = _legend(fig, used, level, trend, envelope=stability_envelope)
    tiered = tiers[0][0] is not None
    _place_panels(
        fig,
        axes,
        tops=_panel_tops(n_panels, titled=tiered, suptitle=bool(title), height_px=fig.bbox.height),
        bottom=_x_axis_px(x_label) + legend + EDGE_PX,
        arrow=True,
    )
    return fig


def _panel_tops(n_panels: int, *, titled: bool, suptitle: bool, height_px: float) -> list[float]:
    """Pixels above each panel of an SCED graph: its phase names, its tier title, and above the
    first the figure's title (matplotlib puts it at 98 % of the height)."""
    one = _px(_names_block_pt())
    if titled:
        one += _px(TITLE_GAP_PT) + _line_px(FONT_SIZE + 1)
    first = one + EDGE_PX
    if suptitle:
        first += 0.02 * height_px + _line_px(FONT_SIZE + 2)
    return [first] + [one] * (n_panels - 1)


def render_sced_plot(
    data: Phases | Tiers,
    *,
    measure_name: str,
    unit: str = "",
    y_range: tuple[float, float] | None = None,
    improvement: Literal["increase", "decrease"],
    level: Level = "mean",
    trend: Trend = None,
    stability_envelope: bool | float = False,
    cdc: bool = False,
    title: str | None = None,
    x_label: str = "Session",
    formats: Sequence[str] = ("png", "svg"),
) -> dict[str, bytes]:
    """Render the standard SCED graph; returns ``{"png": bytes, "svg": bytes}``.

    ``data`` is either the phases of one series, ``[("A", [...]), ("B", [...]), …]``, or the
    tiers of a multiple-baseline design, ``[("walking", [("A", [...]), ("B", [...])]), …]``.
    ``y_range`` is the measure's scale (e.g. (0, 10) for a pain NRS); without it the axis follows
    the data. ``stability_envelope`` may be a share (0.2 for ±20 %).
    """
    fig = build_sced_figure(
        data,
        measure_name=measure_name,
        unit=unit,
        y_range=y_range,
        improvement=improvement,
        level=level,
        trend=trend,
        stability_envelope=stability_envelope,
        cdc=cdc,
        title=title,
        x_label=x_label,
    )
    return _export(fig, formats)


def _aligned_edges(dist: np.ndarray, observed: float, n_bins: int) -> tuple[np.ndarray, float]:
    """Bin edges with one edge just below the observed value, so the bins right of it hold
    exactly the assignments counted in p (same tie tolerance as the test, sced.md §5 P6)."""
    lo, hi = min(float(dist.min()), observed), max(float(dist.max()), observed)
    width = (hi - lo) / n_bins if hi > lo else 1.0
    anchor = observed - 1e-9 * max(1.0, abs(observed))
    k_lo = int(np.floor((lo - anchor) / width)) - 1
    k_hi = int(np.ceil((hi - anchor) / width)) + 1
    return anchor + width * np.arange(k_lo, k_hi + 1), width


def build_randomization_figure(
    distribution: Sequence[float],
    observed: float,
    p_value: float,
    *,
    statistic_label: str = "Mean difference (oriented: larger = better)",
    method: str | None = None,
    title: str | None = None,
) -> Figure:
    """Histogram (dot plot for ≤ 60 assignments) of the randomization distribution.

    The assignments counted in p (statistic ≥ observed) are filled in vermillion and hatched;
    the observed statistic is a dashed line, labelled with p.
    """
    dist = np.asarray(distribution, dtype=float)
    if dist.size == 0:
        raise ValueError("The randomization distribution is empty.")
    n = dist.size
    fig = Figure(figsize=(WIDTH_IN, 4.4), dpi=DPI)
    ax = fig.subplots()
    n_bins = int(np.clip(np.sqrt(n) * 1.5, 8, 40))
    edges, width = _aligned_edges(dist, observed, n_bins)
    counts, _ = np.histogram(dist, bins=edges)
    left = edges[:-1]
    anchor = observed - 1e-9 * max(1.0, abs(observed))  # an edge by construction
    extreme = left > anchor - width / 2
    grey, hot = "#bbbbbb", OKABE_ITO["vermillion"]
    if n <= 60:
        # Few assignments (exact AB tests): one marker per assignment at its own value, stacked
        # when values share a bin (a dot plot).
        bin_of = np.clip(np.searchsorted(edges, dist, side="right") - 1, 0, len(left) - 1)
        height = np.zeros(len(left), dtype=int)
        points: dict[bool, tuple[list[float], list[int]]] = {True: ([], []), False: ([], [])}
        for value, b in sorted(zip(dist.tolist(), bin_of.tolist(), strict=True)):
            height[b] += 1
            xs, ys = points[value >= anchor]
            xs.append(value)
            ys.append(int(height[b]))
        # One scatter per marker kind, not one per assignment (issue #16: a third of the time).
        for hit, (xs, ys) in points.items():
            if xs:
                ax.scatter(
                    xs,
                    ys,
                    s=90,
                    marker="s" if hit else "o",
                    color=hot if hit else grey,
                    edgecolor="black",
                    zorder=3,
                )
        ax.set_ylim(0, max(counts.max(), 1) + 1)
        y_label = "Number of assignments (one marker each)"
    else:
        ax.bar(
            left[~extreme],
            counts[~extreme],
            width=width,
            align="edge",
            color=grey,
            edgecolor="#555555",
        )
        ax.bar(
            left[extreme],
            counts[extreme],
            width=width,
            align="edge",
            color=hot,
            edgecolor="black",
            hatch="//",
        )
        y_label = "Number of assignments"
    ax.axvline(observed, color="black", linewidth=2.2, linestyle="--", gid="observed")
    ax.set_xlim(edges[0], edges[-1])
    k = round(p_value * n)
    p_text = f"{k}/{n} = {p_value:.3g}" if method == "exact" else f"{p_value:.3g}"
    right_half = observed > (edges[0] + edges[-1]) / 2
    ax.text(
        observed,
        0.97,
        f"observed = {observed:.3g}  \np = {p_text}  "
        if right_half
        else f"  observed = {observed:.3g}\n  p = {p_text}",
        transform=ax.get_xaxis_transform(),
        ha="right" if right_half else "left",
        va="top",
        fontsize=FONT_SIZE,
        fontweight="bold",
    )
    ax.set_xlabel(plain(statistic_label), fontsize=FONT_SIZE)
    ax.set_ylabel(y_label, fontsize=FONT_SIZE)
    integer_axis(ax.yaxis)
    ax.tick_params(labelsize=FONT_SIZE - 1)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    kind = {"exact": "all ", "monte_carlo": "random sample of "}.get(method or "", "")
    heading = title or f"Randomization distribution ({kind}{n} assignments)"
    # y given: matplotlib then skips measuring the axes to lift the title over top ticks (there
    # are none): a seventh of the drawing (issue #16).
    ax.set_title(plain(heading), fontsize=FONT_SIZE + 1, fontweight="bold", y=1.0)
    fig.legend(
        handles=[
            Patch(
                facecolor=hot,
                edgecolor="black",
                hatch="//" if n > 60 else None,
                label="at least as large as observed (counted in p)",
            ),
            Patch(facecolor=grey, edgecolor="#555555", label="other assignments"),
        ],
        loc="lower center",
        ncol=2,
        frameon=False,
        fontsize=FONT_SIZE - 1,
    )
    top = EDGE_PX + _line_px(FONT_SIZE + 1) + _px(rcParams["axes.titlepad"])
    bottom = _x_axis_px(statistic_label) + _legend_px(2, 2, FONT_SIZE - 1) + EDGE_PX
    _place_panels(fig, [ax], tops=[top], bottom=bottom, arrow=False)
    return fig


def render_randomization_plot(
    distribution: Sequence[float],
    observed: float,
    p_value: float,
    *,
    statistic_label: str = "Mean difference (oriented: larger = better)",
    method: str | None = None,
    title: str | None = None,
    formats: Sequence[str] = ("png", "svg"),
) -> dict[str, bytes]:
    """Render the randomization histogram; returns ``{"png": bytes, "svg": bytes}``."""
    fig = build_randomization_figure(
        distribution, observed, p_value, statistic_label=statistic_label, method=method, title=title
    )
    return _export(fig, formats)


def render_measures_stacked(
    panels: Sequence[tuple[str, Phases, tuple[float, float], Literal["increase", "decrease"]]],
    *,
    stability_envelope: bool | float = False,
    cdc: bool = False,
    formats: Sequence[str] = ("svg",),
) -> dict[str, bytes]:
    """Several measures of one study, one panel each, stacked on a shared session axis
    (issue #12): each panel (title, phases, the measure's scale, its direction of improvement)
    keeps its own scale, arrow and CDC direction; drawn on request with the visual aids asked."""
    if not panels:
        raise ValueError("Nothing to plot.")
    n_panels = len(panels)
    fig = Figure(figsize=(WIDTH_IN, 1.2 + 2.4 * n_panels), dpi=DPI)
    axes = fig.subplots(n_panels, 1, sharex=True, squeeze=False)[:, 0]
    used: set[str] = set()
    for i, ((name, phases, y_range, improvement), ax) in enumerate(zip(panels, axes, strict=True)):
        used |= _draw_panel(
            ax,
            phases,
            y_range=y_range,
            improvement=improvement,
            level="mean",
            trend="ols",
            stability_envelope=stability_envelope,
            cdc=cdc,
            show_phase_names=True,
        )
        _panel_title(ax, name)
        _better_arrow(fig, ax, improvement)
        if i == n_panels - 1:
            ax.set_xlabel("Session", fontsize=FONT_SIZE)
    axes[0].set_xlim(0.4, max(_last_session(p) for _, p, _, _ in panels) + 0.6)
    legend = _legend(fig, used, "mean", "ols", envelope=stability_envelope)
    _place_panels(
        fig,
        axes,
        tops=_panel_tops(n_panels, titled=True, suptitle=False, height_px=fig.bbox.height),
        bottom=_x_axis_px("Session") + legend + EDGE_PX,
        arrow=True,
    )
    return _export(fig, formats)


def warm_up() -> None:
    """Draw one small graph once (a worker's start, issue #16): loads the fonts and the Agg
    renderer so that the first real plot does not pay for them."""
    render_sced_plot(
        [("A", [1.0, 2.0]), ("B", [3.0, 4.0])],
        measure_name="warm-up",
        improvement="increase",
        formats=("png",),
    )
