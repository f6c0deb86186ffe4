"""The scorer's closed set of operations, exercised on small synthetic definitions."""

from __future__ import annotations

from dataclasses import replace

import pytest

from assessment.instruments.base import (
    PRORATE,
    Band,
    DecisionRow,
    DecisionTable,
    FlagRule,
    Instrument,
    Interval,
    InvalidAnswer,
    Item,
    Licence,
    MissingRule,
    NotApplicablePolicy,
    ResponseScale,
    Score,
    ScoreRule,
    Unscorable,
    definition_hash,
    ids,
    items_on_scale,
    no_missing,
    to_data,
)
from assessment.instruments.validation import definition_problems

SRC = "test source"
LICENCE = Licence(
    "free", "nobody", "https://example.org", item_text_bundled=False, note="", source=SRC
)
SCALE = ResponseScale(0, 4)


def make(**changes: object) -> Instrument:
    """A 4-item 0-4 instrument, item 4 reversed, total = sum, nothing may be missing."""
    base = Instrument(
        key="toy",
        version="1",
        name="Toy scale",
        short_name="TOY",
        citation="none",
        reference="test",
        licence=LICENCE,
        direction="higher_is_worse",
        items=items_on_scale(range(1, 5), SCALE, source=SRC, reverse=(4,)),
        scores=(
            ScoreRule(
                id="total",
                label="total",
                role="total",
                items=ids(1, 2, 3, 4),
                aggregate="sum",
                missing=no_missing(SRC),
                range=(0, 16),
                source=SRC,
            ),
        ),
        primary="total",
    )
    return replace(base, **changes)


def total_rule(**changes: object) -> ScoreRule:
    return replace(make().scores[0], **changes)


class TestSumAndReverse:
    def test_reverse_item_scores_max_plus_min_minus_x(self) -> None:
        # 1 + 2 + 3 + (0 + 4 - 4) = 6
        result = make().score({"1": 1, "2": 2, "3": 3, "4": 4})
        assert isinstance(result, Score)
        assert result.total == 1 + 2 + 3 + (0 + 4 - 4)

    def test_keys_may_be_int_or_str_and_answers_numeric_strings(self) -> None:
        assert make().score({1: "1", "2": 2, 3: 3.0, " 4 ": 0}).total == 1 + 2 + 3 + 4

    def test_integral_total_is_an_int(self) -> None:
        assert isinstance(make().score({1: 1, 2: 1, 3: 1, 4: 1}).total, int)

    def test_one_missing_item_is_unscorable_with_a_sentence(self) -> None:
        result = make().score({1: 1, 2: 1, 3: 1})
        assert isinstance(result, Unscorable)
        assert (
            result.reason
            == "TOY cannot be scored: 1 item unanswered (4); at most 0 may be missing."
        )
        assert result.missing_items == ("4",)
        assert not result.scorable

    def test_empty_string_is_unanswered(self) -> None:
        result = make().score({1: 1, 2: 1, 3: 1, 4: ""})
        assert isinstance(result, Unscorable)


class TestProrate:
    def rules(self) -> Instrument:
        return make(scores=(total_rule(missing=MissingRule(2, PRORATE, SRC)),))

    def test_missing_items_take_the_mean_of_the_answered_scored_values(self) -> None:
        # answered: 1, 2, reversed(0) = 4 -> mean 7/3, total 7/3 * 4 = 9.333...
        result = self.rules().score({1: 1, 2: 2, 4: 0})
        assert result.total == pytest.approx((1 + 2 + 4) / 3 * 4)
        assert result.notes == (
            "TOY: 3 of 4 items answered; missing 3 estimated from the mean of the answered items.",
        )

    def test_past_the_limit_is_unscorable(self) -> None:
        result = self.rules().score({1: 1})
        assert isinstance(result, Unscorable)
        assert "3 items unanswered (2, 3, 4); at most 2 may be missing." in result.reason

    def test_mean_aggregate_uses_the_answered_items(self) -> None:
        ins = make(
            scores=(
                total_rule(aggregate="mean", range=(0, 4), missing=MissingRule(1, PRORATE, SRC)),
            )
        )
        assert ins.score({1: 1, 2: 2, 3: 4}).total == pytest.approx((1 + 2 + 4) / 3)


class TestPercentOfAnsweredMax:
    def test_denominator_is_max_of_answered_items(self) -> None:
        ins = make(
            scores=(
                total_rule(
                    aggregate="percent_of_answered_max",
                    range=(0, 100),
                    missing=MissingRule(1, PRORATE, SRC),
                ),
            )
        )
        # items 1-3 answered 1, 2, 3 -> 6 / (3 x 4) x 100 = 50
        assert ins.score({1: 1, 2: 2, 3: 3}).total == 50


class TestMultiplierAndRecode:
    def test_multiplier(self) -> None:
        ins = make(scores=(total_rule(multiplier=2, range=(0, 32)),))
        assert ins.score({1: 1, 2: 1, 3: 1, 4: 4}).total == 2 * (1 + 1 + 1 + 0)

    def test_recode_table(self) -> None:
        recoded = Item("1", "Item 1", SCALE, SRC, recode={0: 0, 1: 0, 2: 0, 3: 1, 4: 1})
        ins = make(
            items=(recoded,),
            scores=(total_rule(items=("1",), range=(0, 1)),),
        )
        assert [ins.score({1: code}).total for code in range(5)] == [0, 0, 0, 1, 1]


class TestInvalidAnswers:
    @pytest.mark.parametrize("value", [-1, 5, 2.5, "two", True, [1]])
    def test_out_of_range_or_wrong_type_raises_with_item_and_range(self, value: object) -> None:
        with pytest.raises(InvalidAnswer) as caught:
            make().score({"2": value})
        assert caught.value.item == "2"
        assert caught.value.allowed == "0-4"
        assert "TOY item 2" in str(caught.value)
        assert isinstance(caught.value, ValueError)

    def test_unknown_item_raises(self) -> None:
        with pytest.raises(InvalidAnswer) as caught:
            make().score({"5": 1})
        assert caught.value.item == "5"
        assert "its items are 1, 2, 3, 4" in str(caught.value)

    def test_same_item_twice_raises(self) -> None:
        with pytest.raises(InvalidAnswer, match="given twice"):
            make().score({1: 1, "1": 1})

    def test_na_without_a_policy_is_invalid(self) -> None:
        with pytest.raises(InvalidAnswer, match="does not apply"):
            make().score({1: "NA"})

    def test_answers_must_be_a_mapping(self) -> None:
        with pytest.raises(InvalidAnswer):
            make().score([1, 2, 3])


class TestNotApplicable:
    def test_na_as_missing_counts_against_the_limit_and_says_so(self) -> None:
        ins = make(not_applicable=NotApplicablePolicy("missing", SRC))
        result = ins.score({1: 1, 2: 1, 3: 1, 4: "NA"})
        assert isinstance(result, Unscorable)
        assert "1 item unanswered or marked 'does not apply' (4)" in result.reason

    def test_na_as_code(self) -> None:
        ins = make(not_applicable=NotApplicablePolicy("code", SRC, code=0))
        # item 4 "NA" -> code 0 -> reversed 4
        assert ins.score({1: 1, 2: 1, 3: 1, 4: "na"}).total == 1 + 1 + 1 + 4

    def test_na_only_on_listed_items(self) -> None:
        ins = make(not_applicable=NotApplicablePolicy("missing", SRC, items=("4",)))
        with pytest.raises(InvalidAnswer):
            ins.score({1: "NA"})


class TestBandsFlagsAndTables:
    def banded(self) -> Instrument:
        bands = (
            Band("low", "Low", 0, 8, 0, SRC, max_inclusive=False),
            Band("high", "High", 8, 16, 3, SRC),
        )
        flag = FlagRule(
            "item1", "Item 1 raised", "item", "1", Interval(1, None), "Ask about it.", SRC
        )
        return make(scores=(total_rule(bands=bands),), flags=(flag,))

    def test_band_boundaries(self) -> None:
        below = self.banded().score({1: 0, 2: 4, 3: 3, 4: 4})  # 0 + 4 + 3 + 0 = 7
        at = self.banded().score({1: 0, 2: 4, 3: 4, 4: 4})  # 8
        assert (below.total, below.band.name) == (7, "low")
        assert (at.total, at.band.name, at.band.level) == (8, "high", 3)
        assert at.band.bounds == "8-16"

    def test_flag_states(self) -> None:
        assert self.banded().score({1: 2, 2: 0, 3: 0, 4: 4}).flags["item1"].state == "positive"
        assert self.banded().score({1: 0, 2: 0, 3: 0, 4: 4}).flags["item1"].state == "negative"
        unknown = self.banded().score({2: 0, 3: 0, 4: 4})
        assert isinstance(unknown, Unscorable)
        assert unknown.flags["item1"].state == "unknown"

    def test_decision_table_first_match(self) -> None:
        table = DecisionTable(
            id="group",
            label="Group",
            source=SRC,
            rows=(
                DecisionRow("a", "A", 0, {"total": Interval(0, 3)}, SRC),
                DecisionRow("b", "B", 2, {"total": Interval(0, 16)}, SRC),
            ),
        )
        ins = make(classification=table)
        assert ins.score({1: 1, 2: 1, 3: 1, 4: 4}).band.name == "a"
        assert ins.score({1: 1, 2: 1, 3: 2, 4: 4}).band.name == "b"
        assert definition_problems(ins) == []


class TestSubscaleOnly:
    def two_scales(self) -> Instrument:
        return make(
            scores=(
                ScoreRule(
                    "a", "scale A", "subscale", ids(1, 2), "sum", no_missing(SRC), (0, 8), SRC
                ),
                ScoreRule(
                    "b", "scale B", "subscale", ids(3, 4), "sum", no_missing(SRC), (0, 8), SRC
                ),
            ),
            primary=None,
        )

    def test_one_scale_scored_other_reported_unscorable(self) -> None:
        result = self.two_scales().score({1: 1, 2: 2})
        assert result.total is None
        assert result.subscales == {"a": 3}
        assert result.unscorable_parts == {
            "b": "TOY scale B cannot be scored: 2 items unanswered (3, 4); at most 0 may be missing."
        }

    def test_nothing_scorable(self) -> None:
        result = self.two_scales().score({})
        assert isinstance(result, Unscorable)
        assert result.reason == (
            "TOY cannot be scored. Scale A: 2 items unanswered (1, 2); at most 0 may be missing. "
            "Scale B: 2 items unanswered (3, 4); at most 0 may be missing."
        )


class TestOverallMissing:
    def test_whole_form_limit(self) -> None:
        ins = make(
            scores=(
                total_rule(aggregate="mean", range=(0, 4), missing=MissingRule(3, PRORATE, SRC)),
            ),
            overall_missing=MissingRule(1, PRORATE, SRC),
        )
        assert ins.score({1: 1, 2: 1, 3: 1}).total == 1
        result = ins.score({1: 1, 2: 1})
        assert isinstance(result, Unscorable)
        assert result.reason.endswith("at most 1 may be missing in the whole questionnaire.")


class TestDataExport:
    def test_hash_is_stable_and_changes_with_a_rule(self) -> None:
        assert definition_hash(make()) == definition_hash(make())
        assert definition_hash(make()) != definition_hash(
            make(scores=(total_rule(multiplier=2, range=(0, 32)),))
        )

    def test_to_data_is_plain(self) -> None:
        data = to_data(make())
        assert data["items"][3]["reverse"] is True
        assert "_items_by_id" not in data

    def test_interval_describe(self) -> None:
        assert Interval(37, None, min_inclusive=False).describe() == "> 37"
        assert Interval(None, 2).describe() == "<= 2"
        assert Interval(5, 10, max_inclusive=False).describe() == "5 to < 10"
        assert Interval(0, 0).describe() == "0"
