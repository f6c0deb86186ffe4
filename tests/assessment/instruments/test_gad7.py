"""GAD-7 with GAD-2 (instruments.md §14)."""

from __future__ import annotations

import pytest

from assessment.instruments import get, score

from .support import numbered, scored, unscorable


def with_total(total: int) -> dict[str, int]:
    values, remaining = [], total
    for _ in range(7):
        values.append(min(3, remaining))
        remaining -= values[-1]
    assert sum(values) == total
    return numbered(values)


def test_worked_example() -> None:
    result = scored(score("gad7", numbered([1, 2, 0, 3, 1, 2, 1])))
    assert result.total == 1 + 2 + 0 + 3 + 1 + 2 + 1  # 10
    assert result.band.name == "moderate"
    assert result.derived == {"gad2": 1 + 2}
    assert result.bands["gad2"].name == "positive"
    assert result.flags["probable_gad"].state == "positive"


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "severe"),
        (21, "severe"),
    ],
)
def test_bands_on_both_sides_of_every_cut_off(total: int, band: str) -> None:
    result = scored(score("gad7", with_total(total)))
    assert (result.total, result.band.name) == (total, band)


@pytest.mark.parametrize(
    ("item1", "item2", "band"), [(1, 1, "negative"), (0, 2, "negative"), (1, 2, "positive")]
)
def test_gad2_cut_off_three(item1: int, item2: int, band: str) -> None:
    assert scored(score("gad7", numbered([item1, item2, 0, 0, 0, 0, 0]))).bands["gad2"].name == band


@pytest.mark.parametrize(("item1", "item2", "screen"), [(2, 0, "negative"), (0, 3, "positive")])
def test_gad2_given_on_its_own_has_a_total_and_a_screen(
    item1: int, item2: int, screen: str
) -> None:
    # GAD-7 total unscorable (5 of 7 missing); the GAD-2 keeps its >= 3 cut-off (Kroenke 2007, §14).
    result = unscorable(score("gad7", {"1": item1, "2": item2}))
    assert result.derived == {"gad2": item1 + item2}
    assert result.bands["gad2"].name == screen
    assert result.bands["gad2"].bounds == ("0-2" if screen == "negative" else "3-6")


def test_one_missing_is_prorated_at_the_limit() -> None:
    result = scored(score("gad7", numbered([3, 2, None, 2, 2, 1, 2])))  # 6 answered, sum 12
    assert result.total == 12 / 6 * 7  # 14
    assert result.band.name == "moderate"


def test_two_missing_is_one_past_the_limit() -> None:
    result = unscorable(score("gad7", numbered([3, None, None, 2, 2, 1, 2])))
    assert (
        result.reason
        == "GAD-7 cannot be scored: 2 items unanswered (2, 3); at most 1 may be missing."
    )


def test_missing_rule_is_marked_as_policy() -> None:
    gad7 = get("gad7")
    assert gad7.scores[0].missing.evidence == "policy"
    assert any("missing" in note for note in gad7.unverified)
