"""Revised Neurophysiology of Pain Questionnaire, rNPQ (shared/reference/education.md §1).

What the patient understands of pain biology, before and after pain education (issue #14).

Facts and their marks (education.md; [V] primary source read, [S] secondary, [U] unverified):
- 12 items, the 19-item NPQ (Moseley 2003 [U]) less 7 erratic or redundant items after Rasch
  analysis (Catley, O'Connell & Moseley, J Pain 2013;14(8):818-27,
  doi:10.1016/j.jpain.2013.02.008) [V]. A summary that says "13 statements" conflicts with the
  paper; 12 is used [S, conflict noted].
- Each item is answered true, false or undecided; 1 point for the correct answer, 0 for an
  incorrect answer or "undecided" [S: 360clinician summary]. Total 0-12, higher = more accurate
  knowledge of pain biology [derived].
- No published clinical cut-off was found [U]: there are NO bands. The total is read as change
  from before to after education, and item by item as a gap finder.
- The item wording and the scoring key (which items are true) must come from the licensed paper,
  not be reconstructed [U]. Neither ships here.

The scoring key, decided (issue #14): this library ships no key. The registered definition
(``RNPQ``) records the answers and returns ``Unscorable`` with ``KEY_NOT_SUPPLIED``; a clinic
that holds the paper builds its definition with ``with_key`` (item -> True/False, as the paper
gives it), which scores 1 point per item answered as the key says. Without a key nothing here
guesses: an item's scored value cannot even be asked for (``KeyNotSupplied``), so no caller can
get a total from the keyless definition by going round ``score``.

Pure: standard library only.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Any

from .base import (
    Instrument,
    Item,
    Licence,
    ResponseScale,
    Score,
    ScoreRule,
    Unscorable,
    ids,
    no_missing,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

S_ITEMS = (
    "education.md §1 [CAT13 V]: Catley MJ, O'Connell NE, Moseley GL. J Pain 2013;14(8):818-27, "
    "doi:10.1016/j.jpain.2013.02.008; 12 items kept of the 19-item NPQ"
)
S_SCORING = (
    "education.md §1 [S]: true / false / undecided; 1 point per correct answer, incorrect or "
    "undecided 0; total 0-12, higher = more accurate (derived)"
)
S_NO_CUTOFF = "education.md §1 [U]: no published clinical cut-off found; no bands"
S_MISSING = "No published missing-item rule (UNVERIFIED); policy: not scorable"
S_LICENCE = (
    "education.md §1 [U]: item text and scoring key must come from the licensed paper, not "
    "reconstructed"
)

TRUE, FALSE, UNDECIDED = 1, 2, 3
SCALE = ResponseScale(TRUE, UNDECIDED, {TRUE: "True", FALSE: "False", UNDECIDED: "Undecided"})
ITEM_IDS = ids(*range(1, 13))

KEY_NOT_SUPPLIED = (
    "rNPQ cannot be scored: the scoring key is not supplied. The key (which statements are true) "
    "comes from the licensed paper; the answers are kept and can be scored once the clinic "
    "supplies it."
)

LICENCE = Licence(
    status="unverified",
    holder="Catley MJ, O'Connell NE, Moseley GL (2013); NPQ: Moseley GL (2003)",
    url="https://doi.org/10.1016/j.jpain.2013.02.008",
    item_text_bundled=False,
    note=(
        "Item wording and scoring key from the licensed paper only (UNVERIFIED terms); neither "
        "ships. Without the clinic's key every administration is recorded as unscorable."
    ),
    source=S_LICENCE,
    evidence="unverified",
)


class KeyNotSupplied(LookupError):
    """Raised when an rNPQ item's points are asked for and no scoring key was supplied."""


class KeyedItem(Item):
    """An rNPQ item: 1 point when the answer is the key's, 0 otherwise (undecided included).

    The key lives in ``recode`` ({correct code: 1, other codes: 0}); without it the item's
    scored range is still 0-1 (so the definition validates), but its value is unknowable."""

    def scored_value(self, raw: int) -> Fraction:
        if self.recode is None:
            raise KeyNotSupplied(KEY_NOT_SUPPLIED)
        return super().scored_value(raw)

    def scored_range(self) -> tuple[Fraction, Fraction]:
        return Fraction(0), Fraction(1)


class KeyedInstrument(Instrument):
    """An instrument scored against a key supplied by the clinic; unscorable (with the reason)
    while none is."""

    @property
    def has_key(self) -> bool:
        return all(item.recode is not None for item in self.items)

    def score(self, answers: Mapping[Any, Any]) -> Score | Unscorable:
        from .scoring import parse_answers, score_answers  # the scorer imports base

        if self.has_key:
            return score_answers(self, answers)
        parsed = parse_answers(self, answers)  # bad input is still InvalidAnswer
        missing = tuple(item_id for item_id, value in parsed.items() if value is None)
        return Unscorable(self.key, KEY_NOT_SUPPLIED, self.version, missing_items=missing)


def _items(key: Mapping[str, bool] | None) -> tuple[KeyedItem, ...]:
    items = []
    for item_id in ITEM_IDS:
        recode = None
        if key is not None:
            correct = TRUE if key[item_id] else FALSE
            recode = {code: (1 if code == correct else 0) for code in (TRUE, FALSE, UNDECIDED)}
        items.append(
            KeyedItem(
                id=item_id,
                label=f"Item {item_id}",
                scale=SCALE,
                source=S_SCORING,
                recode=recode,
            )
        )
    return tuple(items)


def _definition(key: Mapping[str, bool] | None, version: str) -> KeyedInstrument:
    return KeyedInstrument(
        key="rnpq",
        version=version,
        name="Revised Neurophysiology of Pain Questionnaire",
        short_name="rNPQ",
        citation=(
            "Catley MJ, O'Connell NE, Moseley GL. J Pain 2013;14(8):818-27, "
            "doi:10.1016/j.jpain.2013.02.008"
        ),
        reference="education.md §1",
        licence=LICENCE,
        direction="higher_is_better",
        items=_items(key),
        scores=(
            ScoreRule(
                id="total",
                label="total",
                role="total",
                items=ITEM_IDS,
                aggregate="sum",
                missing=no_missing(S_MISSING, "unverified"),
                range=(0, 12),
                source=S_SCORING,
                evidence="secondary",
                bands=(),  # no published cut-off (S_NO_CUTOFF): the total is read as change
            ),
        ),
        primary="total",
        policy_notes=(
            "No clinical cut-off is published: the total is not banded; read its change from "
            "before to after pain education.",
        ),
        unverified=(S_NO_CUTOFF, S_MISSING, S_LICENCE),
    )


def with_key(
    key: Mapping[str | int, bool], *, version: str = "Catley2013+clinic-key"
) -> KeyedInstrument:
    """The rNPQ scored against the clinic's key: item number -> True (the statement is true) or
    False, for all 12 items, as the licensed paper gives it."""
    cleaned = {str(item_id).strip(): value for item_id, value in key.items()}
    if set(cleaned) != set(ITEM_IDS) or not all(isinstance(v, bool) for v in cleaned.values()):
        raise ValueError("an rNPQ key gives True or False for each of items 1-12")
    return _definition(cleaned, version)


RNPQ = _definition(None, "Catley2013")
INSTRUMENTS = (RNPQ,)
