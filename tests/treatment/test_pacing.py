"""Pacing and graded activity quotas (treatment/pacing.py). Pure: no database.

Susan (shared/DESIGN.md) gardens in a boom-and-bust pattern; her pacing plan sets a quota of
gardening minutes from a baseline week and grades it up.
"""

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assessment.instruments.base import Unscorable
from treatment.pacing import (
    BASELINE_MEAN_MINUS_20_PERCENT,
    DEFAULT_BOOM_MARGIN,
    DEFAULT_TOLERANCE,
    EIGHTY_PERCENT_OF_BASELINE_MEAN,
    LOWEST_BASELINE_VALUE,
    NOT_RECORDED,
    ON_QUOTA,
    OVER_QUOTA,
    REASON_ZERO_BASELINE,
    SEVENTY_PERCENT_OF_BASELINE_MEAN,
    UNDER_QUOTA,
    BoomBust,
    IncrementRule,
    QuotaRule,
    StartingQuota,
    adherence,
    baseline_mean_minus_percent,
    expand_schedule,
    quota_schedule,
    starting_quota,
    too_few_reason,
)

SUSANS_BASELINE = [10, 12, 14]  # minutes of gardening before pain made her stop


def quota(recordings, rule, **kwargs) -> StartingQuota:
    result = starting_quota(recordings, rule, **kwargs)
    assert isinstance(result, StartingQuota), result
    return result


class TestStartingQuota:
    def test_eighty_percent_of_the_baseline_mean(self):
        result = quota(SUSANS_BASELINE, EIGHTY_PERCENT_OF_BASELINE_MEAN)
        assert result.baseline_mean == 12
        assert result.value == pytest.approx(0.8 * 12)
        assert result.n_recordings == 3
        # The source is shown on the page: the literature, not our confidence mark.
        assert "Fordyce" in result.source
        assert "UNVERIFIED" not in result.source

    def test_baseline_minus_20_percent_is_the_same_rule(self):
        assert BASELINE_MEAN_MINUS_20_PERCENT is EIGHTY_PERCENT_OF_BASELINE_MEAN
        minus_20 = baseline_mean_minus_percent(20)
        assert minus_20.proportion == pytest.approx(0.8)
        assert quota(SUSANS_BASELINE, minus_20).value == pytest.approx(9.6)

    def test_seventy_percent(self):
        assert quota(SUSANS_BASELINE, SEVENTY_PERCENT_OF_BASELINE_MEAN).value == pytest.approx(8.4)

    def test_lowest_baseline_value(self):
        result = quota([14, 10, 12, 30], LOWEST_BASELINE_VALUE)
        assert result.value == 10
        assert result.baseline_lowest == 10

    def test_round_down_to_whole_minutes(self):
        assert quota(SUSANS_BASELINE, EIGHTY_PERCENT_OF_BASELINE_MEAN, round_down_to=1).value == 9
        # 0.8 × 15 = 12 must stay 12, not become 11 through floating-point noise.
        assert quota([15, 15, 15], EIGHTY_PERCENT_OF_BASELINE_MEAN, round_down_to=1).value == 12
        assert quota([30, 40, 50], LOWEST_BASELINE_VALUE, round_down_to=5).value == 30

    def test_every_rule_states_its_source(self):
        for rule in (
            EIGHTY_PERCENT_OF_BASELINE_MEAN,
            SEVENTY_PERCENT_OF_BASELINE_MEAN,
            LOWEST_BASELINE_VALUE,
        ):
            assert "Fordyce" in rule.source
            assert "UNVERIFIED" not in rule.source

    @pytest.mark.parametrize("recordings", [[], [10], [10, 12], [10, None, 12, None]])
    def test_fewer_than_three_recordings_is_unscorable(self, recordings):
        n = sum(1 for r in recordings if r is not None)
        assert starting_quota(recordings, EIGHTY_PERCENT_OF_BASELINE_MEAN) == Unscorable(
            "pacing_quota", too_few_reason(n, 3)
        )

    def test_days_not_recorded_are_skipped(self):
        result = quota([10, None, 12, 14], EIGHTY_PERCENT_OF_BASELINE_MEAN)
        assert (result.n_recordings, result.baseline_mean) == (3, 12)

    def test_a_baseline_of_nothing_is_unscorable(self):
        assert starting_quota([0, 0, 0], EIGHTY_PERCENT_OF_BASELINE_MEAN) == Unscorable(
            "pacing_quota", REASON_ZERO_BASELINE.format(statistic="mean")
        )
        assert isinstance(starting_quota([0, 20, 30], LOWEST_BASELINE_VALUE), Unscorable)

    @pytest.mark.parametrize("bad", [-5, "10", float("nan"), True])
    def test_bad_recordings_raise(self, bad):
        with pytest.raises(ValueError, match="baseline recording 2"):
            starting_quota([10, bad, 12], EIGHTY_PERCENT_OF_BASELINE_MEAN)

    @pytest.mark.parametrize("proportion", [0, 1.2, -0.5])
    def test_rule_proportion_is_in_0_1(self, proportion):
        with pytest.raises(ValueError, match="proportion"):
            QuotaRule(kind="proportion_of_baseline_mean", proportion=proportion, source="s")

    def test_unknown_rule_kind(self):
        with pytest.raises(ValueError, match="kind"):
            QuotaRule(kind="median", source="s")


class TestSchedule:
    def test_fixed_increment_for_a_number_of_steps(self):
        assert quota_schedule(9, IncrementRule("fixed", 2), steps=5) == (9, 11, 13, 15, 17)

    def test_until_target_ends_on_the_target(self):
        assert quota_schedule(9, IncrementRule("fixed", 2), target=16) == (9, 11, 13, 15, 16)
        assert quota_schedule(9, IncrementRule("fixed", 2), target=15) == (9, 11, 13, 15)

    def test_steps_and_target_whichever_first(self):
        assert quota_schedule(9, IncrementRule("fixed", 2), steps=3, target=16) == (9, 11, 13)
        assert quota_schedule(9, IncrementRule("fixed", 2), steps=10, target=12) == (9, 11, 12)

    def test_cap_holds_the_quota(self):
        assert quota_schedule(9, IncrementRule("fixed", 2), steps=5, cap=14) == (9, 11, 13, 14, 14)

    def test_percent_increment_compounds(self):
        schedule = quota_schedule(10, IncrementRule("percent", 10), steps=4)
        assert schedule == pytest.approx((10, 11, 12.1, 13.31))

    def test_start_already_at_target(self):
        assert quota_schedule(20, IncrementRule("fixed", 2), target=15) == (20,)

    def test_no_drift_over_many_steps(self):
        schedule = quota_schedule(0, IncrementRule("fixed", 0.1), steps=101)
        assert schedule[-1] == pytest.approx(10, abs=1e-12)

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({}, "give steps, target, or both"),
            ({"steps": 0}, "steps"),
            ({"target": 30, "cap": 20}, "never be reached"),
            ({"steps": 3, "cap": 5}, "cap"),
            ({"target": -1}, "target"),
        ],
    )
    def test_impossible_schedules_raise(self, kwargs, message):
        with pytest.raises(ValueError, match=message):
            quota_schedule(9, IncrementRule("fixed", 2), **kwargs)

    def test_percent_cannot_grow_zero(self):
        with pytest.raises(ValueError, match="percent"):
            quota_schedule(0, IncrementRule("percent", 10), steps=3)

    @pytest.mark.parametrize("amount", [0, -1])
    def test_increment_must_be_positive(self, amount):
        with pytest.raises(ValueError, match="amount"):
            IncrementRule("fixed", amount)

    @given(
        st.floats(0.5, 60),
        st.sampled_from(["fixed", "percent"]),
        st.floats(0.5, 20),
        st.integers(1, 40),
        st.floats(0, 100),
    )
    def test_schedules_never_go_down_and_respect_the_cap(
        self, start, kind, amount, steps, headroom
    ):
        cap = start + headroom
        schedule = quota_schedule(start, IncrementRule(kind, amount), steps=steps, cap=cap)
        assert len(schedule) == steps
        assert schedule[0] == start
        assert all(a <= b for a, b in itertools.pairwise(schedule))
        assert max(schedule) <= cap

    @given(
        st.floats(1, 60), st.sampled_from(["fixed", "percent"]), st.floats(1, 20), st.floats(1, 200)
    )
    def test_until_target_stops_exactly_at_the_target(self, start, kind, amount, extra):
        target = start + extra
        schedule = quota_schedule(start, IncrementRule(kind, amount), target=target)
        assert schedule[-1] == target
        assert all(q < target for q in schedule[:-1])

    def test_expand_weekly_quotas_to_days(self):
        assert expand_schedule((10, 12), days_per_step=3) == (10, 10, 10, 12, 12, 12)
        with pytest.raises(ValueError, match="days_per_step must be a whole number"):
            expand_schedule((10,), days_per_step=0)


class TestAdherence:
    def test_defaults_are_stated(self):
        assert DEFAULT_TOLERANCE == 0.10
        assert DEFAULT_BOOM_MARGIN == 0.20

    def test_susans_week(self):
        # Quota 10 minutes a day. Day 2 is exactly 10% over: still on quota. Day 3 is exactly 20%
        # over: over quota but not a boom (more than 20% is). Day 6 is 30% over and day 7 she
        # manages 5 minutes: a boom and bust.
        report = adherence([10, 11, 12, 8.9, None, 13, 5], [10] * 7)
        assert [d.status for d in report.days] == [
            ON_QUOTA,
            ON_QUOTA,
            OVER_QUOTA,
            UNDER_QUOTA,
            NOT_RECORDED,
            OVER_QUOTA,
            UNDER_QUOTA,
        ]
        assert report.days[5].ratio == pytest.approx(1.3)
        assert report.days[4].ratio is None
        assert report.boom_bust == (BoomBust(boom_day=6, bust_days=(7,)),)
        assert (report.n_on, report.n_under, report.n_over, report.n_missing) == (2, 2, 2, 1)
        assert report.proportion_on == pytest.approx(2 / 6)
        assert "clinic settings" in report.source
        assert "UNVERIFIED" not in report.source

    def test_exactly_at_the_tolerance_edges_is_on_quota(self):
        report = adherence([9, 11], [10, 10])
        assert [d.status for d in report.days] == [ON_QUOTA, ON_QUOTA]

    def test_bust_window(self):
        done = [20, None, 2]
        assert adherence(done, [10, 10, 10]).boom_bust == ()
        assert adherence(done, [10, 10, 10], bust_window=2).boom_bust == (BoomBust(1, (3,)),)

    def test_boom_margin_is_a_parameter(self):
        done, quotas = [11.5, 5], [10, 10]
        assert adherence(done, quotas).boom_bust == ()
        assert adherence(done, quotas, boom_margin=0.1).boom_bust == (BoomBust(1, (2,)),)

    def test_boom_without_bust_is_not_boom_and_bust(self):
        assert adherence([20, 10, 10], [10, 10, 10]).boom_bust == ()

    def test_rest_day_with_quota_zero(self):
        report = adherence([0, 5], [0, 0])
        assert [d.status for d in report.days] == [ON_QUOTA, OVER_QUOTA]
        assert report.days[0].ratio is None

    def test_graded_schedule_against_the_log(self):
        quotas = expand_schedule(
            quota_schedule(10, IncrementRule("fixed", 2), steps=2), days_per_step=2
        )
        report = adherence([10, 10, 12, 12], quotas)
        assert report.n_on == 4
        assert report.proportion_on == 1

    def test_nothing_recorded(self):
        report = adherence([None, None], [10, 10])
        assert report.proportion_on is None
        assert report.n_missing == 2

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"tolerance": 1}, "tolerance"),
            ({"tolerance": -0.1}, "tolerance"),
            ({"tolerance": 0.3, "boom_margin": 0.2}, "boom_margin"),
            ({"bust_window": 0}, "bust_window"),
        ],
    )
    def test_bad_settings_raise(self, kwargs, message):
        with pytest.raises(ValueError, match=message):
            adherence([10], [10], **kwargs)

    def test_one_quota_per_day(self):
        with pytest.raises(ValueError, match="one quota per day"):
            adherence([10, 10], [10])

    def test_negative_activity_raises(self):
        with pytest.raises(ValueError, match="day 2"):
            adherence([10, -1], [10, 10])


def test_pacing_words_on_the_page_are_words_not_keys():
    # "Only 1 baseline recording(s)" and a status column reading "under" were issue #9 faults.
    assert too_few_reason(1, 3).startswith("Only 1 baseline recording:")
    assert too_few_reason(2, 3).startswith("Only 2 baseline recordings:")
    from treatment.pacing import STATUS_WORDS, DayAdherence

    day = DayAdherence(day=1, quota=10.0, done=None, ratio=None, status="missing")
    assert day.status_words == "not recorded"
    assert set(STATUS_WORDS.values()) == {"on quota", "under quota", "over quota", "not recorded"}
