"""Treatment charts read right: whole-number session and day ticks, labels shortened at a word
with an ellipsis (never "Lift laundry baske"), and the patient's own words drawn literally."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.cbook import is_math_text

from treatment import charts

if TYPE_CHECKING:
    from matplotlib.figure import Figure

LAUNDRY = "Lift laundry basket from the floor to the kitchen table"


def _ticks(fig: Figure, axis: str = "x") -> list[float]:
    fig.canvas.draw()
    ax = fig.axes[0]
    lo, hi = ax.get_xlim() if axis == "x" else ax.get_ylim()
    ticks = ax.get_xticks() if axis == "x" else ax.get_yticks()
    return [float(t) for t in ticks if lo <= t <= hi]


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]


def test_one_exposure_session_is_ticked_as_session_1_not_1_5() -> None:
    fig = charts.exposure_figure([(1, LAUNDRY, 80, 40, 70)])
    assert _ticks(fig) == [1.0]
    fig = charts.exposure_figure([(1, LAUNDRY, 80, 40, 70), (2, "Bend", 60, 50, 50)])
    assert _ticks(fig) == [1.0, 2.0]


def test_a_long_activity_is_shortened_at_a_word_with_an_ellipsis() -> None:
    fig = charts.exposure_figure([(1, LAUNDRY, 80, 40, 70)])
    (label,) = [t.get_text() for t in fig.axes[0].texts]
    assert label == "Lift laundry basket… (−40)"
    fig = charts.hierarchy_figure([(LAUNDRY + " and back again, twice a day", 80.0, 30.0)])
    (tick,) = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    first, second = tick.split("\n")
    assert first == "Lift laundry basket from the"
    assert second.endswith("…")
    assert " " not in second[-2:]
    short = charts.hierarchy_figure([("Lifting a crate (retired)", 50.0, None)])
    assert [t.get_text() for t in short.axes[0].get_yticklabels()] == ["Lifting a crate (retired)"]


def test_a_repeated_step_is_named_once_and_labels_stay_clear_of_each_other() -> None:
    rows = [(n, LAUNDRY if n <= 3 else "Bend", 90, 60 - n, 70) for n in range(1, 7)]
    fig = charts.exposure_figure(rows)
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    labels = [t for t in fig.axes[0].texts if t.get_gid() == "activity"]
    assert [t.get_text() for t in labels] == [
        "Lift laundry basket… (−31)",
        "−32",
        "−33",
        "Bend (−34)",
        "−35",
        "−36",
    ]
    boxes = [t.get_window_extent(renderer) for t in labels]
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
    frame = fig.axes[0].get_window_extent(renderer)
    legend = fig.axes[0].get_legend().get_window_extent(renderer)
    assert legend.y1 <= frame.y0  # below the plot, never over a value


def test_pacing_days_are_whole_numbers() -> None:
    fig = charts.pacing_figure([10.0, 12.0], [9.0, None], "minutes", "Walking")
    assert all(t.is_integer() for t in _ticks(fig))
    assert _ticks(fig)


@pytest.mark.parametrize("text", ["$\\frac{", "$x$ and $\\frac{$", "walk $5 to the shop, $5 back"])
def test_the_patient_s_words_are_never_read_as_mathtext(text: str) -> None:
    figures = [
        charts.exposure_figure([(1, text, 80, 40, 70), (2, text, 70, 60, 50)]),
        charts.hierarchy_figure([(text, 80.0, 30.0)]),
        charts.pacing_figure([10.0], [9.0], text, text),
        charts.gas_figure([(text, 40.0), ("01 Feb 2026", 50.0)]),
    ]
    for fig in figures:
        assert not any(is_math_text(t) for t in _texts(fig))
    assert charts.exposure_chart([(1, text, 80, 40, 70)]).startswith("<?xml")  # draws
    assert "<svg" in charts.hierarchy_chart([(text, 80.0, 30.0)])


def test_goal_reviews_sit_at_their_dates_not_evenly_spaced() -> None:
    """Baseline on 1 Jan, reviews on 1 Feb and 1 May: the second gap is three times the first."""
    fig = charts.gas_figure(
        [
            ("Baseline", 40.0, date(2026, 1, 1)),
            ("01 Feb 2026", 50.0, date(2026, 2, 1)),
            ("01 May 2026", 60.0, date(2026, 5, 1)),
        ]
    )
    xs = list(fig.axes[0].lines[-1].get_xdata())
    assert xs == [0.0, 31.0, 120.0]
    title = fig.axes[0].get_title(loc="left")
    assert "Kiresuk" not in title
    assert "ρ" not in title


def test_goal_chart_without_dates_keeps_the_order() -> None:
    fig = charts.gas_figure([("Baseline", 40.0), ("Review", None), ("Review 2", 55.0)])
    assert list(fig.axes[0].lines[-1].get_xdata()) == [0.0, 2.0]
