"""PEG (instruments.md §9): mean of 3 items, 0-10."""

from __future__ import annotations

import pytest

from assessment.instruments import get, score

from .support import scored, unscorable


def test_mean_of_the_three_items() -> None:
    assert scored(score("peg", {"1": 7, "2": 5, "3": 6})).total == (7 + 5 + 6) / 3
    assert scored(score("peg", {"1": 7, "2": 6, "3": 6})).total == pytest.approx((7 + 6 + 6) / 3)


def test_extremes() -> None:
    assert scored(score("peg", {"1": 0, "2": 0, "3": 0})).total == 0
    assert scored(score("peg", {"1": 10, "2": 10, "3": 10})).total == 10


def test_any_missing_item_is_unscorable() -> None:
    result = unscorable(score("peg", {"1": 7, "3": 6}))
    assert result.reason == "PEG cannot be scored: 1 item unanswered (2); at most 0 may be missing."


def test_text_ships_and_loinc_codes() -> None:
    peg = get("peg")
    assert peg.licence.item_text_bundled
    assert peg.item("1").text == "What number best describes your pain on average in the past week?"
    assert {c.code for c in peg.loinc} == {"91148-7", "91147-9", "75893-8", "91145-3", "91146-1"}
    assert peg.change[0].points == 1.0
