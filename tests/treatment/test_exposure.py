"""Expectancy violation and belief change in graded exposure in vivo. Pure: no database.

Expectancy violation = what the patient expected minus what actually happened (Craske et al. 2014,
inhibitory learning); belief change = expectancy before minus expectancy after. Before issue #9
the second was computed and called the first.

Jannick's hierarchy (shared/DESIGN.md): he fears that bending and lifting will damage his back.
"""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from treatment.exposure import (
    ERROR_RATING,
    BehaviouralExperiment,
    ExposureRatingError,
    ols_slope,
    summarise_experiments,
)

BEND = "bend to pick up a crate of water"
LIFT = "lift his son"


class TestOneExperiment:
    def test_jannick_expected_his_back_to_give_way_and_it_did_not(self):
        experiment = BehaviouralExperiment(
            session=1,
            item=BEND,
            expectancy_before=80,
            outcome_observed=0,
            expectancy_after=30,
            fear_before=70,
            fear_peak=85,
            fear_after=40,
        )
        assert experiment.expectancy_violation == 80  # expected 80, happened 0
        assert experiment.belief_change == 50  # expected 80 before, 30 after
        assert experiment.fear_reduction == 45  # peak 85 - after 40
        assert experiment.fear_change == 30  # before 70 - after 40

    def test_the_violation_is_against_what_happened_not_against_the_rating_after(self):
        # Same prediction and outcome, different belief afterwards: the same violation (the
        # surprise) and a different belief change (what he learned from it).
        stuck = BehaviouralExperiment(1, BEND, 80, expectancy_after=75, outcome_observed=10)
        learned = BehaviouralExperiment(1, BEND, 80, expectancy_after=20, outcome_observed=10)
        assert stuck.expectancy_violation == learned.expectancy_violation == 70
        assert (stuck.belief_change, learned.belief_change) == (5, 60)

    def test_feared_outcome_happened_more_than_predicted_is_a_negative_violation(self):
        experiment = BehaviouralExperiment(1, LIFT, expectancy_before=60, outcome_observed=70)
        assert experiment.expectancy_violation == -10  # worse than predicted

    def test_expectancy_rising_after_the_experiment_is_a_negative_belief_change(self):
        experiment = BehaviouralExperiment(1, LIFT, expectancy_before=40, expectancy_after=55)
        assert experiment.belief_change == -15
        assert experiment.expectancy_violation is None  # no outcome rated

    def test_missing_ratings_give_none_not_zero(self):
        experiment = BehaviouralExperiment(2, BEND, expectancy_before=50)
        assert experiment.expectancy_violation is None
        assert experiment.belief_change is None
        assert experiment.fear_reduction is None
        assert experiment.fear_change is None

    @pytest.mark.parametrize("value", [0, 100, 0.0, 100.0, 37.5])
    def test_the_ends_of_the_scale_are_valid(self, value):
        experiment = BehaviouralExperiment(1, BEND, expectancy_before=value, fear_peak=value)
        assert (experiment.expectancy_before, experiment.fear_peak) == (value, value)


class TestValidation:
    @pytest.mark.parametrize(
        "field",
        [
            "expectancy_before",
            "expectancy_after",
            "outcome_observed",
            "fear_before",
            "fear_peak",
            "fear_after",
        ],
    )
    @pytest.mark.parametrize("value", [-1, 100.5, 150, float("nan"), float("inf"), "50", True])
    def test_ratings_outside_0_to_100_are_refused_with_the_field_named(self, field, value):
        ratings = {"expectancy_before": 50, field: value}
        with pytest.raises(ExposureRatingError) as caught:
            BehaviouralExperiment(session=1, item=BEND, **ratings)
        assert caught.value.field == field
        assert str(caught.value) == ERROR_RATING.format(field=field, value=value)

    def test_message_reads_well(self):
        with pytest.raises(
            ExposureRatingError, match=r"fear_peak must be a number from 0 to 100 \(got 120\)"
        ):
            BehaviouralExperiment(1, BEND, expectancy_before=50, fear_peak=120)

    def test_expectancy_before_is_required(self):
        with pytest.raises(ExposureRatingError) as caught:
            BehaviouralExperiment(1, BEND, expectancy_before=None)
        assert caught.value.field == "expectancy_before"

    @pytest.mark.parametrize("session", [0, -1, 1.0, "1", True])
    def test_session_is_a_positive_whole_number(self, session):
        with pytest.raises(ExposureRatingError) as caught:
            BehaviouralExperiment(session, BEND, expectancy_before=50)
        assert caught.value.field == "session"

    @pytest.mark.parametrize("item", ["", "   ", None])
    def test_item_is_named(self, item):
        with pytest.raises(ExposureRatingError) as caught:
            BehaviouralExperiment(1, item, expectancy_before=50)
        assert caught.value.field == "item"

    def test_rating_error_is_a_value_error(self):
        assert issubclass(ExposureRatingError, ValueError)


def jannicks_series():
    # Bending: predicted less each session (90 → 70 → 50) while the back never gives way, so the
    # violation shrinks as the prediction gets closer to what happens (90 → 60 → 50). Lifting his
    # son is introduced in session 2; in session 3 he stops before rating the outcome.
    return [
        BehaviouralExperiment(
            3, BEND, expectancy_before=50, outcome_observed=0, expectancy_after=30, fear_peak=40
        ),
        BehaviouralExperiment(
            1, BEND, expectancy_before=90, outcome_observed=0, expectancy_after=50, fear_peak=80
        ),
        BehaviouralExperiment(
            2, BEND, expectancy_before=70, outcome_observed=10, expectancy_after=40, fear_peak=60
        ),
        BehaviouralExperiment(
            2,
            LIFT,
            expectancy_before=95,
            outcome_observed=30,
            expectancy_after=75,
            fear_peak=90,
            fear_after=50,
        ),
        BehaviouralExperiment(3, LIFT, expectancy_before=85, expectancy_after=None, fear_peak=85),
    ]


class TestSummary:
    def test_per_session(self):
        summary = summarise_experiments(jannicks_series())
        assert [s.session for s in summary.sessions] == [1, 2, 3]
        one, two, three = summary.sessions
        assert one.n_experiments == 1
        assert (one.mean_violation, one.mean_belief_change) == (90, 40)  # 90 − 0; 90 − 50
        assert two.items == (BEND, LIFT)
        assert two.mean_violation == pytest.approx((60 + 65) / 2)  # 70 − 10, 95 − 30
        assert two.mean_belief_change == pytest.approx((30 + 20) / 2)  # 70 − 40, 95 − 75
        assert two.mean_expectancy_before == pytest.approx((70 + 95) / 2)
        assert two.mean_fear_reduction == pytest.approx(40)  # only lifting had fear after
        # lifting has no outcome or rating after: skipped, not counted as 0
        assert (three.mean_violation, three.mean_belief_change) == (50, 20)
        assert three.mean_fear_peak == pytest.approx((40 + 85) / 2)

    def test_per_item_with_trends(self):
        summary = summarise_experiments(jannicks_series())
        bend, lift = summary.items
        assert (bend.item, lift.item) == (BEND, LIFT)  # order of first appearance
        assert bend.sessions == (1, 2, 3)
        assert bend.expectancy_before == (90, 70, 50)
        assert bend.violations == (90, 60, 50)
        assert bend.mean_violation == pytest.approx(200 / 3)
        assert bend.mean_belief_change == pytest.approx((40 + 30 + 20) / 3)
        assert bend.expectancy_before_trend == pytest.approx(-20)
        # (1, 90), (2, 60), (3, 50): x̄ = 2, Sxy = −1·(90 − 66.7) + 1·(50 − 66.7) = −40, Sxx = 2
        assert bend.violation_trend == pytest.approx(-20)
        assert bend.fear_peak_trend == pytest.approx(-20)
        assert lift.violations == (65, None)
        assert lift.mean_violation == 65
        assert lift.mean_belief_change == 20
        assert lift.violation_trend is None  # one rated session: no trend
        assert lift.expectancy_before_trend == pytest.approx(-10)

    def test_overall(self):
        summary = summarise_experiments(jannicks_series())
        assert summary.n_experiments == 5
        assert summary.mean_violation == pytest.approx((90 + 60 + 65 + 50) / 4)  # 66.25
        assert summary.mean_belief_change == pytest.approx((40 + 30 + 20 + 20) / 4)  # 27.5
        # violations (session, value): (1, 90), (2, 60), (2, 65), (3, 50): x̄ = 2, ȳ = 66.25,
        # Sxy = −23.75 + 0 + 0 − 16.25 = −40, Sxx = 2 → slope −20 per session.
        assert summary.violation_trend == pytest.approx(-20)

    def test_no_experiments(self):
        summary = summarise_experiments([])
        assert summary.n_experiments == 0
        assert summary.mean_violation is None
        assert summary.violation_trend is None
        assert summary.sessions == ()
        assert summary.items == ()

    def test_input_order_does_not_matter(self):
        series = jannicks_series()
        assert summarise_experiments(series) == summarise_experiments(
            sorted(series, key=lambda e: (e.session, e.item))
        )


class TestOlsSlope:
    def test_hand_computed(self):
        # x = 1, 2, 3, 4; y = 2, 4, 5, 9: x̄ = 2.5, ȳ = 5, Sxy = 4.5 + 0.5 + 0 + 6 = 11, Sxx = 5
        assert ols_slope([(1, 2), (2, 4), (3, 5), (4, 9)]) == pytest.approx(11 / 5)

    def test_needs_two_distinct_x(self):
        assert ols_slope([]) is None
        assert ols_slope([(2, 10), (2, 30)]) is None

    @given(
        st.lists(st.tuples(st.integers(1, 30), st.floats(0, 100)), min_size=2, max_size=20),
        st.floats(-50, 50),
    )
    def test_adding_a_constant_to_y_does_not_change_the_slope(self, points, shift):
        slope = ols_slope(points)
        shifted = ols_slope([(x, y + shift) for x, y in points])
        if slope is None:
            assert shifted is None
        else:
            assert math.isclose(slope, shifted, rel_tol=1e-6, abs_tol=1e-6)
