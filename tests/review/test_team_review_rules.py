"""The attention-list rules on small hand-built caseloads (pure: no database)."""

import ast
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from painclinic.estimates import mean_t_interval, mean_t_interval_from_summary, wilson_interval
from review.rules import (
    HIGH_RISK_NO_PLAN,
    NO_GOALS_OR_PLAN,
    NOT_ON_TRACK,
    OVERDUE_REVIEW,
    CaseFacts,
    ReviewRules,
    attention_for,
    reliable_improvement_rate,
    reliable_improvement_rate_of_counts,
    sced_finding,
    sced_no_improvement,
)

TODAY = date(2025, 6, 30)
RULES = ReviewRules(review_interval_days=90, no_improvement_after_weeks=12)


def case(**kw) -> CaseFacts:
    base = dict(
        episode_id=1,
        status="active",
        referral_date=TODAY - timedelta(days=60),
        status_since=TODAY - timedelta(days=50),
        last_signed_assessment=TODAY - timedelta(days=10),
        has_goals=True,
        has_signed_plan=True,
    )
    base.update(kw)
    return CaseFacts(**base)


def lists(facts):
    return {a.list_key: a.reasons for a in attention_for(facts, RULES, TODAY)}


def test_a_patient_on_track_is_on_no_list():
    assert lists(case(change={"PSEQ": "reliably_improved"})) == {}


def test_overdue_review_counts_from_the_last_signed_assessment_or_the_referral():
    assert lists(case(last_signed_assessment=TODAY - timedelta(days=91)))[OVERDUE_REVIEW] == (
        "Last signed assessment 91 days ago (review every 90 days).",
    )
    assert OVERDUE_REVIEW not in lists(case(last_signed_assessment=TODAY - timedelta(days=90)))
    never = lists(case(last_signed_assessment=None, referral_date=TODAY - timedelta(days=100)))
    assert "No signed assessment in 100 days since referral" in never[OVERDUE_REVIEW][0]


def test_not_on_track_gives_every_reason():
    facts = case(
        status_since=TODAY - timedelta(weeks=13),
        change={"TSK-17": "reliably_deteriorated", "PSEQ": "no_reliable_change"},
        sced_no_improvement=True,
    )
    assert lists(facts)[NOT_ON_TRACK] == (
        "Reliable deterioration on TSK-17.",
        "SCED analysis shows no improvement.",
        "No reliable improvement after 13 weeks of treatment.",
    )
    # Never re-measured: listed, but the reason says improvement cannot be judged, not "none".
    assert lists(case(status_since=TODAY - timedelta(weeks=14), change={}))[NOT_ON_TRACK] == (
        "14 weeks of treatment and no outcome measured twice: improvement cannot be judged.",
    )
    # Twelve weeks with a reliable improvement on one measure: on track.
    assert NOT_ON_TRACK not in lists(
        case(status_since=TODAY - timedelta(weeks=20), change={"PSEQ": "reliably_improved"})
    )


def test_high_risk_flags_without_a_plan_addressing_them():
    assert lists(case(high_risk_flags=("STarT Back high risk",), flags_addressed_by_plan=False))[
        HIGH_RISK_NO_PLAN
    ] == ("STarT Back high risk; no plan addresses it.",)
    assert HIGH_RISK_NO_PLAN not in lists(
        case(high_risk_flags=("PHQ-9 severe depression",), flags_addressed_by_plan=True)
    )


def test_active_without_goals_or_plan_but_unknown_is_not_a_finding():
    assert lists(case(has_goals=False, has_signed_plan=False))[NO_GOALS_OR_PLAN] == (
        "Active without goals.",
        "Active without a signed plan.",
    )
    assert NO_GOALS_OR_PLAN not in lists(case(has_goals=None, has_signed_plan=None))
    assert lists(case(status="waiting", has_goals=False, last_signed_assessment=None)) == {}


def test_a_small_caseload_sorted_onto_its_lists():
    caseload = [
        case(episode_id=1, change={"PSEQ": "reliably_improved"}),
        case(episode_id=2, change={"PCS": "reliably_deteriorated"}),
        case(episode_id=3, has_signed_plan=False),
        case(episode_id=4, status="on_hold"),
    ]
    found = {f.episode_id: sorted(lists(f)) for f in caseload}
    assert found == {1: [], 2: [NOT_ON_TRACK], 3: [NO_GOALS_OR_PLAN], 4: []}


def test_intervals_name_their_method_and_warn_on_small_n():
    rate = wilson_interval(0, 10)
    assert rate.value == 0
    assert rate.low == 0
    assert rate.high == pytest.approx(0.2775, abs=1e-4)
    assert rate.warning == ""
    mean = mean_t_interval([40, 44, 48])
    assert mean.value == 44
    assert mean.low == pytest.approx(44 - 4.303 * 4 / 3**0.5, abs=1e-2)
    assert mean.warning == "n = 3: too few to read anything into."
    assert mean_t_interval([]).warning == "No data yet."
    assert reliable_improvement_rate(["reliably_improved", "other", "not_available"]).n == 2
    # The team review counts in SQL; the rate of the counts is the rate of the classifications.
    labels = ["reliably_improved"] * 7 + ["no_reliable_change"] * 5 + ["not_available"] * 3
    assert reliable_improvement_rate_of_counts(7, 12) == reliable_improvement_rate(labels)
    assert reliable_improvement_rate_of_counts(0, 0) == reliable_improvement_rate([])


def _entry(nap, low, high, p=None, name="Fear of lifting a crate"):
    effect = {"NAP": {"estimate": nap, "ci_lower": low, "ci_upper": high}}
    return sced_finding(
        {
            "name": name,
            "analysis": {"comparisons": {"A1-B1": {"effect_sizes": effect}}},
            "randomization": {} if p is None else {"p_value": p},
        }
    )


def test_sced_no_improvement_is_weak_nap_or_a_ci_including_one_half():
    assert _entry(0.52, 0.31, 0.73).no_improvement  # weak (Parker & Vannest 2009)
    assert _entry(0.80, 0.45, 0.95).no_improvement  # medium, but the CI includes 0.5
    assert not _entry(0.80, 0.66, 0.94).no_improvement
    assert not _entry(0.95, 0.88, 1.0, p=0.2).no_improvement  # p alone does not decide
    assert _entry(0.52, 0.31, 0.73).reason == (
        "SCED: NAP 0.52 (95% CI 0.31–0.73) in 'Fear of lifting a crate' — no improvement."
    )
    assert sced_finding({"name": "x", "not_ready": "Not analysed yet"}) is None
    assert sced_no_improvement([None]) == (None, ())  # an unknown is not a finding
    no, reasons = sced_no_improvement([_entry(0.95, 0.9, 1.0), _entry(0.5, 0.3, 0.7)])
    assert no is True
    assert len(reasons) == 1


def test_sced_reasons_are_listed_under_not_on_track():
    facts = case(sced_no_improvement=True, sced_reasons=(_entry(0.5, 0.3, 0.7).reason,))
    found = {a.list_key: a for a in attention_for(facts, RULES, TODAY)}
    assert found[NOT_ON_TRACK].reasons[0].startswith("SCED: NAP 0.50")


def test_the_t_interval_from_sql_summaries_equals_the_one_from_values():
    values = [3.0, 4.0, 5.5, 6.0]
    direct = mean_t_interval(values)
    mean = sum(values) / 4
    sd = (sum((v - mean) ** 2 for v in values) / 3) ** 0.5
    summary = mean_t_interval_from_summary(4, mean, sd)
    assert (summary.low, summary.high) == pytest.approx((direct.low, direct.high))
    assert mean_t_interval_from_summary(0, None, None).n == 0


def test_the_rules_are_pure_they_import_only_the_standard_library_and_the_shared_estimates():
    path = Path(__file__).resolve().parents[2] / "review" / "rules.py"
    imported = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
    stdlib = set(sys.stdlib_module_names) | {"__future__"}
    assert {m for m in imported if m.split(".")[0] not in stdlib} == {"painclinic.estimates"}
