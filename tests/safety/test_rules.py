"""The pure rules of the self-harm signal, without a database: which flags raise it, working
days, crisis contacts; and safety/rules.py imports only the standard library."""

from __future__ import annotations

import ast
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from assessment.instruments import get
from safety.rules import add_working_days, crisis_contacts, is_risk_flag, risk_findings

LONDON = ZoneInfo("Europe/London")


def test_phq9_item9_is_marked_as_the_risk_item_of_the_library():
    flag_ids = {flag.id for flag in get("phq9").flags}
    assert "item9_self_harm" in flag_ids
    assert is_risk_flag("phq9", "item9_self_harm")
    assert not is_risk_flag("phq9", "clinically_significant")  # a total is not a risk item


def test_a_negative_answer_raises_nothing_and_an_unanswered_one_is_unknown():
    negative = {"flags": {"item9_self_harm": {"state": "negative", "value": 0}}}
    unknown = {"flags": {"item9_self_harm": {"state": "unknown", "value": None}}}
    assert risk_findings("phq9", negative) == []
    assert [f.state for f in risk_findings("phq9", unknown)] == ["unknown"]


def test_working_days_skip_the_weekend():
    thursday = datetime(2026, 12, 3, 16, 0, tzinfo=LONDON)
    saturday = datetime(2026, 12, 5, 9, 0, tzinfo=LONDON)
    assert add_working_days(thursday, 1) == datetime(2026, 12, 4, 16, 0, tzinfo=LONDON)
    assert add_working_days(thursday, 2) == datetime(2026, 12, 7, 16, 0, tzinfo=LONDON)
    # Raised on Saturday: the clock starts Monday 00:00; one working day later is Tuesday 00:00.
    assert add_working_days(saturday, 1) == datetime(2026, 12, 8, 0, 0, tzinfo=LONDON)


def test_uk_and_us_crisis_contacts():
    uk = crisis_contacts("uk")
    assert uk["danger"].number == "999"
    assert {c.number for c in uk["contacts"]} >= {"111", "116 123"}
    assert any("option 2" in c.detail for c in uk["contacts"])
    assert "988" in {c.number for c in crisis_contacts("us")["contacts"]}
    assert crisis_contacts("elsewhere") == uk  # unknown setting: the default, never nothing


def test_safety_rules_import_only_the_standard_library():
    path = Path(__file__).resolve().parents[2] / "safety" / "rules.py"
    tree = ast.parse(path.read_text())
    modules = {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
    } | {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    assert modules <= set(sys.stdlib_module_names) | {"__future__"}
