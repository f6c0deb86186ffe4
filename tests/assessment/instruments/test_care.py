"""CARE measure (instruments.md §21): up to two N/A or missing replaced by the mean."""

from __future__ import annotations

import pytest

from assessment.instruments import score
from assessment.instruments.base import InvalidAnswer

from .support import numbered, scored, unscorable


def test_all_excellent_is_50() -> None:
    assert scored(score("care", numbered([5] * 10))).total == 50


def test_two_not_applicable_are_replaced_by_the_mean() -> None:
    answers = numbered([5, 4, 4, 5, "NA", 4, 5, 3, "NA", 4])  # 8 rated, sum 34
    result = scored(score("care", answers))
    assert result.total == 34 / 8 * 10 == 42.5


def test_one_missing_one_na() -> None:
    answers = numbered([5, 4, 4, 5, None, 4, 5, 3, "NA", 4])
    assert scored(score("care", answers)).total == 42.5


def test_three_is_one_past_the_limit() -> None:
    answers = numbered([5, 4, 4, 5, "NA", 4, None, 3, "NA", 4])
    assert unscorable(score("care", answers)).reason == (
        "CARE cannot be scored: 3 items unanswered or marked 'does not apply' (5, 7, 9); at most 2 may be missing."
    )


def test_zero_is_not_a_code() -> None:
    with pytest.raises(InvalidAnswer, match="allowed: 1-5"):
        score("care", {"1": 0})
