"""Goal Attainment Scaling T-score (instruments.md §22). Pure: no database.

Expected values are computed here, by hand, from the published formula
T = 50 + 10·Σ(wᵢxᵢ) / √((1−ρ)·Σwᵢ² + ρ·(Σwᵢ)²), never by calling the code under test.
"""

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assessment.instruments.base import Unscorable
from assessment.instruments.gas import (
    DEFAULT_RHO,
    REASON_NO_BASELINE,
    REASON_NO_GOALS,
    REASON_NOT_REVIEWED,
    REASON_RHO_OUT_OF_RANGE,
    REASON_WEIGHT_NOT_POSITIVE,
    SOURCE,
    GasGoal,
    GasResult,
    gas_baseline_t_score,
    gas_payload,
    gas_t_score,
    turner_stokes_weight,
)


def t_of(goals, rho=DEFAULT_RHO) -> float:
    result = gas_t_score(goals, rho=rho)
    assert isinstance(result, GasResult), result
    return result.t_score


class TestWorkedExamples:
    def test_default_rho_is_kiresuk_shermans_0_3(self):
        assert DEFAULT_RHO == 0.3

    @pytest.mark.parametrize("weights", [(1, 1, 1), (1, 2.5, 9), (6, 4, 1, 3)])
    def test_every_goal_met_as_expected_gives_50_whatever_the_weights(self, weights):
        assert t_of([GasGoal(0, w) for w in weights]) == 50

    def test_three_equal_goals_all_somewhat_less_than_expected(self):
        # 50 - 10·3 / √(0.7·3 + 0.3·3²) = 50 - 30/√4.8
        expected = 50 - 30 / math.sqrt(0.7 * 3 + 0.3 * 9)
        assert t_of([GasGoal(-1)] * 3) == pytest.approx(expected)
        assert expected == pytest.approx(36.3069, abs=1e-4)

    @pytest.mark.parametrize("weight", [1, 4, 9])
    @pytest.mark.parametrize(("level", "expected"), [(2, 70), (1, 60), (-1, 40), (-2, 30)])
    def test_single_goal_is_50_plus_10x_whatever_its_weight(self, weight, level, expected):
        # §22: "Single goal: denominator = w, so T = 50 + 10x (e.g. +2 → 70)".
        assert t_of([GasGoal(level, weight)]) == pytest.approx(expected)

    def test_unequal_weights(self):
        # w = (1, 2, 3), x = (+1, 0, -1): Σwx = -2, Σw² = 14, (Σw)² = 36
        expected = 50 + 10 * (-2) / math.sqrt(0.7 * 14 + 0.3 * 36)
        result = gas_t_score([GasGoal(1, 1), GasGoal(0, 2), GasGoal(-1, 3)])
        assert isinstance(result, GasResult)
        assert result.t_score == pytest.approx(expected)
        assert result.t_score == pytest.approx(45.5934, abs=1e-4)
        assert result.weights == (1.0, 2.0, 3.0)
        assert result.levels == (1, 0, -1)
        assert result.n_goals == 3
        assert result.rho == 0.3
        assert "§22" in result.source
        assert result.source == SOURCE

    def test_jannicks_weighted_goals_with_turner_stokes_weights(self):
        # Return to work: importance 3 × difficulty 3 = 9, attained +1.
        # Play football with his son: 2 × 2 = 4, attained 0.
        # Lift a crate at home: 1 × 1 = 1, attained -1.
        weights = (
            turner_stokes_weight(3, 3),
            turner_stokes_weight(2, 2),
            turner_stokes_weight(1, 1),
        )
        assert weights == (9, 4, 1)
        sum_wx = 9 * 1 + 4 * 0 + 1 * -1
        expected = 50 + 10 * sum_wx / math.sqrt(0.7 * (81 + 16 + 1) + 0.3 * 14**2)
        goals = [GasGoal(1, 9), GasGoal(0, 4), GasGoal(-1, 1)]
        assert t_of(goals) == pytest.approx(expected)

    @pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 8])
    def test_equal_weights_reduce_to_a_constant_per_goal_count(self, n):
        # With wᵢ = 1: T = 50 + Σx · 10/√(0.7n + 0.3n²).
        levels = [(-2, -1, 0, 1, 2)[i % 5] for i in range(n)]
        expected = 50 + sum(levels) * 10 / math.sqrt(0.7 * n + 0.3 * n * n)
        assert t_of([GasGoal(x) for x in levels]) == pytest.approx(expected)

    def test_rho_zero_treats_goals_as_independent(self):
        goals = [GasGoal(2), GasGoal(1), GasGoal(1), GasGoal(0)]
        assert t_of(goals, rho=0) == pytest.approx(50 + 10 * 4 / math.sqrt(4))

    def test_rho_one_gives_50_plus_10_times_the_weighted_mean_level(self):
        goals = [GasGoal(2, 1), GasGoal(-1, 3)]
        assert t_of(goals, rho=1) == pytest.approx(50 + 10 * (2 - 3) / 4)


class TestBaseline:
    def test_susan_starts_at_minus_one_on_every_goal_and_meets_them_all(self):
        # Garden for 20 minutes, see a friend weekly, sleep 6 hours: baseline -1, attained 0.
        goals = [GasGoal(0, baseline_level=-1)] * 3
        baseline = gas_baseline_t_score(goals)
        assert isinstance(baseline, GasResult)
        assert baseline.t_score == pytest.approx(50 - 30 / math.sqrt(4.8))
        assert t_of(goals) - baseline.t_score == pytest.approx(30 / math.sqrt(4.8))

    def test_missing_baseline_is_unscorable(self):
        result = gas_baseline_t_score([GasGoal(0, baseline_level=-1), GasGoal(0)])
        assert result == Unscorable("gas", REASON_NO_BASELINE.format(number=2))


class TestUnscorable:
    def test_no_goals(self):
        assert gas_t_score([]) == Unscorable("gas", REASON_NO_GOALS)

    def test_a_goal_not_yet_reviewed(self):
        result = gas_t_score([GasGoal(1), GasGoal(None), GasGoal(0)])
        assert isinstance(result, Unscorable)
        assert result.reason == REASON_NOT_REVIEWED.format(number=2)
        assert result.reason == "Goal 2 has not been reviewed yet (no attained level)."

    @pytest.mark.parametrize("weight", [0, -1, -0.5])
    def test_non_positive_weight(self, weight):
        result = gas_t_score([GasGoal(0, 1), GasGoal(1, weight)])
        assert result == Unscorable(
            "gas", REASON_WEIGHT_NOT_POSITIVE.format(number=2, weight=weight)
        )

    def test_zero_importance_turner_stokes_weight_is_unscorable_not_a_crash(self):
        result = gas_t_score([GasGoal(1, turner_stokes_weight(0, 3))])
        assert isinstance(result, Unscorable)
        assert "weight 0" in result.reason

    @pytest.mark.parametrize("rho", [-0.1, 1.01, 3])
    def test_rho_outside_0_1(self, rho):
        result = gas_t_score([GasGoal(0)], rho=rho)
        assert result == Unscorable("gas", REASON_RHO_OUT_OF_RANGE.format(rho=rho))


class TestMalformedGoals:
    @pytest.mark.parametrize("level", [3, -3, 0.5, "1", True])
    def test_level_outside_the_five_point_scale_raises(self, level):
        with pytest.raises(ValueError, match="level must be one of"):
            GasGoal(level)

    @pytest.mark.parametrize("weight", [float("nan"), float("inf"), "2", None])
    def test_weight_that_is_not_a_finite_number_raises(self, weight):
        with pytest.raises(ValueError, match="weight must be a finite number"):
            GasGoal(0, weight)

    @pytest.mark.parametrize(("importance", "difficulty"), [(4, 1), (-1, 2), (1.5, 1)])
    def test_turner_stokes_ratings_are_0_to_3(self, importance, difficulty):
        with pytest.raises(ValueError, match="0-3"):
            turner_stokes_weight(importance, difficulty)


# --- invariants ------------------------------------------------------------------------------

levels_st = st.sampled_from([-2, -1, 0, 1, 2])
weights_st = st.floats(min_value=0.1, max_value=10, allow_nan=False)
goal_lists = st.lists(st.tuples(levels_st, weights_st), min_size=1, max_size=10)
rhos = st.floats(min_value=0, max_value=1)


class TestInvariants:
    @given(goal_lists, rhos)
    def test_negating_every_level_mirrors_t_around_50(self, pairs, rho):
        t = t_of([GasGoal(x, w) for x, w in pairs], rho)
        mirrored = t_of([GasGoal(-x, w) for x, w in pairs], rho)
        assert mirrored == pytest.approx(100 - t, abs=1e-9)

    @given(goal_lists, rhos, st.floats(min_value=0.01, max_value=100))
    def test_scaling_every_weight_leaves_t_unchanged(self, pairs, rho, factor):
        t = t_of([GasGoal(x, w) for x, w in pairs], rho)
        scaled = t_of([GasGoal(x, w * factor) for x, w in pairs], rho)
        assert scaled == pytest.approx(t, abs=1e-9)

    @given(goal_lists, rhos, st.randoms())
    def test_goal_order_does_not_matter(self, pairs, rho, rnd):
        shuffled = list(pairs)
        rnd.shuffle(shuffled)
        assert t_of([GasGoal(x, w) for x, w in shuffled], rho) == pytest.approx(
            t_of([GasGoal(x, w) for x, w in pairs], rho), abs=1e-9
        )

    @given(goal_lists, rhos, st.data())
    def test_raising_one_goal_never_lowers_t(self, pairs, rho, data):
        index = data.draw(st.integers(0, len(pairs) - 1))
        x, w = pairs[index]
        if x == 2:
            return
        raised = list(pairs)
        raised[index] = (x + 1, w)
        before = t_of([GasGoal(a, b) for a, b in pairs], rho)
        after = t_of([GasGoal(a, b) for a, b in raised], rho)
        assert after > before

    @given(goal_lists)
    def test_t_lies_between_all_minus_two_and_all_plus_two(self, pairs):
        weights = [w for _, w in pairs]
        t = t_of([GasGoal(x, w) for x, w in pairs])
        lowest = t_of([GasGoal(-2, w) for w in weights])
        highest = t_of([GasGoal(2, w) for w in weights])
        assert lowest - 1e-9 <= t <= highest + 1e-9


# --- CLI payload ------------------------------------------------------------------------------


class TestPayload:
    def test_scorable_payload(self):
        out = gas_payload(
            {
                "goals": [
                    {"weight": 1, "attained": -1},
                    {"weight": 1, "attained": -1},
                    {"attained": -1},
                ]
            }
        )
        assert out["method"] == "gas"
        assert out["scorable"] is True
        assert out["t_score"] == pytest.approx(50 - 30 / math.sqrt(4.8))
        assert out["n_goals"] == 3
        assert out["weights"] == [1.0, 1.0, 1.0]
        assert out["levels"] == [-1, -1, -1]
        assert out["rho"] == 0.3
        assert out["source"] == SOURCE
        assert "baseline_t_score" not in out
        json.dumps(out)  # the CLI prints it

    def test_payload_with_baselines_reports_the_change(self):
        out = gas_payload(
            {"goals": [{"attained": 1, "baseline": -1}, {"attained": 0, "baseline": -2}], "rho": 0}
        )
        assert out["t_score"] == pytest.approx(50 + 10 * 1 / math.sqrt(2))
        assert out["baseline_t_score"] == pytest.approx(50 - 10 * 3 / math.sqrt(2))
        assert out["change"] == pytest.approx(10 * 4 / math.sqrt(2))

    def test_integral_floats_are_accepted_as_levels(self):
        assert gas_payload({"goals": [{"attained": 2.0}]})["t_score"] == pytest.approx(70)

    def test_goal_not_yet_reviewed_is_unscorable_not_an_error(self):
        out = gas_payload({"goals": [{"attained": 0}, {"attained": None}]})
        assert out == {
            "method": "gas",
            "scorable": False,
            "reason": REASON_NOT_REVIEWED.format(number=2),
        }

    def test_zero_weight_is_unscorable(self):
        out = gas_payload({"goals": [{"attained": 0, "weight": 0}]})
        assert out["scorable"] is False
        assert "weight" in out["reason"]

    def test_no_goals_is_unscorable(self):
        assert gas_payload({"goals": []})["reason"] == REASON_NO_GOALS

    @pytest.mark.parametrize(
        ("payload", "field"),
        [
            ([], ""),
            ({}, "goals"),
            ({"goals": "3 goals"}, "goals"),
            ({"goals": [1]}, "goals[0]"),
            ({"goals": [{"weight": 1}]}, "goals[0].attained"),
            ({"goals": [{"attained": 0}, {"attained": 3}]}, "goals[1].attained"),
            ({"goals": [{"attained": "0"}]}, "goals[0].attained"),
            ({"goals": [{"attained": 0.5}]}, "goals[0].attained"),
            ({"goals": [{"attained": 0, "weight": "high"}]}, "goals[0].weight"),
            ({"goals": [{"attained": 0, "baseline": 5}]}, "goals[0].baseline"),
            ({"goals": [{"attained": 0}], "rho": "0.3"}, "rho"),
        ],
    )
    def test_malformed_payload_names_the_field(self, payload, field):
        out = gas_payload(payload)
        assert set(out) == {"error", "field"}
        assert out["field"] == field
        assert out["error"]
