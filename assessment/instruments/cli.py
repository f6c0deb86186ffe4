"""JSON in, JSON out: the scoring entry point for the management command (written by the lead).

    score_payload("phq9", {"answers": {"1": 2, "2": 1, ...}})

returns one JSON-serialisable dict:

- scored:      {"instrument", "version", "scorable": True, "total", "subscales", "band", "bands",
                "derived", "flags", "answered", "missing_items", "unscorable_parts", "notes", "sources",
                "details"}  (details: score id -> raw_sum / max_possible / item_mean, where the
                definition reports them: ODI, WAI-SR)
- unscorable:  {"instrument", "version", "scorable": False, "reason", "flags", "derived", "bands",
                "missing_items", "notes"}  (derived + bands: a PHQ-2 / GAD-2 given on its own)
- bad input:   {"error": "...", "field": "<item or payload key>"}  (the command exits 2 on this)

The method keys ``gas``, ``rci`` and ``change`` are delegated to ``gas.gas_payload``,
``change.rci_payload`` and ``change.change_payload`` (their own payload formats), imported lazily.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

from . import get
from .base import BandResult, FlagResult, InvalidAnswer, Unscorable, to_data

METHODS = {
    "gas": ("gas", "gas_payload"),
    "rci": ("change", "rci_payload"),
    "change": ("change", "change_payload"),
}

ERROR_PAYLOAD_NOT_OBJECT = "The payload must be a JSON object."
ERROR_NO_ANSWERS = "The payload must have an 'answers' object mapping item number to answer."
ERROR_METHOD_MISSING = "The {key} method is not available in this build ({module} is missing)."


def _band(band: BandResult | None) -> dict[str, Any] | None:
    return None if band is None else to_data(band)


def _flags(flags: Mapping[str, FlagResult]) -> dict[str, Any]:
    return {key: to_data(flag) for key, flag in flags.items()}


def score_payload(key: str, payload: object) -> dict[str, Any]:
    """Score ``payload["answers"]`` with instrument ``key``, or delegate ``gas`` / ``rci``."""
    if key in METHODS:
        module_name, function_name = METHODS[key]
        qualified = f"{__package__}.{module_name}"
        try:
            module = importlib.import_module(qualified)
        except ModuleNotFoundError as exc:
            if exc.name != qualified:
                raise
            return {
                "error": ERROR_METHOD_MISSING.format(key=key, module=module_name),
                "field": "instrument",
            }
        result: dict[str, Any] = getattr(module, function_name)(payload)
        return result
    try:
        instrument = get(key)
    except KeyError as exc:
        return {"error": str(exc.args[0]), "field": "instrument"}
    if not isinstance(payload, Mapping):
        return {"error": ERROR_PAYLOAD_NOT_OBJECT, "field": "payload"}
    answers = payload.get("answers")
    if not isinstance(answers, Mapping):
        return {"error": ERROR_NO_ANSWERS, "field": "answers"}
    try:
        result_ = instrument.score(answers)
    except InvalidAnswer as exc:
        return {"error": str(exc), "field": exc.item}
    if isinstance(result_, Unscorable):
        return {
            "instrument": key,
            "version": instrument.version,
            "scorable": False,
            "reason": result_.reason,
            "flags": _flags(result_.flags),
            "derived": dict(result_.derived),
            # a short form given on its own (PHQ-2, GAD-2): its band (screen) beside its total
            "bands": {score_id: _band(band) for score_id, band in result_.bands.items()},
            "missing_items": list(result_.missing_items),
            "notes": list(result_.notes),
        }
    return {
        "instrument": key,
        "version": instrument.version,
        "scorable": True,
        "total": result_.total,
        "subscales": dict(result_.subscales),
        "band": _band(result_.band),
        "bands": {score_id: _band(band) for score_id, band in result_.bands.items()},
        "derived": dict(result_.derived),
        "flags": _flags(result_.flags),
        "answered": result_.answered,
        "missing_items": list(result_.missing_items),
        "unscorable_parts": dict(result_.unscorable_parts),
        "notes": list(result_.notes),
        "sources": list(result_.sources),
        "details": {score_id: dict(numbers) for score_id, numbers in result_.details.items()},
    }
