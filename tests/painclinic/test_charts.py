"""The chart helpers every chart uses (painclinic/charts.py)."""

from __future__ import annotations

import pytest

from painclinic.charts import plain, position, runs, scale_limits, shorten, wrap


@pytest.mark.parametrize(
    ("text", "shown"),
    [("$x$", "\\$x\\$"), ("$\\frac{", "\\$\\frac{"), ("no dollars", "no dollars")],
)
def test_plain_escapes_every_dollar(text: str, shown: str) -> None:
    assert plain(text) == shown


def test_plain_text_renders_literally() -> None:
    from matplotlib.figure import Figure

    fig = Figure()
    text = fig.text(0, 0, plain("$x$ and $\\frac{$"))
    fig.canvas.draw()  # mathtext would raise on the unbalanced brace
    assert text._preprocess_math(text.get_text()) == ("$x$ and $\\frac{$", False)


def test_shorten_cuts_at_a_word_and_wrap_keeps_two_lines() -> None:
    assert shorten("Lift laundry basket from the floor", 18) == "Lift laundry…"
    assert shorten("Short", 18) == "Short"
    assert shorten("Supercalifragilisticexpialidocious", 10) == "Supercali…"
    assert wrap("one two three four five six seven", 9) == "one two\nthree…"
    assert wrap("one two", 9) == "one two"


def test_runs_break_at_missed_sessions() -> None:
    assert runs([1, 2, 4, 5, 7], [1.0, 2, 3, 4, 5]) == [
        ([1, 2], [1.0, 2]),
        ([4, 5], [3, 4]),
        ([7], [5]),
    ]


def test_scale_limits_and_positions() -> None:
    assert scale_limits(10, 50) == pytest.approx((7.6, 52.4))
    assert [position(s, 1, 4, 0, 300) for s in (1, 2, 4)] == [0, 100, 300]
    assert position(3, 3, 3, 0, 300) == 150
