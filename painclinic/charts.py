"""Small pure helpers that every chart uses (sced/plots.py, treatment/charts.py,
assessment/charts.py and the programmes' GCQ-S chart), so each kind of chart fault is fixed once.

No Django and no clinical app here (painclinic is the bottom layer, shared/DESIGN.md); matplotlib
is imported only by the helper that needs it, so the SVG-in-template charts do not load it.

* ``plain``: user text drawn literally. matplotlib parses any label with a pair of unescaped
  ``$`` as mathtext (a hierarchy step "walk $5 to the shop and $5 back" would render as maths,
  and "$\\frac{$" raises while drawing); escaping every ``$`` turns the parser off for that text
  (``matplotlib.text.Text._preprocess_math``: no unescaped pair, so ``\\$`` is drawn as ``$``).
* ``shorten`` / ``wrap``: long labels end in an ellipsis at a word boundary instead of being cut
  mid-word ("Lift laundry baske"); the pages show the full text in their tables.
* ``integer_axis``: session and day axes tick at whole numbers only, also when only one or two
  sessions are in view (``MaxNLocator(integer=True)`` falls back to 0.45, 0.6 … when fewer than
  two integers are in view).
* ``runs``: consecutive sessions, so a line is never drawn across a missed session.
* ``scale_limits``: an instrument's full scale with a margin, so a score on the floor or ceiling
  (CARE 50) and its label stay inside the axes.
* ``position``: where a session number sits on a linear axis (sessions 1, 2, 4 are not evenly
  spaced).
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence

ELLIPSIS = "…"


def plain(text: object) -> str:
    """``text`` for a matplotlib label, drawn literally (never as mathtext)."""
    return str(text).replace("$", r"\$")


def shorten(text: object, width: int) -> str:
    """At most ``width`` characters; cut at a word boundary and ended with an ellipsis."""
    words = " ".join(str(text).split())
    if len(words) <= width:
        return words
    cut = words[: width - 1]
    space = cut.rfind(" ")
    if space >= width // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-–(") + ELLIPSIS


def wrap(text: object, width: int, max_lines: int = 2) -> str:
    """Wrapped to ``width`` characters a line, at most ``max_lines`` lines (the last shortened)."""
    lines = textwrap.wrap(" ".join(str(text).split()), width) or [""]
    if len(lines) > max_lines:
        rest = " ".join(lines[max_lines - 1 :])
        lines = [*lines[: max_lines - 1], shorten(rest, width)]
    return "\n".join(lines)


def integer_axis(axis: Any) -> None:
    """Ticks at whole numbers only (sessions, days, counts), however few are in view."""
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))


def runs(sessions: Sequence[int], values: Sequence[float]) -> list[tuple[list[int], list[float]]]:
    """(sessions, values) split wherever a session is missing: one run per unbroken stretch."""
    out: list[tuple[list[int], list[float]]] = []
    previous: int | None = None
    for session, value in zip(sessions, values, strict=True):
        if previous is None or session != previous + 1:
            out.append(([], []))
        out[-1][0].append(session)
        out[-1][1].append(value)
        previous = session
    return out


def scale_limits(low: float, high: float, margin: float = 0.06) -> tuple[float, float]:
    """The scale's full range widened by ``margin`` of it on each side."""
    if high <= low:
        low, high = low - 1, high + 1
    pad = margin * (high - low)
    return low - pad, high + pad


def position(value: float, first: float, last: float, left: float, right: float) -> float:
    """Linear position of ``value`` on an axis from ``first`` (at ``left``) to ``last``; a lone
    value sits in the middle."""
    if last == first:
        return (left + right) / 2
    return left + (right - left) * (value - first) / (last - first)
