"""WAI-SR (instruments.md §19)."""

from __future__ import annotations

import pytest

from assessment.instruments import get, score

from .support import numbered, scored

RAW = [4, 3, 5, 2, 4, 3, 5, 4, 4, 3, 2, 5]


def test_worked_example() -> None:
    result = scored(score("waisr", numbered(RAW)))
    assert result.subscales == {
        "task": RAW[0] + RAW[1] + RAW[9] + RAW[11],  # 4 + 3 + 3 + 5 = 15
        "bond": RAW[2] + RAW[4] + RAW[6] + RAW[8],  # 5 + 4 + 5 + 4 = 18
        "goal": RAW[3] + RAW[5] + RAW[7] + RAW[10],  # 2 + 3 + 4 + 2 = 11
    }
    assert result.total == sum(RAW) == 44
    assert result.band is None  # vendor bands are deliberately not adopted


def test_range() -> None:
    assert scored(score("waisr", numbered([1] * 12))).total == 12
    assert scored(score("waisr", numbered([5] * 12))).total == 60
    assert get("waisr").licence.status == "restricted"


def test_item_means_beside_the_sums() -> None:
    # Reports often use the 1-5 item metric: subscale sum / 4, total / 12 (instruments.md §19).
    result = scored(score("waisr", numbered(RAW)))
    assert result.details == {
        "total": {"item_mean": pytest.approx(44 / 12)},
        "task": {"item_mean": 15 / 4},
        "bond": {"item_mean": 18 / 4},
        "goal": {"item_mean": 11 / 4},
    }
    assert scored(score("waisr", numbered([5] * 12))).details["total"] == {"item_mean": 5}
