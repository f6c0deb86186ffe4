"""PGIC: one rating of change on 7 categories; the result is the category, nothing added up."""

from __future__ import annotations

import pytest

from assessment.instruments import ASKS_ABOUT_CHANGE, get, score
from assessment.instruments.base import InvalidAnswer
from assessment.instruments.payload import result_payload

from .support import scored, unscorable


@pytest.mark.parametrize(
    ("code", "category", "words"),
    [
        (1, "very_much_improved", "Very much improved"),
        (2, "much_improved", "Much improved"),
        (3, "minimally_improved", "Minimally improved"),
        (4, "no_change", "No change"),
        (5, "minimally_worse", "Minimally worse"),
        (6, "much_worse", "Much worse"),
        (7, "very_much_worse", "Very much worse"),
    ],
)
def test_each_rating_is_its_own_category(code: int, category: str, words: str) -> None:
    result = scored(score("pgic", {"1": code}))
    assert (result.band.name, result.band.label) == (category, words)
    assert result.total == code  # kept for the chart; pages print the words
    assert result.subscales == {}
    assert result.derived == {}


def test_susan_much_improved_after_the_programme_reads_as_words_not_a_cut_off() -> None:
    result = scored(score("pgic", {"1": 2}))
    payload = result_payload(get("pgic"), result)
    assert payload["band"]["label"] == "Much improved"
    # Its evidence is "policy" (how a code is printed), not "unverified": pages must not call the
    # category a clinic-policy cut-off.
    assert payload["band"]["evidence"] == "policy"


def test_worse_categories_are_coloured_as_worse_and_never_by_colour_alone() -> None:
    levels = [scored(score("pgic", {"1": code})).band.level for code in range(1, 8)]
    assert levels == [0, 0, 0, 1, 2, 3, 4]


def test_an_unanswered_pgic_is_not_scored() -> None:
    result = unscorable(score("pgic", {"1": None}))
    assert "PGIC cannot be scored" in result.reason


@pytest.mark.parametrize("code", [0, 8, -1, "9"])
def test_out_of_range_ratings_are_refused(code) -> None:
    with pytest.raises(InvalidAnswer, match="out of range; allowed: 1-7"):
        score("pgic", {"1": code})


def test_it_asks_about_change_so_it_is_not_for_a_first_visit() -> None:
    assert "pgic" in ASKS_ABOUT_CHANGE
    definition = get("pgic")
    assert not definition.licence.item_text_bundled
    assert definition.licence.status == "unverified"
    assert any("UNVERIFIED" in line for line in definition.unverified)
