"""The instrument library: validated patient-reported instruments as data, scored by pure Python.

    from assessment.instruments import get, score
    result = score("tsk17", {"1": 3, "2": 2, ...})   # Score | Unscorable; InvalidAnswer on bad input

- ``base.py``: the definition data model (``Instrument``, ``Item``, ``ScoreRule``, ``Band`` ...)
  and the result types (``Score``, ``Unscorable``, ``InvalidAnswer``).
- ``scoring.py``: the one scorer, a closed set of operations over those definitions.
- ``validation.py``: ``definition_problems(instrument)`` with stable codes (assessment.E001 ...).
- ``payload.py``: the JSON of a score (``score_payload``, ``result_payload``, ``stored_band``)
  for the management command, the assessment service, the pages and the API.
- one module per instrument (or family) holding its definition, every rule with its source.

To add an instrument: write its module with ``INSTRUMENTS = (...)``, add the module to
``_MODULES`` below, and add worked examples to tests/assessment/instruments/. The registry
tests then check it has no definition problems and that item text ships only where allowed.

Pure: no Django here or in any module below (STYLE.md §3.2; tests/test_pure_cores.py).
Rules and sources: shared/reference/instruments.md. GAS and the RCI are methods, not
questionnaires: see ``gas.py`` and ``change.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import (
    bpi,
    care,
    cpaq8,
    dass21,
    eq5d5l,
    fabq,
    gad7,
    gcqs,
    nrs,
    odi,
    orebro,
    pass20,
    pcs,
    peg,
    pgic,
    phoda,
    phq9,
    pseq,
    psfs,
    rmdq,
    rnpq,
    startback,
    tsk,
    waisr,
)
from .base import Instrument, InvalidAnswer, Score, Unscorable

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "ASKS_ABOUT_CHANGE",
    "CATEGORY_RESULT",
    "Instrument",
    "InvalidAnswer",
    "Score",
    "Unscorable",
    "all_instruments",
    "get",
    "score",
]

_MODULES = (
    nrs, peg, orebro, startback, tsk, pcs, rnpq, fabq, pseq, bpi, odi, rmdq,
    phq9, gad7, dass21, cpaq8, pass20, psfs, phoda, waisr, gcqs, care, pgic, eq5d5l,
)  # fmt: skip

# Instruments that ask about change since care began (the PGIC): there is nothing to compare with
# at the first visit, so a session at that time point does not offer them (pgic.py).
ASKS_ABOUT_CHANGE = frozenset({"pgic"})
# Instruments whose result is a category, printed in words only (the PGIC): the code is kept for
# charts but never shown as a score (pgic.py).
CATEGORY_RESULT = frozenset({"pgic"})

_REGISTRY: dict[str, Instrument] = {}
for _module in _MODULES:
    for _instrument in _module.INSTRUMENTS:
        if _instrument.key in _REGISTRY:
            raise RuntimeError(f"instrument key {_instrument.key!r} is registered twice")
        _REGISTRY[_instrument.key] = _instrument


def get(key: str) -> Instrument:
    """The definition registered under ``key``; ``KeyError`` naming the known keys otherwise."""
    try:
        return _REGISTRY[key]
    except KeyError:
        raise KeyError(
            f"unknown instrument {key!r}; known: {', '.join(sorted(_REGISTRY))}"
        ) from None


def all_instruments() -> tuple[Instrument, ...]:
    """Every registered definition, in registration order."""
    return tuple(_REGISTRY.values())


def score(key: str, answers: Mapping[Any, Any]) -> Score | Unscorable:
    """Score one administration of instrument ``key``.

    ``answers`` maps item id (str or int, as printed) to the raw code as printed (before
    reversal), ``None`` for unanswered, or ``"NA"`` for "does not apply" where the instrument
    allows it. Raises ``InvalidAnswer`` (a ``ValueError``) for unknown items or out-of-range codes.
    """
    return get(key).score(answers)


def use_clinic_definition(instrument: Instrument) -> Instrument:
    """Put the clinic's own build of a registered definition in its place and return the one it
    replaces: the rNPQ scored against the key the clinic holds (``rnpq.with_key``), which this
    library does not ship. The key must already be registered."""
    if instrument.key not in _REGISTRY:
        raise KeyError(f"unknown instrument {instrument.key!r}")
    previous = _REGISTRY[instrument.key]
    _REGISTRY[instrument.key] = instrument
    return previous
