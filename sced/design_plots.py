"""Graphs of the alternating-treatments and changing-criterion designs (issue #12).

Built from the pieces of ``sced.plots`` (styles, axes, arrow, export), so the look is the same:

* Alternating treatments: one path per condition across the sessions (A open circles, B filled
  squares), no phase-change lines, because the conditions alternate session by session
  (Barlow & Hayes 1979; WWC 2010: ATD data are read as separate condition series).
* Changing criterion: the values by session with the phase-change lines, and each phase's
  criterion as a step line over that phase (Hartmann & Hall 1976).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from painclinic.charts import plain, runs
from sced import plots as base

if TYPE_CHECKING:
    from collections.abc import Sequence

CRITERION_GID = "criterion"
CRITERION_COLOUR = base.OKABE_ITO["green"]
CONDITION_NAMES = {"A": "Condition A", "B": "Condition B"}


def _figure(measure_name: str, unit: str) -> tuple[Figure, Any, str]:
    fig = Figure(figsize=(base.WIDTH_IN, 4.6), dpi=base.DPI, layout="constrained")
    ax = fig.subplots(1, 1)
    return fig, ax, plain(f"{measure_name} ({unit})" if unit else measure_name)


def render_atd_plot(
    conditions: Sequence[tuple[str, Sequence[int], Sequence[float]]],
    *,
    measure_name: str,
    unit: str = "",
    y_range: tuple[float, float] | None = None,
    improvement: Literal["increase", "decrease"],
    n_sessions: int,
    formats: Sequence[str] = ("png", "svg"),
) -> dict[str, bytes]:
    """``conditions``: (condition, sessions, values) of A and of B; one path each, joining
    the condition's consecutive sessions of that condition (a missed session breaks it)."""
    fig, ax, y_label = _figure(measure_name, unit)
    handles = []
    all_values: list[float] = []
    for condition, sessions, values in conditions:
        colour, marker, face = base.PHASE_STYLE.get(condition, base.OTHER_STYLE)
        ax.plot(
            list(sessions),
            list(values),
            color=colour,
            marker=marker,
            markerfacecolor=face,
            markeredgecolor=colour,
            markersize=7,
            linewidth=1.6,
            zorder=3,
            clip_on=False,
            gid=f"{base.VALUES_GID}-{condition}",
        )
        all_values.extend(values)
        handles.append(
            Line2D(
                [],
                [],
                color=colour,
                marker=marker,
                markerfacecolor=face,
                label=CONDITION_NAMES.get(condition, condition),
            )
        )
    last = max([n_sessions, *(max(s) for _, s, _ in conditions if s)])
    base._finish_axes(ax, base._y_limits(y_range, all_values), int(last))
    ax.set_ylabel(y_label, fontsize=base.FONT_SIZE)
    ax.set_xlabel("Session", fontsize=base.FONT_SIZE)
    base._better_arrow(fig, ax, improvement)
    fig.legend(
        handles=handles, loc="outside lower center", ncol=2, frameon=False,
        fontsize=base.FONT_SIZE - 1,
    )  # fmt: skip
    return base._export(fig, formats)


def render_criterion_plot(
    phases: Sequence[tuple[str, Sequence[int], Sequence[float], float | None]],
    *,
    measure_name: str,
    unit: str = "",
    y_range: tuple[float, float] | None = None,
    improvement: Literal["increase", "decrease"],
    planned_spans: Sequence[tuple[str, int, int]],
    formats: Sequence[str] = ("png", "svg"),
) -> dict[str, bytes]:
    """``phases``: (label, sessions, values, criterion) in order; ``planned_spans``: (label,
    first, last session) of every planned phase, so a criterion line spans its whole phase."""
    fig, ax, y_label = _figure(measure_name, unit)
    all_values: list[float] = []
    used = set()
    for label, sessions, values, _criterion in phases:
        colour, marker, face = base.PHASE_STYLE.get(label[:1], base.OTHER_STYLE)
        for xs, ys in runs([int(s) for s in sessions], list(values)):
            ax.plot(
                xs, ys, color=colour, marker=marker, markerfacecolor=face,
                markeredgecolor=colour, markersize=7, linewidth=1.6, zorder=3, clip_on=False,
                gid=base.VALUES_GID,
            )  # fmt: skip
        all_values.extend(values)
        used.add(label[:1])
    criteria = {label: c for label, _s, _v, c in phases}
    for i, (label, first, last) in enumerate(planned_spans):
        if i:
            ax.axvline(
                first - 0.5, color="#555555", linestyle=(0, (5, 3)), linewidth=1.4,
                gid=base.PHASE_LINE_GID, zorder=2,
            )  # fmt: skip
        criterion = criteria.get(label)
        if criterion is not None:
            ax.hlines(
                criterion, first - 0.5, last + 0.5, color=CRITERION_COLOUR, linewidth=2.4,
                zorder=2.5, gid=CRITERION_GID,
            )  # fmt: skip
            all_values.append(criterion)
        ax.text(
            (first + last) / 2, 1.01, plain(label), transform=ax.get_xaxis_transform(),
            ha="center", va="bottom", fontsize=base.FONT_SIZE,
        )  # fmt: skip
    last_session = max([planned_spans[-1][2], *(max(s) for _, s, _, _ in phases if s)])
    base._finish_axes(ax, base._y_limits(y_range, all_values), int(last_session))
    ax.set_ylabel(y_label, fontsize=base.FONT_SIZE)
    ax.set_xlabel("Session", fontsize=base.FONT_SIZE)
    base._better_arrow(fig, ax, improvement)
    handles = []
    for kind, name in (("A", "Baseline (A)"), ("B", "Criterion phase (B)")):
        if kind in used:
            c, m, f = base.PHASE_STYLE[kind]
            handles.append(Line2D([], [], color=c, marker=m, markerfacecolor=f, label=name))
    handles.append(Line2D([], [], color=CRITERION_COLOUR, linewidth=2.4, label="Criterion"))
    fig.legend(
        handles=handles, loc="outside lower center", ncol=3, frameon=False,
        fontsize=base.FONT_SIZE - 1,
    )  # fmt: skip
    return base._export(fig, formats)
