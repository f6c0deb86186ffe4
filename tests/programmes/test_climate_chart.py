"""The GCQ-S chart puts each session's means at its session number: sessions 1, 2 and 4 are not
evenly spaced, and no line is drawn across session 3, which has no ratings."""

from __future__ import annotations

import pytest

from programmes.selectors import CHART_LEFT, CHART_RIGHT, climate_chart


def _session(number: int) -> dict:
    return {"number": number, "n": 6, "engaged": 4.0, "avoiding": 2.0, "conflict": 1.0}


def test_sessions_1_2_and_4_sit_at_1_2_and_4() -> None:
    chart = climate_chart([_session(1), _session(2), _session(4)])
    xs = [label["x"] for label in chart["labels"]]
    assert [label["text"] for label in chart["labels"]] == [1, 2, 4]
    assert xs[0] == CHART_LEFT
    assert xs[-1] == CHART_RIGHT
    step = (CHART_RIGHT - CHART_LEFT) / 3  # one session
    assert xs == pytest.approx([CHART_LEFT, CHART_LEFT + step, CHART_RIGHT], abs=0.1)
    for line in chart["lines"]:
        assert [x for x, _ in line["dots"]] == xs
        # One segment, sessions 1–2; session 4 stands alone (nothing recorded at 3).
        assert len(line["segments"]) == 1
        assert line["segments"][0].count(",") == 2


def test_one_session_sits_in_the_middle() -> None:
    chart = climate_chart([_session(3)])
    assert chart["labels"] == [{"x": (CHART_LEFT + CHART_RIGHT) / 2, "text": 3}]
    assert all(line["segments"] == [] for line in chart["lines"])
