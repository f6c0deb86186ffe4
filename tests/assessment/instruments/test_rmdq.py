"""Roland-Morris Disability Questionnaire (instruments.md §12)."""

from __future__ import annotations

import pytest

from assessment.instruments import get, score

from .support import scored, unscorable


def ticks(*ticked: int) -> dict[str, int]:
    return {str(n): int(n in ticked) for n in range(1, 25)}


def test_score_is_the_number_ticked() -> None:
    assert scored(score("rmdq", ticks(1, 3, 5, 9, 13, 17, 21))).total == 7
    assert scored(score("rmdq", ticks(*range(1, 25)))).total == 24
    assert scored(score("rmdq", ticks())).total == 0


def test_not_applicable_is_scored_no() -> None:
    answers = {**ticks(1, 2, 3, 4, 5, 6), "24": "NA"}
    assert scored(score("rmdq", answers)).total == 6


def test_a_blank_item_is_unscorable() -> None:
    answers = ticks(1, 2)
    answers["7"] = None
    assert unscorable(score("rmdq", answers)).reason == (
        "RMDQ cannot be scored: 1 item unanswered (7); at most 0 may be missing."
    )


@pytest.mark.parametrize(("n", "state"), [(2, "positive"), (3, "negative")])
def test_recovery_flag_at_two_or_less(n: int, state: str) -> None:
    assert scored(score("rmdq", ticks(*range(1, n + 1)))).flags["recovered"].state == state


def test_change_and_licence() -> None:
    rmdq = get("rmdq")
    assert (rmdq.change[0].points, rmdq.change[0].percent) == (5, 30)
    assert rmdq.licence.status == "free"
