"""BPI short form (instruments.md §8): severity and interference means."""

from __future__ import annotations

import pytest

from assessment.instruments import get, score

from .support import scored, unscorable

INTERFERENCE = [f"9{c}" for c in "ABCDEFG"]


def test_worked_example() -> None:
    answers = {
        "3": 8,
        "4": 2,
        "5": 5,
        "6": 4,
        **dict(zip(INTERFERENCE, [6, 7, 5, 8, 3, 9, 4], strict=True)),
    }
    result = scored(score("bpi", answers))
    assert result.subscales["severity"] == (8 + 2 + 5 + 4) / 4  # 4.75
    assert result.subscales["interference"] == pytest.approx((6 + 7 + 5 + 8 + 3 + 9 + 4) / 7)  # 6.0
    assert result.subscales["average_pain"] == 5
    assert result.subscales["worst_pain"] == 8
    assert result.total is None
    assert result.bands["average_pain"].name == "moderate"


def test_interference_with_four_of_seven_answered_is_the_mean_of_those() -> None:
    answers = {"3": 8, "4": 2, "5": 5, "6": 4, "9A": 6, "9B": 7, "9C": 5, "9D": 8}
    assert scored(score("bpi", answers)).subscales["interference"] == (6 + 7 + 5 + 8) / 4  # 6.5


def test_interference_with_three_answered_is_not_valid() -> None:
    answers = {"3": 8, "4": 2, "5": 5, "6": 4, "9A": 6, "9B": 7, "9C": 5}
    result = scored(score("bpi", answers))
    assert "interference" not in result.subscales
    assert result.unscorable_parts["interference"] == (
        "BPI-SF interference cannot be scored: 4 items unanswered (9D, 9E, 9F, 9G); at most 3 may be missing."
    )


def test_severity_needs_all_four_items() -> None:
    answers = {"3": 8, "5": 5, "6": 4, **dict.fromkeys(INTERFERENCE, 2)}
    result = scored(score("bpi", answers))
    assert "severity" not in result.subscales
    assert result.subscales["interference"] == 2


@pytest.mark.parametrize(
    ("average", "band"),
    [(0, "mild"), (4, "mild"), (5, "moderate"), (6, "moderate"), (7, "severe"), (10, "severe")],
)
def test_eppoc_bands_for_average_pain(average: int, band: str) -> None:
    assert scored(score("bpi", {"5": average})).bands["average_pain"].name == band


def test_lower_case_item_ids_are_accepted_and_nothing_answered_is_unscorable() -> None:
    assert scored(score("bpi", {"9a": 1, "9b": 1, "9c": 1, "9d": 1})).subscales["interference"] == 1
    assert unscorable(score("bpi", {})).reason.startswith("BPI-SF cannot be scored. Pain severity:")


def test_ambiguous_interference_change_is_offered_both_ways() -> None:
    rules = {r.id: r for r in get("bpi").change}
    assert rules["interference_1_point"].points == 1
    assert rules["interference_10_percent"].percent == 10
    assert rules["average_pain_30"].percent == 30
    assert get("bpi").licence.status == "restricted"
