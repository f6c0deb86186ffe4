"""``manage.py score`` and the instrument system check (issue #3)."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from assessment import checks as assessment_checks
from assessment import instruments


def _score(key: str, text: str) -> tuple[dict, int]:
    out = io.StringIO()
    try:
        with mock.patch("sys.stdin", io.StringIO(text)):
            call_command("score", key, stdout=out)
    except CommandError as exc:
        return json.loads(out.getvalue()), exc.returncode
    return json.loads(out.getvalue()), 0


def test_a_data_manager_rescoring_jannicks_tsk11_gets_total_and_no_band():
    answers = {str(i): 3 for i in range(1, 12)}
    result, code = _score("tsk11", json.dumps({"answers": answers}))
    assert code == 0
    assert result["scorable"] is True
    assert result["total"] == 33
    assert result == instruments.payload.score_payload("tsk11", {"answers": answers})


def test_the_bare_answers_object_is_accepted():
    result, code = _score("phq9", json.dumps({str(i): 1 for i in range(1, 10)}))
    assert code == 0
    assert result["total"] == 9
    assert result["band"]["name"] == "mild"


def test_an_unscorable_questionnaire_is_a_result_not_an_error():
    result, code = _score("pcs", json.dumps({"answers": {"1": 2, "2": None}}))
    assert code == 0
    assert result["scorable"] is False
    assert "cannot be scored" in result["reason"]


@pytest.mark.parametrize(
    ("key", "text"),
    [
        ("tsk11", "{not json"),
        ("tsk11", json.dumps({"answers": {"1": 9}})),  # out of range
        ("tsk11", json.dumps({"answers": {"99": 1}})),  # no such item
        ("nosuch", json.dumps({"answers": {}})),
    ],
)
def test_malformed_input_exits_2_with_an_error_object(key, text):
    result, code = _score(key, text)
    assert code == 2
    assert "error" in result


def test_rci_method_takes_its_own_inputs():
    payload = {"baseline": 33, "follow_up": 22, "sem": 2.54, "direction": "higher_is_worse"}
    result, code = _score("rci", json.dumps(payload))
    assert code == 0
    assert result["classification"] == "reliably_improved"


def _change(argv: list[str], text: str) -> tuple[dict, int]:
    out = io.StringIO()
    try:
        with mock.patch("sys.stdin", io.StringIO(text)):
            call_command("score", *argv, stdout=out)
    except CommandError as exc:
        return json.loads(out.getvalue()), exc.returncode
    return json.loads(out.getvalue()), 0


def test_a_data_manager_compares_two_odi_administrations():
    result, code = _change(
        ["change"], json.dumps({"instrument": "odi", "baseline": 46, "follow_up": 24})
    )
    assert code == 0
    assert (result["change"], result["follow_up_band"]["name"]) == (-22, "moderate")
    same, code = _change(["odi", "--change"], json.dumps({"baseline": 46, "follow_up": 24}))
    assert code == 0
    assert same == result


@pytest.mark.parametrize(
    ("argv", "payload", "field"),
    [
        (["change"], {"instrument": "odi", "baseline": 46}, "follow_up"),
        (["odi", "--change"], {"baseline": "high", "follow_up": 24}, "baseline"),
        (["odi", "--change"], {"instrument": "pcs", "baseline": 40, "follow_up": 24}, "instrument"),
        (["rci", "--change"], {"baseline": 40, "follow_up": 24}, "instrument"),
    ],
)
def test_bad_change_input_exits_2_naming_the_field(argv, payload, field):
    result, code = _change(argv, json.dumps(payload))
    assert code == 2
    assert result["field"] == field


def test_the_shipped_definitions_pass_the_system_check():
    assert assessment_checks.check_instrument_definitions() == []


def test_a_broken_definition_fails_manage_py_check(monkeypatch):
    from assessment.instruments import validation

    good = instruments.get("tsk11")
    rule = good.scores[0]
    broken = replace(good, scores=(replace(rule, source=""), *good.scores[1:]))
    originals = instruments.all_instruments()
    monkeypatch.setattr(
        instruments,
        "all_instruments",
        lambda: tuple(broken if d.key == "tsk11" else d for d in originals),
    )
    errors = assessment_checks.check_instrument_definitions()
    assert errors
    assert {e.id for e in errors} == {"assessment.E001"}
    assert all(
        e.id == p.code for e, p in zip(errors, validation.definition_problems(broken), strict=True)
    )
    with pytest.raises(Exception, match=r"assessment\.E001"):
        call_command("check")
