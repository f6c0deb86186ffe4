"""ÖMPSQ-10 and ÖMPQ long form (instruments.md §1, §2)."""

from __future__ import annotations

import pytest

from assessment.instruments import get, score
from assessment.instruments.base import InvalidAnswer

from .support import scored, unscorable


class TestOmpsq10:
    def test_worked_example_with_reversed_items_3_4_8(self) -> None:
        answers = {"1": 7, "2": 6, "3": 4, "4": 3, "5": 5, "6": 4, "7": 7, "8": 2, "9": 6, "10": 5}
        result = scored(score("ompsq10", answers))
        expected = 7 + 6 + (10 - 4) + (10 - 3) + 5 + 4 + 7 + (10 - 2) + 6 + 5  # 61
        assert result.total == expected == 61
        assert result.band.name == "high_risk"

    def test_range_1_to_100(self) -> None:
        lowest = {
            "1": 1,
            "2": 0,
            "3": 10,
            "4": 10,
            "5": 0,
            "6": 0,
            "7": 0,
            "8": 10,
            "9": 0,
            "10": 0,
        }
        highest = {
            "1": 10,
            "2": 10,
            "3": 0,
            "4": 0,
            "5": 10,
            "6": 10,
            "7": 10,
            "8": 0,
            "9": 10,
            "10": 10,
        }
        assert scored(score("ompsq10", lowest)).total == 1
        assert scored(score("ompsq10", highest)).total == 100

    @pytest.mark.parametrize(
        ("item2", "total", "band"), [(8, 49, "low_risk"), (9, 50, "high_risk")]
    )
    def test_cut_off_50(self, item2: int, total: int, band: str) -> None:
        # 1 + item2 + 0 + 0 + 10 + 10 + 10 + 0 + 10 + 0 (items 3, 4, 8 answered 10 -> 0)
        answers = {
            "1": 1,
            "2": item2,
            "3": 10,
            "4": 10,
            "5": 10,
            "6": 10,
            "7": 10,
            "8": 10,
            "9": 10,
            "10": 0,
        }
        result = scored(score("ompsq10", answers))
        assert (result.total, result.band.name) == (total, band)

    def test_partial_forms_are_not_summed(self) -> None:
        result = unscorable(score("ompsq10", {"1": 7, "2": 6}))
        assert result.reason.startswith("ÖMPSQ-10 cannot be scored: 8 items unanswered")

    def test_duration_codes_start_at_1(self) -> None:
        with pytest.raises(InvalidAnswer, match="allowed: 1-10"):
            score("ompsq10", {"1": 0})


def ompq(overrides: dict[str, int]) -> dict[str, int]:
    base = {str(n): 0 for n in range(5, 26)}
    base.update({"6": 1, "7": 1})
    for n in (12, 16, 17, 21, 22, 23, 24, 25):
        base[str(n)] = 10  # reversed: 10 - 10 = 0
    base.update(overrides)
    return base


class TestOmpqLongForm:
    def test_minimum_is_2_and_maximum_210(self) -> None:
        assert scored(score("ompq21", ompq({}))).total == 0 + 1 + 1
        top = {str(n): 10 for n in range(6, 26)}
        top.update({"5": 7, **{str(n): 0 for n in (12, 16, 17, 21, 22, 23, 24, 25)}})
        assert scored(score("ompq21", top)).total == 10 + 10 + 10 + 18 * 10

    @pytest.mark.parametrize(
        ("sites", "points"), [(0, 0), (1, 2), (3, 6), (5, 10), (6, 10), (7, 10)]
    )
    def test_q5_two_points_per_site_capped_at_10(self, sites: int, points: int) -> None:
        assert scored(score("ompq21", ompq({"5": sites}))).total == 2 + points

    def test_worked_example(self) -> None:
        answers = ompq(
            {"5": 3, "6": 4, "7": 8, "8": 6, "9": 5, "10": 7, "11": 3, "12": 2, "13": 6, "14": 4, "15": 5,
             "16": 3, "17": 7, "18": 2, "19": 6, "20": 4, "21": 5, "22": 8, "23": 1, "24": 6, "25": 9}
        )  # fmt: skip
        q5 = 2 * 3
        direct = 6 + 5 + 7 + 3 + 6 + 4 + 5 + 2 + 6 + 4  # Q8-11, 13-15, 18-20 = 48
        reversed_ = (
            (10 - 2) + (10 - 3) + (10 - 7) + (10 - 5) + (10 - 8) + (10 - 1) + (10 - 6) + (10 - 9)
        )  # 39
        assert scored(score("ompq21", answers)).total == q5 + 4 + 8 + direct + reversed_ == 105

    @pytest.mark.parametrize(
        ("q8", "band", "flag"), [(0, "below_cutoff", "negative"), (1, "high_risk", "negative")]
    )
    def test_cut_off_105(self, q8: int, band: str, flag: str) -> None:
        # Q5 5 sites = 10, Q6 10, Q7 10, Q8 q8, Q9-11 and Q13-15 10 each, Q18 10, Q19 4; reversed items 0
        answers = ompq({"5": 5, "6": 10, "7": 10, "8": q8, "9": 10, "10": 10, "11": 10, "13": 10, "14": 10, "15": 10,
                        "18": 10, "19": 4, "20": 0})  # fmt: skip
        result = scored(score("ompq21", answers))
        assert result.total == 10 + 10 + 10 + q8 + 6 * 10 + 10 + 4 == 104 + q8
        assert (result.band.name, result.flags["back_injury_cutoff"].state) == (band, flag)

    @pytest.mark.parametrize(("q20", "state"), [(5, "negative"), (6, "positive"), (10, "positive")])
    def test_back_injury_flag_at_130(self, q20: int, state: str) -> None:
        answers = ompq(
            {
                "5": 5,
                "6": 10,
                "7": 10,
                **{str(n): 10 for n in (8, 9, 10, 11, 13, 14, 15, 18, 19)},
                "20": q20,
                "12": 6,
            }
        )
        result = scored(score("ompq21", answers))
        assert result.total == 10 + 10 + 10 + 9 * 10 + q20 + (10 - 6) == 124 + q20
        assert result.flags["back_injury_cutoff"].state == state

    def test_demographic_items_are_not_part_of_the_definition(self) -> None:
        with pytest.raises(InvalidAnswer, match="no item '1'"):
            score("ompq21", {"1": 40})
        assert get("ompq21").item("6").scale.min == 1  # 0 days = 1, as printed
