"""PURE: the supervisor rating scales of therapist competence and fidelity, and the alliance's
rupture cue (issue #13). No Django here (tests/quality/test_scales.py checks it).

Each scale is a ``Scale`` (items, response options, a ``score`` function) registered by key:
``ctsr`` (CTS-R, CBT competence), ``exposure`` (graded-exposure fidelity checklist) and
``miti`` (MITI 4 global scores). ``score`` takes {item id: value} and returns a ``Result`` or
raises ``InvalidRating`` with a message a page can show.
"""

from __future__ import annotations

from .base import InvalidRating, Item, Result, Scale
from .ctsr import CTSR
from .exposure import EXPOSURE
from .miti import MITI

SCALES: dict[str, Scale] = {scale.key: scale for scale in (CTSR, EXPOSURE, MITI)}

__all__ = ["SCALES", "InvalidRating", "Item", "Result", "Scale", "get"]


def get(key: str) -> Scale:
    return SCALES[key]
