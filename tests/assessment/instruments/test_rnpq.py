"""rNPQ (revised Neurophysiology of Pain Questionnaire): what the patient understands of pain
biology. 12 items answered true / false / undecided, 1 point per answer that matches the key,
total 0-12, no bands (no published cut-off). The key comes from the licensed paper and does not
ship: without it every administration is unscorable with the reason; with the clinic's key it
scores.

The key used here is MADE UP for the test (items 2, 4, 6, 8, 10 and 12 "true"): it is not the
licensed key and says nothing about which rNPQ statements are true."""

from __future__ import annotations

import pytest

from assessment.instruments import get, rnpq, score
from assessment.instruments.base import InvalidAnswer, Score, Unscorable
from assessment.instruments.validation import definition_problems

TRUE, FALSE, UNDECIDED = rnpq.TRUE, rnpq.FALSE, rnpq.UNDECIDED
TEST_KEY = {str(i): i % 2 == 0 for i in range(1, 13)}
KEYED = rnpq.with_key(TEST_KEY)


def correct(item: int) -> int:
    return TRUE if TEST_KEY[str(item)] else FALSE


def wrong(item: int) -> int:
    return FALSE if TEST_KEY[str(item)] else TRUE


def test_a_patient_who_answers_every_statement_as_the_key_says_scores_12() -> None:
    result = KEYED.score({str(i): correct(i) for i in range(1, 13)})
    assert isinstance(result, Score)
    assert result.total == 12


def test_every_statement_answered_wrongly_scores_0() -> None:
    result = KEYED.score({str(i): wrong(i) for i in range(1, 13)})
    assert isinstance(result, Score)
    assert result.total == 0


def test_undecided_earns_no_point_even_where_the_key_is_false() -> None:
    answers = {str(i): correct(i) for i in range(1, 13)}
    answers["1"] = UNDECIDED  # key: false
    answers["2"] = UNDECIDED  # key: true
    result = KEYED.score(answers)
    assert result.total == 10


def test_the_total_has_no_band_because_no_cut_off_is_published() -> None:
    result = KEYED.score({str(i): correct(i) for i in range(1, 13)})
    assert result.band is None
    assert result.bands == {}
    assert KEYED.score_rule("total").bands == ()
    assert KEYED.direction == "higher_is_better"


def test_a_missing_item_makes_it_unscorable_with_the_reason() -> None:
    answers = {str(i): correct(i) for i in range(1, 13)}
    answers["7"] = None
    result = KEYED.score(answers)
    assert isinstance(result, Unscorable)
    assert result.reason.startswith("rNPQ cannot be scored")
    assert "(7)" in result.reason
    assert result.missing_items == ("7",)


def test_without_the_clinics_key_every_administration_is_unscorable_key_not_supplied() -> None:
    assert get("rnpq").has_key is False
    result = score("rnpq", {str(i): TRUE for i in range(1, 13)})
    assert isinstance(result, Unscorable)
    assert "scoring key is not supplied" in result.reason
    assert result.missing_items == ()


def test_without_the_key_no_caller_can_get_points_by_going_round_score() -> None:
    item = get("rnpq").item("1")
    with pytest.raises(rnpq.KeyNotSupplied):
        item.scored_value(TRUE)


def test_bad_input_is_still_refused_without_the_key() -> None:
    with pytest.raises(InvalidAnswer):
        score("rnpq", {"1": 4})
    with pytest.raises(InvalidAnswer):
        score("rnpq", {"13": TRUE})


def test_both_builds_are_sound_definitions_without_item_text() -> None:
    assert definition_problems(get("rnpq")) == []
    assert definition_problems(KEYED) == []
    assert not any(item.text for item in KEYED.items)
    assert [item.label for item in KEYED.items] == [f"Item {i}" for i in range(1, 13)]
    assert KEYED.licence.item_text_bundled is False


def test_a_key_must_answer_all_12_items_true_or_false() -> None:
    with pytest.raises(ValueError, match="each of items 1-12"):
        rnpq.with_key({"1": True})
    with pytest.raises(ValueError, match="each of items 1-12"):
        rnpq.with_key({**TEST_KEY, "3": "yes"})
