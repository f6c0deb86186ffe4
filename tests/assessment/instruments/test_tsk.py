"""TSK-17 (with TSK-11 derived) and TSK-11 (instruments.md §4)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from assessment.instruments import get, score
from assessment.instruments.base import InvalidAnswer
from assessment.instruments.validation import definition_problems

from .support import numbered, scored, unscorable

REVERSED = (4, 8, 12, 16)
TSK11_ITEMS = (1, 2, 3, 5, 6, 7, 10, 11, 13, 15, 17)


def tsk17_with_total(total: int) -> dict[str, int]:
    """Every item scoring 2 (reversed items answered 3, as 5 - 3 = 2) gives 34; then raise
    non-reversed items one point each."""
    answers = {str(n): (3 if n in REVERSED else 2) for n in range(1, 18)}
    raise_by = total - 34
    for n in TSK11_ITEMS[:raise_by]:
        answers[str(n)] = 3
    return answers


def test_worked_example_with_reversal() -> None:
    raw = [3, 2, 3, 1, 4, 2, 3, 2, 2, 3, 2, 1, 3, 2, 3, 2, 3]
    result = scored(score("tsk17", numbered(raw)))
    direct = sum(raw[n - 1] for n in range(1, 18) if n not in REVERSED)  # 35
    reversed_ = sum(5 - raw[n - 1] for n in REVERSED)  # (5-1)+(5-2)+(5-1)+(5-2) = 14
    assert result.total == direct + reversed_ == 49
    assert result.derived == {"tsk11": sum(raw[n - 1] for n in TSK11_ITEMS)}  # 31
    assert result.derived["tsk11"] == 31


def test_reverse_items_4_8_12_16() -> None:
    low = scored(score("tsk17", {str(n): (4 if n in REVERSED else 1) for n in range(1, 18)}))
    assert low.total == 17
    high = scored(score("tsk17", {str(n): (1 if n in REVERSED else 4) for n in range(1, 18)}))
    assert high.total == 68


@pytest.mark.parametrize(("total", "band"), [(36, "not_high"), (37, "not_high"), (38, "high")])
def test_cut_off_is_above_37(total: int, band: str) -> None:
    result = scored(score("tsk17", tsk17_with_total(total)))
    assert (result.total, result.band.name) == (total, band)


def test_cut_off_can_be_made_inclusive_in_a_clinic_variant() -> None:
    tsk17 = get("tsk17")
    rule = tsk17.scores[0]
    not_high, high = rule.bands
    variant_rule = replace(
        rule, bands=(replace(not_high, max=36), replace(high, min_inclusive=True))
    )
    variant = replace(tsk17, version="Vlaeyen1995-ge37", scores=(variant_rule, *tsk17.scores[1:]))
    assert definition_problems(variant) == []
    assert scored(variant.score(tsk17_with_total(37))).band.name == "high"


def test_three_missing_items_reason() -> None:
    answers = {str(n): 2 for n in range(1, 18) if n not in (2, 5, 9)}
    assert unscorable(score("tsk17", answers)).reason == (
        "TSK-17 cannot be scored: 3 items unanswered (2, 5, 9); at most 0 may be missing."
    )


def test_one_missing_is_already_past_the_limit() -> None:
    answers = {str(n): 2 for n in range(2, 18)}
    assert unscorable(score("tsk17", answers)).missing_items == ("1",)


@pytest.mark.parametrize("value", [0, 5])
def test_out_of_range(value: int) -> None:
    with pytest.raises(InvalidAnswer, match="allowed: 1-4"):
        score("tsk17", {"4": value})


class TestTsk11:
    def test_no_reversal_and_range(self) -> None:
        assert scored(score("tsk11", numbered([1] * 11))).total == 11
        assert scored(score("tsk11", numbered([4] * 11))).total == 44
        # item 4 of the TSK-11 is TSK-17 item 5, positively keyed: answering 1 scores 1
        assert (
            scored(score("tsk11", numbered([2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 2]))).total == 10 * 2 + 1
        )

    def test_policy_cut_off_24_is_marked_unverified_and_missing_refused(self) -> None:
        # No published TSK-11 cut-off: clinic policy >= 24, the TSK-17 "> 37" carried over per
        # item (37 / 17 * 11 = 23.9). Both sides of the boundary, and the evidence shown.
        just_below = scored(score("tsk11", numbered([2] * 10 + [3])))  # 23
        at_cut_off = scored(score("tsk11", numbered([2] * 9 + [3, 3])))  # 24
        assert (just_below.total, just_below.band.name) == (23, "not_high")
        assert (at_cut_off.total, at_cut_off.band.name) == (24, "high")
        assert at_cut_off.band.evidence == "unverified"
        # The evidence mark says "policy" (pages show it beside the band); the label stays plain,
        # not "High fear of movement (clinic policy) policy" (issue #9).
        assert at_cut_off.band.label == "High fear of movement"
        assert "policy" not in at_cut_off.band.label + just_below.band.label
        assert unscorable(score("tsk11", numbered([3] * 10))).reason.endswith(
            "1 item unanswered (11); at most 0 may be missing."
        )

    def test_change_parameters(self) -> None:
        tsk11 = get("tsk11")
        assert [r.points for r in tsk11.change] == [4, 5.6]
        assert tsk11.rci[0].sem == 2.54
        assert get("tsk17").rci[0].sem == 3.16
        assert get("tsk17").item("5").label == "Item 5"
