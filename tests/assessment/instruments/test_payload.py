"""score_payload: one JSON-serialisable dict per request, errors that name the field."""

from __future__ import annotations

import json
import sys

import pytest

from assessment.instruments import payload
from assessment.instruments.payload import score_payload


def test_scored_payload_shape_and_json() -> None:
    out = score_payload("tsk17", {"answers": {str(n): 3 for n in range(1, 18)}})
    json.dumps(out)
    # 13 items at 3 + reversed items 4, 8, 12, 16 at 5 - 3 = 2
    assert out["total"] == 13 * 3 + 4 * 2
    assert out["scorable"] is True
    assert out["instrument"] == "tsk17"
    assert out["version"] == "Vlaeyen1995"
    assert out["band"]["name"] == "high"
    assert out["band"]["bounds"] == "> 37 to <= 68"
    assert out["derived"] == {"tsk11": 11 * 3}
    assert set(out) >= {"subscales", "flags", "sources", "missing_items", "answered"}
    assert all(isinstance(s, str) and s for s in out["sources"])


def test_unscorable_payload() -> None:
    answers = {str(n): 2 for n in range(1, 18) if n not in (2, 5, 9)}
    out = score_payload("tsk17", {"answers": answers})
    assert out == {
        "instrument": "tsk17",
        "version": "Vlaeyen1995",
        "scorable": False,
        "reason": "TSK-17 cannot be scored: 3 items unanswered (2, 5, 9); at most 0 may be missing.",
        "flags": {},
        "derived": {},
        "bands": {},
        "missing_items": ["2", "5", "9"],
        "notes": [],
    }


def test_phq2_on_its_own_prints_its_total_and_screen() -> None:
    out = score_payload("phq9", {"answers": {"1": 2, "2": 2}})
    json.dumps(out)
    assert out["scorable"] is False
    assert out["derived"] == {"phq2": 4}
    assert out["bands"]["phq2"]["name"] == "positive"
    assert out["bands"]["phq2"]["label"] == "Positive screen"


def test_odi_prints_the_raw_sum_and_maximum_beside_the_percentage() -> None:
    answers = {
        "1": 2,
        "2": 1,
        "3": [1, 3],
        "4": 2,
        "5": 1,
        "6": 2,
        "7": 2,
        "8": None,
        "9": 1,
        "10": 2,
    }
    out = score_payload("odi", {"answers": answers})
    assert round(out["total"], 2) == 35.56
    assert out["details"] == {"total": {"raw_sum": 16, "max_possible": 45}}
    assert out["band"]["label"] == "Moderate disability"


def test_waisr_prints_item_means() -> None:
    out = score_payload("waisr", {"answers": {str(n): 4 for n in range(1, 13)}})
    assert out["total"] == 48
    assert out["subscales"]["bond"] == 16
    assert out["details"]["total"] == {"item_mean": 4}
    assert out["details"]["bond"] == {"item_mean": 4}


def test_unscorable_phq9_keeps_the_item9_flag() -> None:
    out = score_payload("phq9", {"answers": {"9": 2}})
    json.dumps(out)
    assert out["scorable"] is False
    assert out["flags"]["item9_self_harm"]["state"] == "positive"


@pytest.mark.parametrize(
    ("key", "payload", "field"),
    [
        ("tsk17", {"answers": {"5": 7}}, "5"),
        ("tsk17", {"answers": {"18": 1}}, "18"),
        ("tsk17", {"answers": {"5": "NA"}}, "5"),
        ("tsk17", {"items": {}}, "answers"),
        ("tsk17", [1, 2], "payload"),
        ("nope", {"answers": {}}, "instrument"),
    ],
)
def test_bad_input_gives_error_and_field(key: str, payload: object, field: str) -> None:
    out = score_payload(key, payload)
    json.dumps(out)
    assert set(out) == {"error", "field"}
    assert out["field"] == field
    assert out["error"]


def test_out_of_range_message_names_item_and_range() -> None:
    out = score_payload("phq9", {"answers": {"9": 4}})
    assert out == {"error": "PHQ-9 item 9: 4 is out of range; allowed: 0-3.", "field": "9"}


@pytest.mark.parametrize(
    ("key", "module", "function"),
    [
        ("gas", "gas", "gas_payload"),
        ("rci", "change", "rci_payload"),
        ("change", "change", "change_payload"),
    ],
)
def test_methods_are_delegated(
    monkeypatch: pytest.MonkeyPatch, key: str, module: str, function: str
) -> None:
    seen = []

    def fake(given: object) -> dict[str, object]:
        seen.append(given)
        return {"delegated": key}

    assert payload.METHODS[key] is getattr(
        sys.modules[f"assessment.instruments.{module}"], function
    )
    monkeypatch.setitem(payload.METHODS, key, fake)
    assert score_payload(key, {"x": 1}) == {"delegated": key}
    assert seen == [{"x": 1}]
