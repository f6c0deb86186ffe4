"""Change between two administrations: the numbers a data manager reports, from the definitions'
own change rules (instruments.md §7, §4, §5, §11, §13, §23)."""

from __future__ import annotations

import json
import math

import pytest

from assessment.instruments.change import change_payload


def rules(out: dict) -> dict[str, dict]:
    return {rule["id"]: rule for rule in out["rules"]}


def test_odi_46_to_24_meets_the_mic_the_mdc_and_mannions_surgical_outcome() -> None:
    out = change_payload({"instrument": "odi", "baseline": 46, "follow_up": 24})
    json.dumps(out)
    assert (out["change"], round(out["percent_change"], 1)) == (-22, -47.8)
    assert out["baseline_band"]["label"] == "Severe disability"
    assert out["follow_up_band"]["label"] == "Moderate disability"
    assert out["band_changed"] is True
    by_id = rules(out)
    assert set(by_id) == {"mic", "mdc90", "good_outcome_surgery"}
    # MIC: 22 >= 10 points and 47.8% >= 30% (Ostelo 2008); MDC90 10 points; Mannion 18%.
    assert by_id["mic"]["met"]
    assert by_id["mic"]["points_met"]
    assert by_id["mic"]["percent_met"]
    assert by_id["mdc90"]["met"]
    assert by_id["good_outcome_surgery"]["met"]
    assert "Ostelo" in by_id["mic"]["source"]
    assert "Mannion" in by_id["good_outcome_surgery"]["source"]


def test_odi_46_to_40_is_below_every_threshold() -> None:
    out = change_payload({"instrument": "odi", "baseline": 46, "follow_up": 40})
    assert out["change"] == -6  # 40 is "moderate" (21-40)
    assert out["band_changed"] is True
    assert [rule["met"] for rule in out["rules"]] == [False, False, False]
    assert {rule["classification"] for rule in out["rules"]} == {"no_important_change"}


def test_pseq_eppoc_rule_needs_seven_points_and_a_new_band() -> None:
    # ePPOC: >= 7 points coupled with a move to a different band (instruments.md §7 [S:2]).
    across = rules(change_payload({"instrument": "pseq", "baseline": 18, "follow_up": 27}))
    assert across["eppoc"]["met"] is True
    assert across["eppoc"]["band_changed"] is True
    assert across["mcid_11"]["met"] is False
    within = change_payload({"instrument": "pseq", "baseline": 21, "follow_up": 29})
    assert within["baseline_band"]["name"] == within["follow_up_band"]["name"] == "moderate"
    assert rules(within)["eppoc"]["met"] is False
    assert rules(within)["eppoc"]["band_changed"] is False


def test_pcs_rules_restricted_to_a_baseline_range_say_they_do_not_apply() -> None:
    by_id = rules(change_payload({"instrument": "pcs", "baseline": 36, "follow_up": 24}))
    assert by_id["mic_8"]["applies"] is False
    assert by_id["mic_8"]["met"] is None
    assert "baselines <= 30" in by_id["mic_8"]["reason"]
    assert by_id["mic_11"]["met"] is True  # 12 >= 11 from a baseline above 30
    assert by_id["percent_38"]["met"] is False  # 33% < 38%


def test_phq9_12_to_4_is_a_response_and_a_remission() -> None:
    by_id = rules(change_payload({"instrument": "phq9", "baseline": 12, "follow_up": 4}))
    assert by_id["clinically_significant_change"]["met"] is True  # 8 >= 5 (Loewe 2004)
    assert by_id["response"]["met"] is True  # 66.7% >= 50%
    assert by_id["remission"]["met"] is True
    assert by_id["remission"]["target_met"] is True


def test_tsk17_reliable_change_from_the_published_sem() -> None:
    out = change_payload({"instrument": "tsk17", "baseline": 44, "follow_up": 36})
    by_id = rules(out)
    assert by_id["mcid"]["met"] is True
    rc = by_id["reliable_change"]
    assert rc["rc"] == pytest.approx(-8 / (math.sqrt(2) * 3.16))  # SEM 3.16 (Woby 2005)
    assert rc["met"] is False
    assert rc["classification"] == "no_reliable_change"
    assert "Jacobson" in rc["source"]
    assert "3.16" in rc["source"]


def test_a_subscale_uses_its_own_rules() -> None:
    out = change_payload({"instrument": "tsk17", "score": "tsk11", "baseline": 33, "follow_up": 22})
    by_id = rules(out)
    assert set(by_id) == {"mcid_tsk11", "reliable_change"}
    assert by_id["reliable_change"]["classification"] == "reliably_improved"  # 11 > 1.96 x 3.59


def test_percentage_change_from_zero_is_undefined_not_infinite() -> None:
    out = change_payload({"instrument": "nrs", "baseline": 0, "follow_up": 3})
    assert out["change"] == 3
    assert out["percent_change"] is None
    assert out["baseline_band"]["label"] == "No pain"


def test_a_score_without_direction_or_rules_reports_the_change_only() -> None:
    out = change_payload(
        {"instrument": "gcqs", "score": "engaged", "baseline": 2.4, "follow_up": 3}
    )
    assert out["change"] == pytest.approx(0.6)
    assert out["rules"] == []
    assert out["notes"]
    assert "No change threshold" in out["notes"][0]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ([46, 24], "payload"),
        ({"baseline": 46, "follow_up": 24}, "instrument"),
        ({"instrument": "oswestry", "baseline": 46, "follow_up": 24}, "instrument"),
        ({"instrument": "odi", "score": "walking", "baseline": 46, "follow_up": 24}, "score"),
        ({"instrument": "odi", "baseline": "46", "follow_up": 24}, "baseline"),
        ({"instrument": "odi", "baseline": 46}, "follow_up"),
        ({"instrument": "odi", "baseline": 46, "follow_up": 124}, "follow_up"),
        ({"instrument": "phq9", "baseline": True, "follow_up": 3}, "baseline"),
    ],
)
def test_bad_input_names_the_field(payload: object, field: str) -> None:
    out = change_payload(payload)
    assert set(out) == {"error", "field"}
    assert out["field"] == field
    assert out["error"]
