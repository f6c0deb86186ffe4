"""PHQ-9 with PHQ-2 and the item-9 safety flag (instruments.md §13)."""

from __future__ import annotations

import pytest

from assessment.instruments import get, score
from assessment.instruments.base import InvalidAnswer

from .support import numbered, scored, unscorable


def with_total(total: int) -> dict[str, int]:
    """Nine answers summing to ``total``, item 9 kept at 0 whenever possible."""
    values = []
    remaining = total
    for _ in range(8):
        values.append(min(3, remaining))
        remaining -= values[-1]
    values.append(remaining)  # item 9
    assert sum(values) == total
    assert values[-1] <= 3
    return numbered(values)


def test_worked_example() -> None:
    result = scored(score("phq9", numbered([2, 1, 3, 2, 1, 0, 1, 1, 0])))
    assert result.total == 2 + 1 + 3 + 2 + 1 + 0 + 1 + 1 + 0  # 11
    assert result.band.name == "moderate"
    assert result.derived == {"phq2": 2 + 1}
    assert result.bands["phq2"].name == "positive"
    assert result.flags["item9_self_harm"].state == "negative"
    assert result.flags["clinically_significant"].state == "positive"
    assert result.answered == 9


@pytest.mark.parametrize(
    ("total", "band", "level"),
    [
        (0, "minimal", 0), (4, "minimal", 0), (5, "mild", 1), (9, "mild", 1), (10, "moderate", 2),
        (14, "moderate", 2), (15, "moderately_severe", 3), (19, "moderately_severe", 3), (20, "severe", 4),
        (27, "severe", 4),
    ],
)  # fmt: skip
def test_bands_on_both_sides_of_every_cut_off(total: int, band: str, level: int) -> None:
    result = scored(score("phq9", with_total(total)))
    assert (result.total, result.band.name, result.band.level) == (total, band, level)


@pytest.mark.parametrize(("total", "state"), [(9, "negative"), (10, "positive")])
def test_clinically_significant_at_ten(total: int, state: str) -> None:
    assert scored(score("phq9", with_total(total))).flags["clinically_significant"].state == state


class TestMissingItemsNhsRule:
    def test_one_missing_is_substituted_with_the_mean(self) -> None:
        answers = numbered([3, 2, 3, 2, 2, 3, 3, None, 0])  # 8 answered, sum 18
        result = scored(score("phq9", answers))
        assert result.total == 18 / 8 * 9  # 20.25, not rounded
        assert result.band.name == "severe"
        assert result.missing_items == ("8",)
        assert result.notes

    def test_two_missing_at_the_limit(self) -> None:
        answers = numbered([3, 2, 3, 2, None, 3, 1, None, 0])  # 7 answered, sum 14
        assert scored(score("phq9", answers)).total == 14 / 7 * 9  # 18

    def test_three_missing_one_past_the_limit(self) -> None:
        answers = numbered([3, None, 3, None, 2, None, 1, 1, 0])
        result = unscorable(score("phq9", answers))
        assert (
            result.reason
            == "PHQ-9 cannot be scored: 3 items unanswered (2, 4, 6); at most 2 may be missing."
        )

    def test_fractional_total_between_printed_bands(self) -> None:
        answers = numbered([1, 1, 0, 1, 1, 0, 0, None, 0])  # 8 answered, sum 4 -> 4.5
        result = scored(score("phq9", answers))
        assert result.total == 4 / 8 * 9
        assert result.band.name == "minimal"  # bands are half-open: 4.5 < 5


class TestItem9Flag:
    @pytest.mark.parametrize(
        ("answer", "state"), [(0, "negative"), (1, "positive"), (2, "positive"), (3, "positive")]
    )
    def test_any_non_zero_answer_is_positive_whatever_the_total(
        self, answer: int, state: str
    ) -> None:
        result = scored(score("phq9", numbered([0, 0, 0, 0, 0, 0, 0, 0, answer])))
        assert result.flags["item9_self_harm"].state == state
        assert result.flags["item9_self_harm"].value == answer

    def test_missing_item9_is_unknown_not_no_risk(self) -> None:
        result = scored(score("phq9", numbered([0, 0, 0, 0, 0, 0, 0, 0, None])))
        assert result.total == 0
        assert result.flags["item9_self_harm"].state == "unknown"
        assert result.flags["item9_self_harm"].value is None

    def test_flag_survives_an_unscorable_total(self) -> None:
        result = unscorable(score("phq9", {"9": 2}))
        assert result.flags["item9_self_harm"].state == "positive"
        assert result.flags["clinically_significant"].state == "unknown"


class TestPhq2:
    @pytest.mark.parametrize(
        ("item1", "item2", "band"),
        [(1, 1, "negative"), (2, 0, "negative"), (2, 1, "positive"), (3, 3, "positive")],
    )
    def test_cut_off_three(self, item1: int, item2: int, band: str) -> None:
        result = scored(score("phq9", numbered([item1, item2, 0, 0, 0, 0, 0, 0, 0])))
        assert result.derived["phq2"] == item1 + item2
        assert result.bands["phq2"].name == band

    def test_needs_both_items_even_when_the_total_is_prorated(self) -> None:
        result = scored(score("phq9", numbered([None, 2, 1, 1, 1, 1, 1, 1, 0])))
        assert "phq2" not in result.derived
        assert (
            result.unscorable_parts["phq2"]
            == "PHQ-2 cannot be scored: 1 item unanswered (1); at most 0 may be missing."
        )

    @pytest.mark.parametrize(("item1", "item2", "screen"), [(1, 1, "negative"), (2, 1, "positive")])
    def test_given_on_its_own_it_has_a_total_and_a_screen(
        self, item1: int, item2: int, screen: str
    ) -> None:
        # A PHQ-2 given alone: the PHQ-9 total cannot be scored (7 of 9 items missing), the
        # PHQ-2 can, with its >= 3 cut-off (Kroenke 2003, instruments.md §13 [S:4]).
        result = unscorable(score("phq9", {"1": item1, "2": item2}))
        assert result.reason.startswith("PHQ-9 cannot be scored: 7 items unanswered")
        assert result.derived == {"phq2": item1 + item2}
        assert result.bands["phq2"].name == screen
        assert "Kroenke" in result.bands["phq2"].source
        assert result.notes == (
            f"PHQ-2 (items 1 and 2) scored on its own: {item1 + item2}, {screen} screen.",
        )
        assert result.flags["item9_self_harm"].state == "unknown"  # not asked: not "no risk"


def test_item10_is_not_scored() -> None:
    base = numbered([1, 1, 1, 1, 1, 1, 1, 1, 0])
    assert scored(score("phq9", {**base, "10": 3})).total == scored(score("phq9", base)).total == 8
    assert scored(score("phq9", base)).missing_items == ()


@pytest.mark.parametrize("bad", [{"1": 4}, {"1": -1}, {"1": "NA"}, {"11": 0}])
def test_bad_input(bad: dict[str, object]) -> None:
    with pytest.raises(InvalidAnswer):
        score("phq9", bad)


def test_definition_facts() -> None:
    phq9 = get("phq9")
    assert phq9.licence.item_text_bundled
    assert phq9.licence.status == "free"
    assert (
        phq9.item("9").text
        == "Thoughts that you would be better off dead, or of hurting yourself in some way"
    )
    assert [r.points for r in phq9.change if r.kind == "mcid"] == [5]
