"""FABQ (instruments.md §6): two subscales, no total, informational cut-off flags."""

from __future__ import annotations

import pytest

from assessment.instruments import get, score
from assessment.instruments.base import InvalidAnswer

from .support import numbered, scored, unscorable

RAW = [6, 4, 5, 3, 2, 5, 6, 1, 4, 3, 5, 6, 0, 2, 4, 6]  # items 1-16


def test_worked_example_scores_only_the_keyed_items() -> None:
    result = scored(score("fabq", numbered(RAW)))
    pa = RAW[2 - 1] + RAW[3 - 1] + RAW[4 - 1] + RAW[5 - 1]  # 4 + 5 + 3 + 2 = 14
    work = sum(RAW[n - 1] for n in (6, 7, 9, 10, 11, 12, 15))  # 5+6+4+3+5+6+4 = 33
    assert (
        result.subscales
        == {"physical_activity": pa, "work": work}
        == {"physical_activity": 14, "work": 33}
    )
    assert result.total is None  # no validated total
    assert result.band is None


def test_unscored_items_change_nothing() -> None:
    other = list(RAW)
    for n in (1, 8, 13, 14, 16):
        other[n - 1] = 0
    assert (
        scored(score("fabq", numbered(other))).subscales
        == scored(score("fabq", numbered(RAW))).subscales
    )
    unanswered = {k: v for k, v in numbered(RAW).items() if k not in {"1", "8", "13", "14", "16"}}
    assert scored(score("fabq", unanswered)).missing_items == ()


def pa_and_work(pa: int, work: int) -> dict[str, int]:
    values = {str(n): 0 for n in range(1, 17)}
    for n in (2, 3, 4, 5):
        take = min(6, pa)
        values[str(n)], pa = take, pa - take
    for n in (6, 7, 9, 10, 11, 12, 15):
        take = min(6, work)
        values[str(n)], work = take, work - take
    return values


@pytest.mark.parametrize(
    ("pa", "work", "expected"),
    [
        (
            14,
            22,
            {
                "pa_above_14": "negative",
                "work_above_22": "negative",
                "work_above_29": "negative",
                "work_above_34": "negative",
            },
        ),
        (
            15,
            23,
            {
                "pa_above_14": "positive",
                "work_above_22": "positive",
                "work_above_29": "negative",
                "work_above_34": "negative",
            },
        ),
        (
            0,
            29,
            {
                "pa_above_14": "negative",
                "work_above_22": "positive",
                "work_above_29": "negative",
                "work_above_34": "negative",
            },
        ),
        (
            0,
            30,
            {
                "pa_above_14": "negative",
                "work_above_22": "positive",
                "work_above_29": "positive",
                "work_above_34": "negative",
            },
        ),
        (
            24,
            35,
            {
                "pa_above_14": "positive",
                "work_above_22": "positive",
                "work_above_29": "positive",
                "work_above_34": "positive",
            },
        ),
    ],
)
def test_informational_flags_on_both_sides(pa: int, work: int, expected: dict[str, str]) -> None:
    result = scored(score("fabq", pa_and_work(pa, work)))
    assert result.subscales == {"physical_activity": pa, "work": work}
    assert {key: flag.state for key, flag in result.flags.items()} == expected


def test_work_subscale_unscorable_when_not_answered() -> None:
    result = scored(score("fabq", {"2": 3, "3": 3, "4": 3, "5": 3}))
    assert result.subscales == {"physical_activity": 12}
    assert result.unscorable_parts["work"].startswith(
        "FABQ work cannot be scored: 7 items unanswered"
    )
    assert result.flags["work_above_29"].state == "unknown"


def test_nothing_answered() -> None:
    assert unscorable(score("fabq", {})).reason.startswith(
        "FABQ cannot be scored. Physical activity: 4 items"
    )


def test_range_and_evidence() -> None:
    with pytest.raises(InvalidAnswer):
        score("fabq", {"2": 7})
    assert get("fabq").flags[-1].evidence == "unverified"
