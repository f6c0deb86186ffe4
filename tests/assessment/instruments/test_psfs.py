"""PSFS (instruments.md §17): mean of the rated activities."""

from __future__ import annotations

import pytest

from assessment.instruments import get, score
from assessment.instruments.base import InvalidAnswer

from .support import scored, unscorable


def test_three_activities() -> None:
    assert scored(score("psfs", {"1": 4, "2": 6, "3": 5})).total == (4 + 6 + 5) / 3


def test_five_and_one_activity() -> None:
    assert (
        scored(score("psfs", {"1": 2, "2": 3, "3": 4, "4": 5, "5": 7})).total
        == (2 + 3 + 4 + 5 + 7) / 5
    )
    assert scored(score("psfs", {"1": 3})).total == 3


def test_no_activity_rated() -> None:
    assert unscorable(score("psfs", {})).reason == (
        "PSFS cannot be scored: 5 items unanswered (1, 2, 3, 4, 5); at most 4 may be missing."
    )


def test_range_and_change() -> None:
    with pytest.raises(InvalidAnswer):
        score("psfs", {"1": 11})
    mdc = {r.id: (r.points, r.per_item) for r in get("psfs").change}
    assert mdc == {"mdc_mean": (2, False), "mdc_activity": (3, True)}
    assert get("psfs").licence.item_text_bundled
