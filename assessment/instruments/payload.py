"""The one payload (JSON) module of the instrument library: what a score looks like as JSON.

Used by the ``score`` management command, the assessment service (the stored ``score`` of an
administration is ``result_payload`` of the one scoring of its answers), the pages that serialise
a score, and later the HTTP API.

    score_payload("phq9", {"answers": {"1": 2, "2": 1, ...}})   # JSON in, JSON out
    result_payload(instrument, instrument.score(answers))       # an existing result as JSON
    stored_band(key, payload)                                    # the band kept on a signed result

``score_payload`` returns one JSON-serialisable dict:

- scored:      {"instrument", "version", "scorable": True, "total", "subscales", "band", "bands",
                "derived", "flags", "answered", "missing_items", "unscorable_parts", "notes", "sources",
                "details"}  (details: score id -> raw_sum / max_possible / item_mean, where the
                definition reports them: ODI, WAI-SR)
- unscorable:  {"instrument", "version", "scorable": False, "reason", "flags", "derived", "bands",
                "missing_items", "notes"}  (derived + bands: a PHQ-2 / GAD-2 given on its own)
- bad input:   {"error": "...", "field": "<item or payload key>"}  (the command exits 2 on this)

The method keys ``gas``, ``rci`` and ``change`` are delegated to ``gas.gas_payload``,
``change.rci_payload`` and ``change.change_payload`` (their own payload formats).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from . import change, gas, get
from .base import BandResult, FlagResult, Instrument, InvalidAnswer, Score, Unscorable, to_data

METHODS: dict[str, Callable[[object], dict[str, Any]]] = {
    "gas": gas.gas_payload,
    "rci": change.rci_payload,
    "change": change.change_payload,
}

ERROR_PAYLOAD_NOT_OBJECT = "The payload must be a JSON object."
ERROR_NO_ANSWERS = "The payload must have an 'answers' object mapping item number to answer."


def _band(band: BandResult | None) -> dict[str, Any] | None:
    return None if band is None else to_data(band)


def _flags(flags: Mapping[str, FlagResult]) -> dict[str, Any]:
    return {key: to_data(flag) for key, flag in flags.items()}


def score_payload(key: str, payload: object) -> dict[str, Any]:
    """Score ``payload["answers"]`` with instrument ``key``, or delegate ``gas`` / ``rci``."""
    if key in METHODS:
        return METHODS[key](payload)
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
        result = instrument.score(answers)
    except InvalidAnswer as exc:
        return {"error": str(exc), "field": exc.item}
    return result_payload(instrument, result)


def result_payload(instrument: Instrument, result: Score | Unscorable) -> dict[str, Any]:
    """The JSON of one scoring result (scorable or not): no second scoring."""
    key = instrument.key
    if isinstance(result, Unscorable):
        return {
            "instrument": key,
            "version": instrument.version,
            "scorable": False,
            "reason": result.reason,
            "flags": _flags(result.flags),
            "derived": dict(result.derived),
            # a short form given on its own (PHQ-2, GAD-2): its band (screen) beside its total
            "bands": {score_id: _band(band) for score_id, band in result.bands.items()},
            "missing_items": list(result.missing_items),
            "notes": list(result.notes),
        }
    texts = {"texts": dict(result.texts)} if result.texts else {}  # EQ-5D-5L only
    return {
        "instrument": key,
        "version": instrument.version,
        "scorable": True,
        "total": result.total,
        "subscales": dict(result.subscales),
        "band": _band(result.band),
        "bands": {score_id: _band(band) for score_id, band in result.bands.items()},
        "derived": dict(result.derived),
        "flags": _flags(result.flags),
        "answered": result.answered,
        "missing_items": list(result.missing_items),
        "unscorable_parts": dict(result.unscorable_parts),
        "notes": list(result.notes),
        "sources": list(result.sources),
        "details": {score_id: dict(numbers) for score_id, numbers in result.details.items()},
        **texts,
    }


@dataclass(frozen=True)
class StoredBand:
    """The band kept on a signed result: what pages print (label, level) and whether its cut-off
    is clinic policy (its evidence is unverified in the definition) rather than a published one."""

    name: str
    label: str
    level: int
    policy: bool


def is_policy_band(key: str, score_id: str, band: Mapping[str, Any] | None) -> bool:
    """A band whose evidence is unverified is clinic policy, and the page says so. The band's
    JSON carries its evidence; a payload stored before it did is looked up in the definition."""
    if not band:
        return False
    if band.get("evidence"):
        return bool(band["evidence"] == "unverified")
    try:
        rule = get(key).score_rule(score_id)
    except (KeyError, ValueError):
        return False
    bands = (rule.bands if rule is not None else None) or ()
    return any(b.name == band.get("name") and b.evidence == "unverified" for b in bands)


def stored_band(key: str, payload: Mapping[str, Any] | None) -> StoredBand | None:
    """The band of a score payload's total (None when unscorable or the total has no band)."""
    band = (payload or {}).get("band") if (payload or {}).get("scorable") else None
    if not band:
        return None
    return StoredBand(
        name=band["name"],
        label=band["label"],
        level=int(band["level"]),
        policy=is_policy_band(key, "total", band),
    )
