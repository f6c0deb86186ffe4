"""CPAQ-8 (instruments.md §15): Pain Willingness items reversed."""

from __future__ import annotations

from assessment.instruments import get, score

from .support import numbered, scored, unscorable


def test_worked_example() -> None:
    raw = [5, 4, 6, 3, 2, 5, 1, 4]
    result = scored(score("cpaq8", numbered(raw)))
    ae = raw[1 - 1] + raw[2 - 1] + raw[3 - 1] + raw[6 - 1]  # 5 + 4 + 6 + 5 = 20
    pw = (
        (6 - raw[4 - 1]) + (6 - raw[5 - 1]) + (6 - raw[7 - 1]) + (6 - raw[8 - 1])
    )  # 3 + 4 + 5 + 2 = 14
    assert result.subscales == {"activity_engagement": ae, "pain_willingness": pw} == {
        "activity_engagement": 20, "pain_willingness": 14,
    }  # fmt: skip
    assert result.total == ae + pw == 34


def test_all_never_true_gives_full_willingness_not_an_inverted_total() -> None:
    result = scored(score("cpaq8", numbered([0] * 8)))
    assert result.subscales == {"activity_engagement": 0, "pain_willingness": 24}
    assert result.total == 24


def test_missing_and_unverified_item_order() -> None:
    assert unscorable(score("cpaq8", numbered([3] * 7))).missing_items == ("8",)
    assert any("item order" in note.lower() for note in get("cpaq8").unverified)
    assert get("cpaq8").direction == "higher_is_better"
