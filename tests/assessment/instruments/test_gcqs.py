"""GCQ-S (instruments.md §20): scale means, divide by the number rated, > 4 missing invalid."""

from __future__ import annotations

import pytest

from assessment.instruments import score

from .support import numbered, scored, unscorable

RAW = [5, 4, 2, 6, 1, 3, 2, 5, 0, 1, 4, 2]


def test_worked_example() -> None:
    result = scored(score("gcqs", numbered(RAW)))
    assert result.subscales["engaged"] == pytest.approx(
        (5 + 4 + 6 + 5 + 4) / 5
    )  # items 1, 2, 4, 8, 11
    assert result.subscales["avoiding"] == pytest.approx((2 + 1 + 0) / 3)  # items 3, 5, 9
    assert result.subscales["conflict"] == pytest.approx((3 + 2 + 1 + 2) / 4)  # items 6, 7, 10, 12
    assert result.total is None


def test_missing_items_divide_by_the_number_rated() -> None:
    answers = {**numbered(RAW), "2": None, "4": None}
    assert scored(score("gcqs", answers)).subscales["engaged"] == pytest.approx((5 + 5 + 4) / 3)


def test_four_missing_at_the_limit_five_past_it() -> None:
    four = {**numbered(RAW), "1": None, "3": None, "6": None, "7": None}
    assert len(scored(score("gcqs", four)).subscales) == 3
    five = {**four, "10": None}
    assert unscorable(score("gcqs", five)).reason == (
        "GCQ-S cannot be scored: 5 items unanswered (1, 3, 6, 7, 10); at most 4 may be missing in the whole questionnaire."
    )


def test_a_scale_with_nothing_rated() -> None:
    answers = {**numbered(RAW), "3": None, "5": None, "9": None}
    result = scored(score("gcqs", answers))
    assert "avoiding" not in result.subscales
    assert result.unscorable_parts["avoiding"].startswith(
        "GCQ-S avoiding cannot be scored: 3 items unanswered"
    )
