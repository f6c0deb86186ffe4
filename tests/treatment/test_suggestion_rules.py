"""The suggestion rules are data with sources, and fire on the bands the instruments define
(pure: no database)."""

from __future__ import annotations

from datetime import date

from treatment import suggestions
from treatment.models import Intervention
from treatment.suggestions import FLAG_BOOM_BUST, RULES, suggest


def keys(made):
    return [s.rule.key for s in made]


def test_every_rule_has_a_source_interventions_we_know_and_a_way_to_fire():
    for rule in RULES:
        assert rule.source
        assert rule.title
        assert rule.rationale
        assert set(rule.interventions) <= set(Intervention.values)
        assert rule.criteria or rule.flags
        for criterion in rule.criteria:
            assert criterion.source, criterion.description
        # What clinicians read names the literature, never our confidence marks.
        shown = [rule.source, *(c.description for c in rule.criteria)]
        assert not [text for text in shown if "UNVERIFIED" in text or "§" in text]


def test_no_profile_no_suggestion():
    assert suggest({}) == []


def test_jannick_high_fear_of_movement_on_tsk17_band_suggests_education_and_exposure():
    made = suggest(
        {"tsk17": {"total": 44, "band": "high", "date": date(2026, 1, 5), "result_id": 7}}
    )
    assert keys(made) == ["fear_avoidance_exposure"]
    (evidence,) = made[0].evidence
    assert evidence.instrument == "tsk17"
    assert evidence.total == 44
    assert evidence.result_id == 7
    assert set(made[0].rule.interventions) == {"pain_education", "graded_exposure"}


def test_tsk17_of_37_is_not_high_the_cut_off_is_strictly_above_37():
    assert suggest({"tsk17": {"total": 37, "band": None}}) == []
    assert keys(suggest({"tsk17": {"total": 38, "band": None}})) == ["fear_avoidance_exposure"]
    assert suggest({"tsk17": {"total": 44, "band": "not_high"}}) == []


def test_tsk11_uses_the_stated_clinic_policy_threshold():
    below = {"tsk11": {"total": suggestions.TSK11_HIGH_MIN - 1, "band": None}}
    at = {"tsk11": {"total": suggestions.TSK11_HIGH_MIN, "band": None}}
    assert suggest(below) == []
    assert keys(suggest(at)) == ["fear_avoidance_exposure"]
    assert "UNVERIFIED" in suggestions.HIGH_FEAR_TSK11.source


def test_high_catastrophizing_alone_suggests_exposure_and_both_scores_are_evidence():
    made = suggest(
        {"pcs": {"total": 30, "band": "clinically_relevant"}, "tsk11": {"total": 33, "band": None}}
    )
    assert keys(made) == ["fear_avoidance_exposure"]
    assert {e.instrument for e in made[0].evidence} == {"tsk11", "pcs"}
    assert suggest({"pcs": {"total": 29, "band": "below_cutoff"}}) == []


def test_boom_and_bust_flag_suggests_pacing():
    assert keys(suggest({}, flags=[FLAG_BOOM_BUST])) == ["boom_bust_pacing"]


def test_low_self_efficacy_suggests_graded_mastery_goals():
    assert keys(suggest({"pseq": {"total": 18, "band": "severe"}})) == ["low_self_efficacy_mastery"]
    assert suggest({"pseq": {"total": 45, "band": "minimal"}}) == []


def test_startback_high_risk_needs_the_psychosocial_subscale_when_no_group_is_given():
    high = {"startback": {"total": 6, "band": None, "subscales": {"psychosocial": 4}}}
    medium = {"startback": {"total": 6, "band": None, "subscales": {"psychosocial": 3}}}
    assert keys(suggest(high)) == ["startback_high_pipt"]
    assert suggest(medium) == []
    assert keys(suggest({"startback": {"total": 6, "band": "high"}})) == ["startback_high_pipt"]
    assert suggest({"startback": {"total": 6, "band": "medium"}}) == []


def test_moderate_depression_suggests_cbt_and_liaison_mild_does_not():
    assert keys(suggest({"phq9": {"total": 12, "band": "moderate"}})) == ["depression_cbt_liaison"]
    assert keys(suggest({"phq9": {"total": 22, "band": "severe"}})) == ["depression_cbt_liaison"]
    assert suggest({"phq9": {"total": 7, "band": "mild"}}) == []


def test_rules_come_out_in_rule_order():
    made = suggest(
        {"phq9": {"total": 12, "band": "moderate"}, "tsk17": {"total": 50, "band": "high"}},
        flags=[FLAG_BOOM_BUST],
    )
    assert keys(made) == ["fear_avoidance_exposure", "boom_bust_pacing", "depression_cbt_liaison"]
