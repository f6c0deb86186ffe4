"""NRS 0-10 (instruments.md §10)."""

from __future__ import annotations

import pytest

from assessment.instruments import get, score
from assessment.instruments.base import InvalidAnswer

from .support import scored, unscorable


@pytest.mark.parametrize(
    ("value", "band"),
    [
        (0, "none"),
        (1, "mild"),
        (4, "mild"),
        (5, "moderate"),
        (6, "moderate"),
        (7, "severe"),
        (10, "severe"),
    ],
)
def test_serlin_bands_on_both_sides_of_each_cut_off(value: int, band: str) -> None:
    result = scored(score("nrs", {"1": value}))
    assert (result.total, result.band.name) == (value, band)


def test_no_pain_has_its_own_label() -> None:
    assert scored(score("nrs", {1: 0})).band.label == "No pain"


def test_unanswered_is_unscorable() -> None:
    assert (
        unscorable(score("nrs", {})).reason
        == "NRS cannot be scored: 1 item unanswered (1); at most 0 may be missing."
    )


@pytest.mark.parametrize("value", [-1, 11, "NA"])
def test_out_of_range_and_na_are_refused(value: object) -> None:
    with pytest.raises(InvalidAnswer):
        score("nrs", {"1": value})


def test_change_two_points_or_thirty_percent() -> None:
    rule = get("nrs").change[0]
    assert (rule.points, rule.percent, rule.combine, rule.improvement) == (
        2,
        30,
        "either",
        "decrease",
    )
    assert [r.percent for r in get("nrs").change if r.kind == "tier"] == [10, 30, 50]
