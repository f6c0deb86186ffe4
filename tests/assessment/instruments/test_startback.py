"""Keele STarT Back (instruments.md §3): risk groups from a decision table."""

from __future__ import annotations

import pytest

from assessment.instruments import get, score
from assessment.instruments.base import InvalidAnswer

from .support import scored, unscorable

NOT_AT_ALL, SLIGHTLY, MODERATELY, VERY_MUCH, EXTREMELY = range(5)


def answers(agree: set[int], bother: int) -> dict[str, int]:
    return {**{str(n): int(n in agree) for n in range(1, 9)}, "9": bother}


@pytest.mark.parametrize(
    ("agree", "bother", "total", "psychosocial", "group"),
    [
        (set(), NOT_AT_ALL, 0, 0, "low"),
        ({1, 2, 3}, MODERATELY, 3, 0, "low"),
        ({5, 6, 7}, MODERATELY, 3, 3, "low"),  # psychosocial 3 but total 3: low
        ({1, 5, 6, 7}, MODERATELY, 4, 3, "medium"),  # "moderately" scores 0
        ({1, 5, 6, 7}, VERY_MUCH, 5, 4, "high"),  # the classic medium/high boundary
        ({5, 6, 7, 8}, SLIGHTLY, 4, 4, "high"),
        ({1, 2, 3, 4}, EXTREMELY, 5, 1, "medium"),
        (set(range(1, 9)), EXTREMELY, 9, 5, "high"),
        ({1, 2, 3, 4, 5, 6}, NOT_AT_ALL, 6, 2, "medium"),
    ],
)
def test_risk_groups(
    agree: set[int], bother: int, total: int, psychosocial: int, group: str
) -> None:
    result = scored(score("startback", answers(agree, bother)))
    assert result.total == total
    assert result.subscales == {"psychosocial": psychosocial}
    assert result.band.name == group
    assert result.band.score == "risk_group"


@pytest.mark.parametrize(("bother", "scored_as"), [(0, 0), (1, 0), (2, 0), (3, 1), (4, 1)])
def test_item9_counts_only_very_much_or_extremely(bother: int, scored_as: int) -> None:
    assert scored(score("startback", answers(set(), bother))).total == scored_as


def test_missing_item_is_unscorable() -> None:
    result = unscorable(score("startback", {str(n): 1 for n in range(1, 9)}))
    assert (
        result.reason
        == "STarT Back cannot be scored: 1 item unanswered (9); at most 0 may be missing."
    )


def test_agree_disagree_only() -> None:
    with pytest.raises(InvalidAnswer, match="allowed: 0-1"):
        score("startback", {"1": 2})


def test_licence() -> None:
    startback = get("startback")
    assert startback.licence.status == "free_ask_commercial"
    assert "Keele" in startback.licence.holder
    assert not startback.licence.item_text_bundled
