"""Reliable change index, clinical significance and change rules (instruments.md §23). Pure.

Expected values are worked by hand from the formulas in §23:
SEm = SD·√(1 − r), S_diff = √2·SEm, RC = (x₂ − x₁)/S_diff, reliable if |RC| > 1.96;
a = M_dys ± 2·SD_dys, b = M_func ∓ 2·SD_func, c = (SD_func·M_dys + SD_dys·M_func)/(SD_func + SD_dys).
"""

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assessment.instruments.base import (
    ChangeRule,
    Interval,
    Norm,
    ReliableChangeParameters,
    Unscorable,
)
from assessment.instruments.change import (
    DETERIORATED,
    HIGHER_IS_BETTER,
    HIGHER_IS_WORSE,
    IMPORTANT_IMPROVEMENT,
    IMPORTANT_WORSENING,
    IMPROVED,
    METHOD_JACOBSON_TRUAX,
    NO_IMPORTANT_CHANGE,
    NO_RELIABLE_CHANGE,
    REASON_BASELINE_OUTSIDE,
    REASON_CRITERION_NEEDS,
    REASON_MISSING_BASELINE,
    REASON_MISSING_FOLLOW_UP,
    REASON_NO_CUTOFF,
    REASON_NO_ERROR_TERM,
    REASON_PERCENT_OF_ZERO,
    REASON_RELIABILITY,
    REASON_RULE_NEEDS_BANDS,
    REASON_SD,
    REASON_SEM,
    RECOVERED,
    RELIABLE_CHANGE_CRITERION,
    RELIABLY_DETERIORATED,
    RELIABLY_IMPROVED,
    UNCHANGED,
    ClinicalSignificance,
    ReliableChange,
    clinically_significant_change,
    cutoff_a,
    cutoff_b,
    cutoff_c,
    mcid_change,
    rci_payload,
    reliable_change_from_parameters,
    reliable_change_index,
)


def rci(baseline, follow_up, **kwargs) -> ReliableChange:
    result = reliable_change_index(baseline, follow_up, **kwargs)
    assert isinstance(result, ReliableChange), result
    return result


class TestReliableChangeIndex:
    def test_worked_example_a_drop_of_10_on_a_scale_where_higher_is_worse(self):
        # SD 7.5, r .85: SEm = 7.5·√.15, S_diff = √2·SEm, RC = -10/S_diff.
        sem = 7.5 * math.sqrt(0.15)
        s_diff = math.sqrt(2) * sem
        result = rci(40, 30, sd=7.5, reliability=0.85, direction=HIGHER_IS_WORSE)
        assert result.se_measurement == pytest.approx(sem)
        assert result.s_diff == pytest.approx(s_diff)
        assert result.s_diff == pytest.approx(4.1079, abs=1e-4)
        assert result.rc == pytest.approx(-10 / s_diff)
        assert result.rc == pytest.approx(-2.4343, abs=1e-4)
        assert result.difference == -10
        assert result.smallest_reliable_change == pytest.approx(1.96 * s_diff)
        assert result.classification == RELIABLY_IMPROVED
        assert result.rc_toward_better == pytest.approx(10 / s_diff)
        assert result.method == METHOD_JACOBSON_TRUAX
        assert "§23" in result.source

    def test_criterion_is_1_96(self):
        assert RELIABLE_CHANGE_CRITERION == 1.96

    def test_jannicks_tsk17_with_the_published_sem(self):
        # §4: TSK-17 SEM 3.16 (Woby 2005). S_diff = √2·3.16 = 4.469; 1.96·S_diff = 8.76 points.
        smallest = 1.96 * math.sqrt(2) * 3.16
        assert smallest == pytest.approx(8.759, abs=1e-3)
        nine_points = rci(48, 39, sem=3.16, direction=HIGHER_IS_WORSE)
        eight_points = rci(48, 40, sem=3.16, direction=HIGHER_IS_WORSE)
        assert nine_points.classification == RELIABLY_IMPROVED
        assert eight_points.classification == NO_RELIABLE_CHANGE
        assert nine_points.sd is None
        assert nine_points.reliability is None
        assert nine_points.smallest_reliable_change == pytest.approx(smallest)

    def test_parameters_from_an_instrument_definition(self):
        with_sd = ReliableChangeParameters(score="total", source="test", sd=7.5, reliability=0.85)
        sem_only = ReliableChangeParameters(score="total", source="§4", sem=3.16)
        assert reliable_change_from_parameters(40, 30, with_sd, direction=HIGHER_IS_WORSE) == rci(
            40, 30, sd=7.5, reliability=0.85, direction=HIGHER_IS_WORSE
        )
        assert reliable_change_from_parameters(48, 39, sem_only, direction=HIGHER_IS_WORSE) == rci(
            48, 39, sem=3.16, direction=HIGHER_IS_WORSE
        )
        none = ReliableChangeParameters(score="total", source="§7")
        assert reliable_change_from_parameters(
            40, 30, none, direction=HIGHER_IS_BETTER
        ) == Unscorable("rci", REASON_NO_ERROR_TERM)


class TestBoundaryAt196:
    # SD 1 and r .5 give S_diff = 1·√(2·0.5) = 1 exactly, so RC equals the raw difference.

    @pytest.mark.parametrize("direction", [HIGHER_IS_BETTER, HIGHER_IS_WORSE])
    @pytest.mark.parametrize("follow_up", [1.96, -1.96])
    def test_rc_of_exactly_1_96_is_not_reliable(self, follow_up, direction):
        result = rci(0, follow_up, sd=1, reliability=0.5, direction=direction)
        assert abs(result.rc) == 1.96
        assert result.classification == NO_RELIABLE_CHANGE

    def test_just_above_1_96_is_reliable(self):
        assert rci(0, 1.961, sd=1, reliability=0.5, direction=HIGHER_IS_BETTER).classification == (
            RELIABLY_IMPROVED
        )
        assert rci(0, -1.961, sd=1, reliability=0.5, direction=HIGHER_IS_BETTER).classification == (
            RELIABLY_DETERIORATED
        )

    def test_float_noise_at_the_boundary_does_not_make_a_change_reliable(self):
        # 19.6 / 10 is 1.9600000000000002 in binary floating point.
        assert 19.6 / 10 > 1.96
        result = rci(0, 19.6, sd=10, reliability=0.5, direction=HIGHER_IS_BETTER)
        assert result.classification == NO_RELIABLE_CHANGE


class TestDirection:
    def test_same_scores_opposite_meaning(self):
        better = rci(20, 30, sd=5, reliability=0.8, direction=HIGHER_IS_BETTER)
        worse = rci(20, 30, sd=5, reliability=0.8, direction=HIGHER_IS_WORSE)
        assert better.rc == worse.rc > 0  # Jacobson & Truax's sign does not depend on direction
        assert better.classification == RELIABLY_IMPROVED
        assert worse.classification == RELIABLY_DETERIORATED
        assert better.rc_toward_better == -worse.rc_toward_better

    def test_unknown_direction_is_a_programming_error(self):
        with pytest.raises(ValueError, match="direction"):
            reliable_change_index(1, 2, sd=1, reliability=0.5, direction="lower_is_better")

    def test_sem_and_sd_together_is_a_programming_error(self):
        with pytest.raises(ValueError, match="not both"):
            reliable_change_index(1, 2, sd=1, reliability=0.5, sem=1, direction=HIGHER_IS_WORSE)

    @given(
        st.floats(-100, 100),
        st.floats(-100, 100),
        st.floats(0.1, 50),
        st.floats(0.01, 0.99),
        st.sampled_from([HIGHER_IS_BETTER, HIGHER_IS_WORSE]),
    )
    def test_swapping_baseline_and_follow_up_swaps_improved_and_deteriorated(
        self, x1, x2, sd, r, direction
    ):
        forward = rci(x1, x2, sd=sd, reliability=r, direction=direction)
        backward = rci(x2, x1, sd=sd, reliability=r, direction=direction)
        swap = {
            RELIABLY_IMPROVED: RELIABLY_DETERIORATED,
            RELIABLY_DETERIORATED: RELIABLY_IMPROVED,
            NO_RELIABLE_CHANGE: NO_RELIABLE_CHANGE,
        }
        assert backward.classification == swap[forward.classification]
        assert backward.rc == pytest.approx(-forward.rc)

    @given(st.floats(-100, 100), st.floats(-100, 100), st.floats(0.1, 50), st.floats(0.01, 0.99))
    def test_negating_the_scale_and_the_direction_changes_nothing(self, x1, x2, sd, r):
        up = rci(x1, x2, sd=sd, reliability=r, direction=HIGHER_IS_BETTER)
        down = rci(-x1, -x2, sd=sd, reliability=r, direction=HIGHER_IS_WORSE)
        assert up.classification == down.classification


class TestRciUnscorable:
    @pytest.mark.parametrize(
        ("kwargs", "reason"),
        [
            ({"baseline": None}, REASON_MISSING_BASELINE),
            ({"follow_up": None}, REASON_MISSING_FOLLOW_UP),
            ({"baseline": float("nan")}, REASON_MISSING_BASELINE),
            ({"sd": 0}, REASON_SD.format(value=0)),
            ({"sd": -3}, REASON_SD.format(value=-3)),
            ({"sd": None}, REASON_SD.format(value=None)),
            ({"reliability": 0}, REASON_RELIABILITY.format(value=0)),
            ({"reliability": 1}, REASON_RELIABILITY.format(value=1)),
            ({"reliability": 1.2}, REASON_RELIABILITY.format(value=1.2)),
            ({"reliability": None}, REASON_RELIABILITY.format(value=None)),
            ({"sd": None, "reliability": None}, REASON_NO_ERROR_TERM),
        ],
    )
    def test_reason(self, kwargs, reason):
        arguments = {"baseline": 40, "follow_up": 30, "sd": 7.5, "reliability": 0.85} | kwargs
        baseline = arguments.pop("baseline")
        follow_up = arguments.pop("follow_up")
        result = reliable_change_index(baseline, follow_up, direction=HIGHER_IS_WORSE, **arguments)
        assert result == Unscorable("rci", reason)

    @pytest.mark.parametrize("sem", [0, -1])
    def test_non_positive_sem(self, sem):
        assert reliable_change_index(1, 2, sem=sem, direction=HIGHER_IS_WORSE) == Unscorable(
            "rci", REASON_SEM.format(value=sem)
        )


# --- clinical significance ---------------------------------------------------------------------

# A scale where higher is worse: patients (dysfunctional) 30 ± 8, community (functional) 10 ± 6.
DYS = Norm(score="total", population="clinic patients", mean=30, sd=8, source="test")
FUNC = Norm(score="total", population="community", mean=10, sd=6, source="test")
C_WORSE = (6 * 30 + 8 * 10) / (6 + 8)  # 18.571…


def significance(baseline, follow_up, **kwargs) -> ClinicalSignificance:
    arguments = {"sd": 8, "reliability": 0.85, "direction": HIGHER_IS_WORSE} | kwargs
    result = clinically_significant_change(baseline, follow_up, **arguments)
    assert isinstance(result, ClinicalSignificance), result
    return result


class TestCutoffs:
    def test_higher_is_worse(self):
        assert cutoff_a(30, 8, HIGHER_IS_WORSE) == 30 - 2 * 8
        assert cutoff_b(10, 6, HIGHER_IS_WORSE) == 10 + 2 * 6
        assert cutoff_c(30, 8, 10, 6) == pytest.approx(C_WORSE)
        assert round(C_WORSE, 4) == 18.5714

    def test_higher_is_better(self):
        # e.g. PSEQ-like: patients 20 ± 10, community 45 ± 8
        assert cutoff_a(20, 10, HIGHER_IS_BETTER) == 20 + 2 * 10
        assert cutoff_b(45, 8, HIGHER_IS_BETTER) == 45 - 2 * 8
        assert cutoff_c(20, 10, 45, 8) == pytest.approx((8 * 20 + 10 * 45) / 18)

    @given(st.floats(-50, 50), st.floats(0.1, 20), st.floats(-50, 50), st.floats(0.1, 20))
    def test_c_is_equally_far_from_both_means_in_sd_units(self, m_dys, s_dys, m_func, s_func):
        c = cutoff_c(m_dys, s_dys, m_func, s_func)
        assert (c - m_dys) / s_dys == pytest.approx((m_func - c) / s_func, abs=1e-6)

    def test_c_is_preferred_when_both_norms_exist(self):
        result = significance(32, 12, dysfunctional=DYS, functional=FUNC)
        assert result.cutoff_criterion == "c"
        assert result.cutoff == pytest.approx(C_WORSE)

    def test_a_with_dysfunctional_norms_only(self):
        result = significance(32, 12, dysfunctional=DYS)
        assert (result.cutoff_criterion, result.cutoff) == ("a", 14)

    def test_b_with_functional_norms_only(self):
        result = significance(32, 12, functional=FUNC)
        assert (result.cutoff_criterion, result.cutoff) == ("b", 22)

    def test_a_named_criterion_overrides_the_default(self):
        result = significance(32, 12, dysfunctional=DYS, functional=FUNC, criterion="b")
        assert (result.cutoff_criterion, result.cutoff) == ("b", 22)

    def test_a_published_cutoff_can_be_given_directly(self):
        result = significance(32, 12, cutoff=20)
        assert (result.cutoff_criterion, result.cutoff) == ("given", 20)


class TestFourWayClassification:
    # sd 8, r .85: S_diff = 8·√.3 = 4.382; reliable change needs a drop of more than 8.59 points.

    def test_recovered_reliable_improvement_and_crossed_the_cutoff(self):
        result = significance(32, 12, dysfunctional=DYS, functional=FUNC)
        assert result.reliable_change.rc == pytest.approx(-20 / (8 * math.sqrt(0.3)))
        assert (result.baseline_functional, result.follow_up_functional) == (False, True)
        assert result.crossed_cutoff
        assert result.classification == RECOVERED

    def test_improved_reliable_improvement_still_on_the_dysfunctional_side(self):
        result = significance(32, 22, dysfunctional=DYS, functional=FUNC)
        assert result.reliable_change.classification == RELIABLY_IMPROVED
        assert not result.crossed_cutoff
        assert result.classification == IMPROVED

    def test_unchanged(self):
        assert significance(32, 30, dysfunctional=DYS, functional=FUNC).classification == UNCHANGED

    def test_crossing_the_cutoff_without_reliable_change_is_unchanged(self):
        result = significance(20, 17, dysfunctional=DYS, functional=FUNC)
        assert result.crossed_cutoff
        assert result.classification == UNCHANGED

    def test_deteriorated(self):
        result = significance(16, 28, dysfunctional=DYS, functional=FUNC)
        assert result.classification == DETERIORATED

    def test_already_functional_at_baseline_cannot_recover(self):
        result = significance(15, 5, dysfunctional=DYS, functional=FUNC)
        assert result.baseline_functional
        assert not result.crossed_cutoff
        assert result.classification == IMPROVED

    def test_a_score_exactly_at_the_cutoff_is_not_functional(self):
        result = significance(32, 20, cutoff=20)
        assert not result.follow_up_functional
        assert result.classification == IMPROVED
        assert significance(32, 19.5, cutoff=20).classification == RECOVERED

    def test_higher_is_better_recovery(self):
        patients = Norm(score="total", population="p", mean=20, sd=10, source="t")
        community = Norm(score="total", population="c", mean=45, sd=8, source="t")
        c = (8 * 20 + 10 * 45) / 18  # 33.9
        result = significance(
            18, 40, sd=10, direction=HIGHER_IS_BETTER, dysfunctional=patients, functional=community
        )
        assert result.cutoff == pytest.approx(c)
        assert result.classification == RECOVERED


class TestClinicalSignificanceUnscorable:
    def test_no_cutoff_and_no_norms(self):
        assert clinically_significant_change(
            32, 12, sd=8, reliability=0.85, direction=HIGHER_IS_WORSE
        ) == Unscorable("rci", REASON_NO_CUTOFF)

    def test_rci_problems_come_first(self):
        result = clinically_significant_change(
            None, 12, sd=8, reliability=0.85, direction=HIGHER_IS_WORSE, cutoff=20
        )
        assert result == Unscorable("rci", REASON_MISSING_BASELINE)

    def test_criterion_c_needs_both_populations(self):
        result = clinically_significant_change(
            32,
            12,
            sd=8,
            reliability=0.85,
            direction=HIGHER_IS_WORSE,
            functional=FUNC,
            criterion="c",
        )
        assert result == Unscorable(
            "rci",
            REASON_CRITERION_NEEDS.format(criterion="c", needs="dysfunctional and functional"),
        )

    def test_a_norm_without_an_sd(self):
        no_sd = Norm(score="total", population="ePPOC adults", mean=20.7, source="§7 [S:8]")
        result = clinically_significant_change(
            15, 30, sd=9, reliability=0.9, direction=HIGHER_IS_BETTER, dysfunctional=no_sd
        )
        assert isinstance(result, Unscorable)
        assert "dysfunctional SD" in result.reason

    def test_norms_the_wrong_way_round_for_the_direction(self):
        result = clinically_significant_change(
            32,
            12,
            sd=8,
            reliability=0.85,
            direction=HIGHER_IS_BETTER,
            dysfunctional=DYS,
            functional=FUNC,
        )
        assert isinstance(result, Unscorable)
        assert "worse side" in result.reason

    def test_cutoff_and_criterion_together_is_a_programming_error(self):
        with pytest.raises(ValueError, match="not both"):
            clinically_significant_change(
                32, 12, sd=8, reliability=0.85, direction=HIGHER_IS_WORSE, cutoff=20, criterion="a"
            )


# --- minimal important change rules ----------------------------------------------------------

NRS_2_OR_30 = ChangeRule(
    id="nrs_mcid",
    score="total",
    kind="mcid",
    improvement="decrease",
    source="Farrar 2001 (§10)",
    points=2,
    percent=30,
    combine="either",
)
PSEQ_EPPOC = ChangeRule(
    id="pseq_eppoc",
    score="total",
    kind="clinically_significant",
    improvement="increase",
    source="ePPOC (§7 [S:2])",
    points=7,
    requires_band_change=True,
)
PHODA_OVER_20 = ChangeRule(
    id="phoda_sev",
    score="total",
    kind="mdc",
    improvement="decrease",
    source="Leeuw 2007 (§18 [S:3])",
    points=20,
    inclusive=False,
)


def change(baseline, follow_up, rule, **kwargs):
    result = mcid_change(baseline, follow_up, rule=rule, **kwargs)
    assert not isinstance(result, Unscorable), result
    return result


class TestMcidChange:
    @pytest.mark.parametrize(
        ("baseline", "follow_up", "expected"),
        [
            (8, 6, IMPORTANT_IMPROVEMENT),  # 2 points (25%)
            (3, 2, IMPORTANT_IMPROVEMENT),  # 1 point but 33%
            (8, 7, NO_IMPORTANT_CHANGE),  # 1 point, 12.5%
            (5, 7, IMPORTANT_WORSENING),  # 2 points worse
            (10, 10, NO_IMPORTANT_CHANGE),
        ],
    )
    def test_nrs_two_points_or_thirty_percent(self, baseline, follow_up, expected):
        assert change(baseline, follow_up, NRS_2_OR_30).classification == expected

    def test_both_means_both(self):
        both = ChangeRule(**{**NRS_2_OR_30.__dict__, "combine": "both"})
        result = change(3, 2, both)
        assert (result.points_met, result.percent_met) == (False, True)
        assert result.classification == NO_IMPORTANT_CHANGE
        assert change(8, 5, both).classification == IMPORTANT_IMPROVEMENT

    def test_percent_is_of_the_baseline(self):
        result = change(10, 7, NRS_2_OR_30)
        assert result.improvement == 3
        assert result.improvement_percent == pytest.approx(30)
        assert result.rule_id == "nrs_mcid"
        assert result.source == "Farrar 2001 (§10)"

    def test_pseq_needs_seven_points_and_a_band_change(self):
        # ePPOC bands: severe 0-19, moderate 20-30 (§7).
        assert change(
            18, 25, PSEQ_EPPOC, baseline_band="severe", follow_up_band="moderate"
        ).classification == (IMPORTANT_IMPROVEMENT)
        same_band = change(21, 28, PSEQ_EPPOC, baseline_band="moderate", follow_up_band="moderate")
        assert same_band.points_met
        assert same_band.band_changed is False
        assert same_band.classification == NO_IMPORTANT_CHANGE

    def test_pseq_without_bands_is_unscorable(self):
        assert mcid_change(18, 25, rule=PSEQ_EPPOC) == Unscorable(
            "rci", REASON_RULE_NEEDS_BANDS.format(rule="pseq_eppoc")
        )

    def test_phoda_over_20_is_exclusive(self):
        assert change(60, 40, PHODA_OVER_20).classification == NO_IMPORTANT_CHANGE
        assert change(60, 39, PHODA_OVER_20).classification == IMPORTANT_IMPROVEMENT

    def test_percent_only_rule_from_a_zero_baseline_is_unscorable(self):
        thirty = ChangeRule(
            id="p30", score="t", kind="response", improvement="decrease", source="s", percent=30
        )
        assert mcid_change(0, 0, rule=thirty) == Unscorable(
            "rci", REASON_PERCENT_OF_ZERO.format(rule="p30")
        )

    def test_rule_restricted_to_high_baselines(self):
        rule = ChangeRule(
            id="pcs_mic_high",
            score="total",
            kind="mic",
            improvement="decrease",
            source="s",
            points=11,
            baseline=Interval(30, None, min_inclusive=False),
        )
        result = mcid_change(25, 10, rule=rule)
        assert result == Unscorable(
            "rci",
            REASON_BASELINE_OUTSIDE.format(rule="pcs_mic_high", interval="> 30", value=25),
        )
        assert change(40, 29, rule).classification == IMPORTANT_IMPROVEMENT

    def test_target_rule_remission(self):
        remission = ChangeRule(
            id="phq9_remission",
            score="total",
            kind="remission",
            improvement="decrease",
            source="s",
            target=Interval(None, 5, max_inclusive=False),
        )
        assert change(14, 4, remission).classification == IMPORTANT_IMPROVEMENT
        assert change(14, 5, remission).classification == NO_IMPORTANT_CHANGE
        assert change(4, 14, remission).classification == NO_IMPORTANT_CHANGE  # never "worsened"

    def test_missing_scores(self):
        assert mcid_change(None, 3, rule=NRS_2_OR_30) == Unscorable("rci", REASON_MISSING_BASELINE)
        assert mcid_change(3, None, rule=NRS_2_OR_30) == Unscorable("rci", REASON_MISSING_FOLLOW_UP)


# --- CLI payload ------------------------------------------------------------------------------

BRIEF_PAYLOAD = {
    "baseline": 40,
    "follow_up": 30,
    "sd": 7.5,
    "reliability": 0.85,
    "direction": "higher_is_worse",
}


class TestPayload:
    def test_rci_only(self):
        out = rci_payload(BRIEF_PAYLOAD)
        assert out["method"] == "rci"
        assert out["scorable"] is True
        assert out["rc"] == pytest.approx(-10 / (7.5 * math.sqrt(0.3)))
        assert out["classification"] == RELIABLY_IMPROVED
        assert out["s_diff_method"] == METHOD_JACOBSON_TRUAX
        assert "clinical_significance" not in out
        json.dumps(out)

    def test_with_norms(self):
        out = rci_payload(
            BRIEF_PAYLOAD
            | {
                "norms": {
                    "dysfunctional": {"mean": 38, "sd": 7.5},
                    "functional": {"mean": 20, "sd": 6},
                }
            }
        )
        significance = out["clinical_significance"]
        assert significance["cutoff_criterion"] == "c"
        assert significance["cutoff"] == pytest.approx((6 * 38 + 7.5 * 20) / 13.5)  # 28.0
        assert significance["classification"] == IMPROVED  # 30 is not below 28
        json.dumps(out)

    def test_with_a_clinical_cutoff(self):
        out = rci_payload(BRIEF_PAYLOAD | {"clinical_cutoff": 32})
        assert out["clinical_significance"]["classification"] == RECOVERED

    def test_with_sem(self):
        out = rci_payload(
            {"baseline": 48, "follow_up": 39, "sem": 3.16, "direction": "higher_is_worse"}
        )
        assert out["classification"] == RELIABLY_IMPROVED
        assert out["sd"] is None

    def test_missing_score_is_unscorable(self):
        out = rci_payload(BRIEF_PAYLOAD | {"follow_up": None})
        assert out == {"method": "rci", "scorable": False, "reason": REASON_MISSING_FOLLOW_UP}

    def test_invalid_reliability_is_unscorable(self):
        out = rci_payload(BRIEF_PAYLOAD | {"reliability": 1.5})
        assert out["scorable"] is False
        assert out["reason"] == REASON_RELIABILITY.format(value=1.5)

    def test_unscorable_significance_keeps_the_rci(self):
        out = rci_payload(BRIEF_PAYLOAD | {"criterion": "c"})
        assert out["scorable"] is True
        assert out["clinical_significance"]["scorable"] is False

    @pytest.mark.parametrize(
        ("payload", "field"),
        [
            ("40 -> 30", ""),
            (BRIEF_PAYLOAD | {"direction": "down"}, "direction"),
            ({k: v for k, v in BRIEF_PAYLOAD.items() if k != "direction"}, "direction"),
            (BRIEF_PAYLOAD | {"baseline": "40"}, "baseline"),
            (BRIEF_PAYLOAD | {"sd": True}, "sd"),
            (BRIEF_PAYLOAD | {"sem": 3}, "sem"),
            (BRIEF_PAYLOAD | {"criterion": "d"}, "criterion"),
            (BRIEF_PAYLOAD | {"clinical_cutoff": 30, "criterion": "a"}, "criterion"),
            (BRIEF_PAYLOAD | {"norms": [30, 8]}, "norms"),
            (BRIEF_PAYLOAD | {"norms": {"dysfunctional": {"mean": 30}}}, "norms.dysfunctional"),
            (
                BRIEF_PAYLOAD | {"norms": {"functional": {"mean": "x", "sd": 1}}},
                "norms.functional.mean",
            ),
        ],
    )
    def test_malformed_payload_names_the_field(self, payload, field):
        out = rci_payload(payload)
        assert set(out) == {"error", "field"}
        assert out["field"] == field
