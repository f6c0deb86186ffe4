"""EQ-5D-5L: the health profile, the level sum score, the EQ VAS and the index from a value set
the clinic supplies. The value set here is MADE UP for the tests (a simple linear decrement);
it is no published country set."""

from __future__ import annotations

import pytest

from assessment.instruments import eq5d5l, get, score
from assessment.instruments.base import InvalidAnswer
from assessment.instruments.payload import result_payload

from .support import scored, unscorable


def made_up_value_set(step: float = 0.02) -> dict[str, float]:
    """Full health 1; each level above 1 on any dimension takes ``step`` off (made up)."""
    return {
        profile: round(1 - step * sum(int(level) - 1 for level in profile), 3)
        for profile in eq5d5l.ALL_PROFILES
    }


def as_csv(values: dict[str, float], header: str = "profile,index\n") -> str:
    return header + "".join(f"{p},{v}\n" for p, v in values.items())


JANNICK = {"1": 2, "2": 1, "3": 3, "4": 4, "5": 5, "VAS": 65}


class TestTheScoresWithoutAValueSet:
    def test_profile_level_sum_and_vas_of_a_worked_example(self) -> None:
        result = scored(score("eq5d5l", JANNICK))
        assert result.texts == {"profile": "21345"}
        assert result.total == 2 + 1 + 3 + 4 + 5  # level sum score 15 (Feng 2022)
        assert result.derived == {"vas": 65}
        assert result.band is None  # no bands on the level sum score

    def test_the_index_is_unscorable_with_its_reason_and_the_other_scores_kept(self) -> None:
        result = scored(score("eq5d5l", JANNICK))
        assert result.unscorable_parts == {"index": eq5d5l.NO_VALUE_SET}
        assert "index" not in result.derived
        payload = result_payload(get("eq5d5l"), result)
        assert payload["scorable"] is True
        assert payload["texts"] == {"profile": "21345"}
        assert "has not supplied a value set" in payload["unscorable_parts"]["index"]

    @pytest.mark.parametrize(
        ("answers", "total"),
        [({"1": 1, "2": 1, "3": 1, "4": 1, "5": 1}, 5), ({str(i): 5 for i in range(1, 6)}, 25)],
    )
    def test_level_sum_runs_from_5_to_25(self, answers, total) -> None:
        assert scored(score("eq5d5l", answers)).total == total

    def test_a_missing_dimension_leaves_no_profile_but_keeps_the_vas(self) -> None:
        result = unscorable(score("eq5d5l", {**JANNICK, "3": None}))
        assert "EQ-5D-5L cannot be scored: 1 item unanswered (3)" in result.reason
        assert result.derived == {"vas": 65}
        assert result.missing_items == ("3",)

    def test_a_missing_vas_keeps_the_profile(self) -> None:
        result = scored(score("eq5d5l", {**JANNICK, "VAS": None}))
        assert result.texts["profile"] == "21345"
        assert "vas" not in result.derived
        assert "EQ VAS cannot be scored" in result.unscorable_parts["vas"]

    @pytest.mark.parametrize(
        ("item", "value", "allowed"), [("1", 6, "1-5"), ("5", 0, "1-5"), ("VAS", 101, "0-100")]
    )
    def test_out_of_range_answers_are_refused(self, item, value, allowed) -> None:
        with pytest.raises(InvalidAnswer, match=f"out of range; allowed: {allowed}"):
            score("eq5d5l", {**JANNICK, item: value})

    def test_no_wording_ships_only_neutral_labels(self) -> None:
        definition = get("eq5d5l")
        assert definition.licence.status == "restricted"
        assert not definition.licence.item_text_bundled
        assert [item.label for item in definition.items][:2] == [
            "Mobility level (1-5)",
            "Self-care level (1-5)",
        ]
        assert all(item.text is None and not item.scale.labels for item in definition.items)


class TestTheIndexFromTheClinicsValueSet:
    def test_the_profile_is_looked_up_in_the_value_set(self) -> None:
        definition = eq5d5l.with_value_set("Made-up test set", made_up_value_set())
        result = scored(definition.score(JANNICK))
        # 21345: 1 + 0 + 2 + 3 + 4 = 10 levels above 1, x 0.02 = 0.2 off full health
        assert result.derived["index"] == pytest.approx(0.8)
        assert result.texts == {"profile": "21345", "value_set": "Made-up test set"}
        assert "index" not in result.unscorable_parts
        assert result.total == 15
        assert result.derived["vas"] == 65

    def test_the_value_set_is_part_of_the_definition_version(self) -> None:
        one = eq5d5l.with_value_set("A", made_up_value_set(0.02))
        other = eq5d5l.with_value_set("B", made_up_value_set(0.03))
        assert one.version != other.version != get("eq5d5l").version
        assert one.version.startswith("EQ-5D-5L+value set ")

    def test_an_incomplete_value_set_cannot_be_used(self) -> None:
        values = made_up_value_set()
        del values["55555"]
        with pytest.raises(ValueError, match="1 of the 3125 health profiles are missing"):
            eq5d5l.with_value_set("Broken", values)


class TestValueSetUploadChecks:
    def test_a_complete_table_with_a_header_is_read(self) -> None:
        values, problems = eq5d5l.parse_value_set(as_csv(made_up_value_set()))
        assert problems == []
        assert len(values) == 3125
        assert values["11111"] == 1
        assert values["55555"] == pytest.approx(0.6)

    def test_semicolons_and_decimal_commas_are_read(self) -> None:
        text = "".join(f"{p};{str(v).replace('.', ',')}\n" for p, v in made_up_value_set().items())
        values, problems = eq5d5l.parse_value_set(text)
        assert problems == []
        assert values["21345"] == pytest.approx(0.8)

    def test_missing_profiles_are_counted_with_examples(self) -> None:
        values = made_up_value_set()
        for profile in ("11112", "11113", "55555"):
            del values[profile]
        _values, problems = eq5d5l.parse_value_set(as_csv(values))
        assert problems == [
            "3 of the 3125 health profiles are missing, for example 11112, 11113, 55555."
        ]

    def test_bad_profiles_bad_numbers_repeats_and_out_of_range_values_are_named_by_line(
        self,
    ) -> None:
        values = made_up_value_set()
        text = as_csv(values) + "11111,1\n61111,0.5\n12345,abc\n11111,nan\n"
        text = text.replace("\n22222,0.9\n", "\n22222,1.5\n")
        line = eq5d5l.ALL_PROFILES.index("22222") + 2  # after the header
        _values, problems = eq5d5l.parse_value_set(text)
        assert f"Line {line}: the index 1.5 of 22222 is outside -1 to 1." in problems
        assert "Line 3127: health profile 11111 is given twice." in problems
        assert (
            "Line 3128: “61111, 0.5” is not a health profile (five digits, each 1 to 5)."
            in problems
        )
        assert "Line 3129: the index “abc” is not a number." in problems
        assert "Line 3130: the index “nan” is not a number." in problems

    def test_full_health_must_be_the_best_state(self) -> None:
        values = made_up_value_set()
        values["11112"] = 1.0
        values["11111"] = 0.99
        _values, problems = eq5d5l.parse_value_set(as_csv(values))
        assert problems == [
            "Full health (11111) must have the highest index of the set; 11112 has 1.0."
        ]

    def test_an_empty_upload_says_what_is_expected(self) -> None:
        assert eq5d5l.parse_value_set("profile,index\n\n") == ({}, [eq5d5l.VS_EMPTY])

    def test_a_long_list_of_problems_is_cut_short(self) -> None:
        text = "".join(f"9999{i % 10},x\n" for i in range(40))
        _values, problems = eq5d5l.parse_value_set(text)
        assert len(problems) == eq5d5l.MAX_PROBLEMS_SHOWN + 1
        assert problems[-1].startswith("… and ")
