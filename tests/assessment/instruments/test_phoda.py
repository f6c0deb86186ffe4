"""PHODA-SeV (instruments.md §18): mean harmfulness of 40 photographs."""

from __future__ import annotations

import pytest

from assessment.instruments import get, score
from assessment.instruments.phoda import exposure_hierarchy

from .support import scored, unscorable


def test_mean_of_40_ratings() -> None:
    ratings = {str(n): (n * 5) % 101 for n in range(1, 41)}
    assert scored(score("phoda", ratings)).total == pytest.approx(sum(ratings.values()) / 40)


def test_all_photos_required() -> None:
    ratings = {str(n): 50 for n in range(1, 40)}
    assert unscorable(score("phoda", ratings)).missing_items == ("40",)


def test_true_change_is_over_20_points() -> None:
    rule = get("phoda").change[0]
    assert (rule.points, rule.inclusive) == (20, False)
    assert get("phoda").licence.status == "restricted"


def test_hierarchy_is_ascending_fear() -> None:
    order = exposure_hierarchy(
        {"bend to lift a crate": 80, "walk to shop": 20, "vacuum": 55, "carry bag": 55}
    )
    assert [name for name, _ in order] == [
        "walk to shop",
        "vacuum",
        "carry bag",
        "bend to lift a crate",
    ]
    with pytest.raises(ValueError, match="must be a number from 0 to 100"):
        exposure_hierarchy({"x": 120})
