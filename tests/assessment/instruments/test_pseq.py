"""PSEQ-10 with PSEQ-2 (instruments.md §7). Higher = better."""

from __future__ import annotations

import pytest

from assessment.instruments import get, score

from .support import numbered, scored, unscorable


def test_worked_example() -> None:
    raw = [5, 4, 3, 6, 2, 4, 1, 3, 2, 5]
    result = scored(score("pseq", numbered(raw)))
    assert result.total == 5 + 4 + 3 + 6 + 2 + 4 + 1 + 3 + 2 + 5  # 35
    assert result.band.name == "mild"
    assert result.derived == {"pseq2": raw[5 - 1] + raw[9 - 1]}  # work + normal lifestyle = 4


@pytest.mark.parametrize(
    ("total", "band", "level"),
    [(0, "severe", 3), (19, "severe", 3), (20, "moderate", 2), (30, "moderate", 2), (31, "mild", 1),
     (40, "mild", 1), (41, "minimal", 0), (60, "minimal", 0)],
)  # fmt: skip
def test_eppoc_bands_both_sides(total: int, band: str, level: int) -> None:
    values, remaining = [], total
    for _ in range(10):
        values.append(min(6, remaining))
        remaining -= values[-1]
    result = scored(score("pseq", numbered(values)))
    assert (result.total, result.band.name, result.band.level) == (total, band, level)


def test_pseq2_extremes_and_missing() -> None:
    assert scored(score("pseq", numbered([0, 0, 0, 0, 6, 0, 0, 0, 6, 0]))).derived["pseq2"] == 12
    assert unscorable(score("pseq", numbered([3] * 9))).reason == (
        "PSEQ cannot be scored: 1 item unanswered (10); at most 0 may be missing."
    )


def test_direction_and_change_rule() -> None:
    pseq = get("pseq")
    assert pseq.direction == "higher_is_better"
    eppoc = next(r for r in pseq.change if r.id == "eppoc")
    assert (eppoc.points, eppoc.requires_band_change, eppoc.improvement) == (7, True, "increase")
    assert pseq.norms[0].mean == 20.7
