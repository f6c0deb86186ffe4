"""An instrument definition as a FHIR R4 Questionnaire.

Licensed wording stays out: an item's text is exported only where the definition ships it
(``Licence.item_text_bundled``, instruments.md §27 licence notes); otherwise the item carries the
clinic's own short label ("Item 1") and its answer options carry codes without their anchor words.
A clinic that has a licence uploads the wording into its own system, not into this export.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from . import codes

if TYPE_CHECKING:
    from assessment.instruments import Instrument

# A scale wider than this is exported as an integer item with bounds, not 100 answer options.
MAX_CHOICE_OPTIONS = 11
MIN_VALUE_EXT = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE_EXT = "http://hl7.org/fhir/StructureDefinition/maxValue"


def canonical_url(base: str, key: str) -> str:
    return f"{codes.local_systems(base)['questionnaire']}/{key}"


def text_allowed(instrument: Instrument) -> bool:
    """May the export carry the instrument's own wording (items, anchors, instructions)?"""
    return bool(instrument.licence.item_text_bundled)


def verified_loinc(instrument: Instrument, kind: str, ref: str | None) -> str | None:
    """The instrument's LOINC code of ``kind`` for ``ref`` when the definition marks it
    verified; None otherwise (secondary and unverified codes are never exported)."""
    for loinc in instrument.loinc:
        if loinc.kind == kind and loinc.ref == ref and loinc.evidence == "verified":
            return loinc.code
    return None


def _loinc_display(instrument: Instrument, code: str) -> str:
    return next(loinc.display for loinc in instrument.loinc if loinc.code == code)


def is_choice(item) -> bool:
    return item.scale.max - item.scale.min + 1 <= MAX_CHOICE_OPTIONS


def answer_coding(instrument: Instrument, item, raw: int, base: str) -> dict[str, Any]:
    """The Coding of answer code ``raw`` to ``item``: the LOINC answer code where the instrument's
    LOINC codes are verified and the anchor is one of the verified LOINC answers, else the
    clinic's answer system with the printed code (and the anchor word where text is allowed)."""
    label = item.scale.labels.get(raw)
    if (
        label
        and verified_loinc(instrument, "panel", None)
        and label in codes.LOINC_FREQUENCY_ANSWERS
    ):
        return {
            "system": codes.LOINC,
            "code": codes.LOINC_FREQUENCY_ANSWERS[label],
            "display": label,
        }
    coding: dict[str, Any] = {"system": codes.local_systems(base)["answer"], "code": str(raw)}
    if label and text_allowed(instrument):
        coding["display"] = label
    return coding


def _item(instrument: Instrument, item, base: str) -> dict[str, Any]:
    text = item.text if (text_allowed(instrument) and item.text) else item.label
    out: dict[str, Any] = {"linkId": item.id, "text": text, "required": False}
    loinc = verified_loinc(instrument, "item", item.id)
    if loinc:
        out["code"] = [{"system": codes.LOINC, "code": loinc}]
    if is_choice(item):
        out["type"] = "choice"
        out["answerOption"] = [
            {"valueCoding": answer_coding(instrument, item, value, base)}
            for value in range(item.scale.min, item.scale.max + 1)
        ]
    else:
        out["type"] = "integer"
        out["extension"] = [
            {"url": MIN_VALUE_EXT, "valueInteger": item.scale.min},
            {"url": MAX_VALUE_EXT, "valueInteger": item.scale.max},
        ]
    return out


def resource_name(key: str) -> str:
    """A computer-friendly name (R4 invariant que-0: starts with a capital, letters, digits, _)."""
    cleaned = re.sub(r"[^A-Za-z0-9_]", "_", key.upper())
    return cleaned if cleaned[:1].isalpha() else f"Q{cleaned}"


def questionnaire(instrument: Instrument, *, base: str, resource_id: str) -> dict[str, Any]:
    """The definition as a Questionnaire (status active, subject Patient)."""
    out: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "id": resource_id,
        "url": canonical_url(base, instrument.key),
        "version": instrument.version,
        "name": resource_name(instrument.key),
        "title": instrument.name,
        "status": "active",
        "subjectType": ["Patient"],
        "copyright": f"{instrument.licence.holder}. {instrument.licence.note}".strip(),
        "item": [_item(instrument, item, base) for item in instrument.items],
    }
    panel = verified_loinc(instrument, "panel", None)
    if panel:
        out["code"] = [
            {"system": codes.LOINC, "code": panel, "display": _loinc_display(instrument, panel)}
        ]
    if instrument.instructions and text_allowed(instrument):
        out["description"] = instrument.instructions
    return out
