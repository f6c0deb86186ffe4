"""Changing criterion: each phase met or not, and whether the behaviour tracked the criteria.

Hand-made data: a patient builds up walking minutes with a criterion raised every phase.
"""

from __future__ import annotations

import pytest

from sced.stats.changing_criterion import CriterionPhase, criterion_met


def walking(*phases):
    return [CriterionPhase(label, criterion, tuple(values)) for label, criterion, values in phases]


def test_walking_tracks_four_rising_criteria_and_shows_control():
    result = criterion_met(
        walking(
            ("Baseline", None, [5, 6, 5, 4, 5]),
            ("Step 1", 10, [10, 11, 10, 12, 10]),
            ("Step 2", 15, [15, 16, 15, 15, 17]),
            ("Step 3", 20, [20, 21, 19, 20, 22]),  # 4 of 5 meet: 0.8, just met
            ("Step 4", 25, [25, 26, 25, 27, 25]),
        ),
        improvement="increase",
    )
    assert [p.met for p in result.phases] == [True, True, True, True]
    assert [p.share_meeting for p in result.phases] == [1.0, 1.0, 0.8, 1.0]
    assert result.n_changes == 4
    assert result.n_changes_met == 4
    assert result.demonstrates_control
    assert "tracked every criterion change" in result.reading


def test_a_phase_below_its_criterion_is_not_met_and_control_is_not_shown():
    result = criterion_met(
        walking(
            ("Baseline", None, [5, 6, 5]),
            ("Step 1", 10, [10, 11, 10]),
            ("Step 2", 15, [12, 16, 13, 14]),  # 1 of 4 meets
            ("Step 3", 20, [20, 21, 22]),
        ),
        improvement="increase",
    )
    step2 = result.phases[1]
    assert (step2.n, step2.n_meeting, step2.share_meeting, step2.met) == (4, 1, 0.25, False)
    assert result.n_changes_met == 2
    assert not result.demonstrates_control
    assert "did not meet its criterion" in result.reading


def test_lower_is_better_counts_points_at_or_below_the_criterion():
    # Reducing rescue medication doses per day.
    result = criterion_met(
        walking(
            ("Baseline", None, [6, 6, 7]),
            ("Step 1", 5, [5, 4, 5]),
            ("Step 2", 4, [4, 4, 3]),
            ("Step 3", 3, [3, 4, 3]),  # 2 of 3 meet: below the 0.8 share
        ),
        improvement="decrease",
    )
    assert [p.n_meeting for p in result.phases] == [3, 3, 2]
    assert [p.met for p in result.phases] == [True, True, False]


def test_two_changes_are_too_few_to_show_control_even_when_both_are_met():
    result = criterion_met(
        walking(("Baseline", None, [5]), ("Step 1", 10, [10, 12]), ("Step 2", 15, [15, 16])),
        improvement="increase",
    )
    assert result.n_changes == 2
    assert not result.demonstrates_control
    assert "at least 3 criterion changes" in result.reading


def test_a_repeated_criterion_is_not_a_new_change():
    result = criterion_met(
        walking(
            ("Step 1", 10, [10, 11]),
            ("Step 2", 10, [10, 10]),
            ("Step 3", 15, [15, 15]),
        ),
        improvement="increase",
    )
    assert [p.is_change for p in result.phases] == [True, False, True]
    assert result.n_changes == 2


def test_a_phase_without_values_yet_is_neither_met_nor_failed():
    result = criterion_met(
        walking(("Baseline", None, [5]), ("Step 1", 10, [11]), ("Step 2", 15, [])),
        improvement="increase",
    )
    assert result.phases[1].met is None
    assert result.phases[1].share_meeting is None


def test_the_share_that_counts_as_met_can_be_set_by_the_clinic():
    phases = walking(("Baseline", None, [5]), ("Step 1", 10, [10, 9, 10, 9]))
    assert criterion_met(phases, improvement="increase").phases[0].met is False
    assert criterion_met(phases, improvement="increase", met_share=0.5).phases[0].met is True


@pytest.mark.parametrize(
    ("phases", "message"),
    [
        (walking(("Baseline", None, [1])), "at least one phase with a criterion"),
        (
            walking(("Baseline", None, [1]), ("Step 1", 5, [5]), ("Later", None, [3])),
            "only the baseline",
        ),
    ],
)
def test_a_study_without_criteria_says_why_it_cannot_be_read(phases, message):
    with pytest.raises(ValueError, match=message):
        criterion_met(phases, improvement="increase")
