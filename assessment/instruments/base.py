"""Instrument definitions as data, and the result types; ``scoring.py`` interprets them.

Pure: stdlib only, no Django (STYLE.md §3.2, enforced by tests/test_pure_cores.py).
Rules and sources: shared/reference/instruments.md; the definition format follows its §27.3.

A definition is a frozen ``Instrument`` built from a closed set of rule types:

- ``ScoreRule``: ``sum`` | ``mean`` | ``percent_of_answered_max`` over a set of items, times an
  optional ``multiplier`` (DASS-21 x 2), with a ``MissingRule`` (``refuse`` or ``prorate_mean``,
  at most ``max_missing`` items). Per-item ``reverse`` (min + max - x) and ``recode`` tables live on
  the ``Item``. Its ``role`` says whether it is the total, a subscale or a derived short form.
- ``Band``: threshold bands with explicit bounds and a severity ``level`` (0 = none .. 4 = most).
- ``DecisionTable``: first-matching row over score intervals (STarT Back risk groups).
- ``FlagRule``: an item or score inside an interval raises a flag; a missing value is "unknown",
  never "negative" (PHQ-9 item 9).
- ``ChangeRule``, ``ReliableChangeParameters``, ``Norm``: change thresholds and the numbers the
  RCI needs, as plain data.

The scorer (``scoring.score_answers``, also ``Instrument.score``) knows only these operations:
there is no expression language, so every rule is reviewable and testable. "Cannot score" is a value
(``Unscorable``) whose ``reason`` the clinician reads; bad input raises ``InvalidAnswer``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from fractions import Fraction
from types import MappingProxyType
from typing import Any

NA = "NA"  # the answer "does not apply", as the form submits it

EVIDENCE_LEVELS = ("verified", "secondary", "unverified", "policy")
DIRECTIONS = ("higher_is_worse", "higher_is_better", "unspecified")
AGGREGATES = ("sum", "mean", "percent_of_answered_max")
MISSING_METHODS = ("refuse", "prorate_mean")
ROLES = ("total", "subscale", "derived")
LICENCE_STATUSES = ("free", "free_ask_commercial", "restricted", "unverified")
NA_TREATMENTS = ("missing", "code")
FLAG_KINDS = ("item", "score")
CHANGE_KINDS = (
    "mcid",
    "mic",
    "mid",
    "mdc",
    "response",
    "remission",
    "clinically_significant",
    "tier",
)
LOINC_KINDS = ("panel", "score", "item")
# Numbers a score may print beside itself (``ScoreRule.report``): the sum of the answered items'
# scored values, the most those items could give, and the mean per answered item.
REPORTS = ("raw_sum", "max_possible", "item_mean")
MULTIPLE_MARKED_RULES = ("highest",)


def _freeze(mapping: Mapping[Any, Any] | None) -> Mapping[Any, Any] | None:
    return None if mapping is None else MappingProxyType(dict(mapping))


# --------------------------------------------------------------------------------------------
# Definition data model
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Interval:
    """A range of values with explicit bounds; ``None`` means unbounded on that side."""

    min: float | None
    max: float | None
    min_inclusive: bool = True
    max_inclusive: bool = True

    def contains(self, value: float | Fraction) -> bool:
        if self.min is not None and (
            value < self.min or (value == self.min and not self.min_inclusive)
        ):
            return False
        return not (
            self.max is not None
            and (value > self.max or (value == self.max and not self.max_inclusive))
        )

    def describe(self) -> str:
        """Human-readable bounds, e.g. ``"0-4"``, ``"> 37"``, ``"5 to < 10"``."""
        lo, hi = _fmt(self.min), _fmt(self.max)
        if self.min is None and self.max is None:
            return "any value"
        if self.max is None:
            return f"{'>=' if self.min_inclusive else '>'} {lo}"
        if self.min is None:
            return f"{'<=' if self.max_inclusive else '<'} {hi}"
        if self.min_inclusive and self.max_inclusive:
            return lo if self.min == self.max else f"{lo}-{hi}"
        left = lo if self.min_inclusive else f"> {lo}"
        right = f"<= {hi}" if self.max_inclusive else f"< {hi}"
        return f"{left} to {right}"


def _fmt(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


@dataclass(frozen=True)
class ResponseScale:
    """Allowed raw codes, as printed on the form: every whole number from ``min`` to ``max``."""

    min: int
    max: int
    labels: Mapping[int, str] = field(default_factory=dict)  # anchors; may be partial

    def __post_init__(self) -> None:
        object.__setattr__(self, "labels", _freeze(self.labels))

    def describe(self) -> str:
        return f"{self.min}-{self.max}"


@dataclass(frozen=True)
class Item:
    """One item, identified by its number as printed (``"9"``, ``"9A"``).

    ``label`` is a neutral short label that may always ship. ``text`` is the item wording and is
    present only where instruments.md §27.2 says the text may be bundled. ``reverse`` scores the
    answer as min + max - x; ``recode`` maps each raw code to its scored value (STarT Back item 9).
    ``source`` is the source of the scale and of the reverse/recode rule.
    """

    id: str
    label: str
    scale: ResponseScale
    source: str
    reverse: bool = False
    recode: Mapping[int, float] | None = None
    scored: bool = True
    text: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "recode", _freeze(self.recode))

    def scored_value(self, raw: int) -> Fraction:
        if self.recode is not None:
            return Fraction(self.recode[raw])
        if self.reverse:
            return Fraction(self.scale.min + self.scale.max - raw)
        return Fraction(raw)

    def scored_range(self) -> tuple[Fraction, Fraction]:
        values = [self.scored_value(code) for code in range(self.scale.min, self.scale.max + 1)]
        return min(values), max(values)


@dataclass(frozen=True)
class MissingRule:
    """How many of a score's items may be unanswered, and what is done then.

    ``refuse``: never estimated (``max_missing`` must be 0). ``prorate_mean``: each missing item
    takes the mean of the answered items' scored values (NHS PHQ-9 rule; for a ``mean`` aggregate
    this is the mean of the answered items, for ``percent_of_answered_max`` the ODI formula).
    """

    max_missing: int
    method: str
    source: str
    evidence: str = "verified"


@dataclass(frozen=True)
class Band:
    """A named band of a score. ``level`` drives colour (0 none .. 4 most severe); never colour alone."""

    name: str
    label: str
    min: float
    max: float
    level: int
    source: str
    min_inclusive: bool = True
    max_inclusive: bool = True
    evidence: str = "verified"

    @property
    def interval(self) -> Interval:
        return Interval(self.min, self.max, self.min_inclusive, self.max_inclusive)


@dataclass(frozen=True)
class ScoreRule:
    id: str
    label: str
    role: str
    items: tuple[str, ...]
    aggregate: str
    missing: MissingRule
    range: tuple[float, float]  # declared; validation checks it against the items
    source: str
    evidence: str = "verified"
    multiplier: float = 1
    bands: tuple[Band, ...] = ()
    direction: str | None = None  # None: the instrument's direction
    report: tuple[str, ...] = ()  # extra numbers beside the score, from REPORTS (ODI, WAI-SR)


@dataclass(frozen=True)
class FlagRule:
    """Raise a flag when an item's raw answer (``kind="item"``) or a score is inside ``when``."""

    id: str
    label: str
    kind: str
    target: str
    when: Interval
    message: str  # what a positive flag asks of the clinician
    source: str
    evidence: str = "verified"


@dataclass(frozen=True)
class DecisionRow:
    name: str
    label: str
    level: int
    conditions: Mapping[str, Interval]  # score id -> interval; all must hold
    source: str
    evidence: str = "verified"

    def __post_init__(self) -> None:
        object.__setattr__(self, "conditions", _freeze(self.conditions))


@dataclass(frozen=True)
class DecisionTable:
    """Rows are tried in order; the first whose conditions all hold gives the group."""

    id: str
    label: str
    rows: tuple[DecisionRow, ...]
    source: str


@dataclass(frozen=True)
class ChangeRule:
    """A change threshold on one score (or on each item, ``per_item=True``, PSFS).

    ``points`` and ``percent`` are magnitudes of change in the ``improvement`` direction;
    ``combine`` says whether either or both must be reached. ``requires_band_change`` adds
    ePPOC's "... coupled with a move to a different band". ``baseline`` restricts the rule to
    baselines inside an interval (PCS MIC 11 when baseline > 30); ``target`` is a post-treatment
    interval (PHQ-9 remission < 5).
    """

    id: str
    score: str
    kind: str
    improvement: str  # "decrease" | "increase"
    source: str
    evidence: str = "verified"
    points: float | None = None
    percent: float | None = None
    inclusive: bool = True  # ">= points" (True) or "> points" (False)
    combine: str = "either"  # "either" | "both"
    requires_band_change: bool = False
    baseline: Interval | None = None
    target: Interval | None = None
    per_item: bool = False
    note: str = ""


@dataclass(frozen=True)
class ReliableChangeParameters:
    """Inputs for the Jacobson-Truax RCI (instruments.md §23), as plain numbers."""

    score: str
    source: str
    evidence: str = "verified"
    sd: float | None = None
    reliability: float | None = None
    sem: float | None = None  # SE of measurement, = SD * sqrt(1 - r); S_diff = sqrt(2) * SEM
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "sd": self.sd,
            "reliability": self.reliability,
            "sem": self.sem,
            "source": self.source,
            "evidence": self.evidence,
            "note": self.note,
        }


@dataclass(frozen=True)
class Norm:
    score: str
    population: str
    mean: float
    source: str
    sd: float | None = None
    n: int | None = None
    evidence: str = "verified"


@dataclass(frozen=True)
class Licence:
    status: str  # one of LICENCE_STATUSES
    holder: str
    url: str
    item_text_bundled: bool
    note: str
    source: str
    evidence: str = "verified"


@dataclass(frozen=True)
class LoincCode:
    code: str
    kind: str  # "panel" | "score" | "item"
    ref: str | None  # score id or item id; for a panel, the score it reports (None: the instrument)
    display: str
    source: str
    evidence: str = "secondary"


@dataclass(frozen=True)
class NotApplicablePolicy:
    """What the answer "NA" (does not apply) means. Without a policy "NA" is invalid input."""

    treat_as: str  # "missing" (CARE, ODI) | "code" (RMDQ: scored as "no")
    source: str
    code: int | None = None
    items: tuple[str, ...] | None = None  # None: every item
    evidence: str = "verified"


@dataclass(frozen=True)
class MultipleMarkedPolicy:
    """What an item with more than one answer marked means; the answer is then a list of codes.

    ``rule="highest"``: the highest marked code counts (ODI: "If two statements are marked,
    record the higher one"). Without a policy a list of answers is invalid input.
    """

    rule: str  # one of MULTIPLE_MARKED_RULES
    source: str
    evidence: str = "verified"


@dataclass(frozen=True)
class Instrument:
    key: str
    version: str
    name: str
    short_name: str
    citation: str
    reference: str  # section of shared/reference/instruments.md
    licence: Licence
    direction: str
    items: tuple[Item, ...]
    scores: tuple[ScoreRule, ...]
    primary: str | None  # the score reported as ``total``; None: subscales only (FABQ, DASS-21)
    instructions: str | None = None  # stem text, only where the licence allows
    flags: tuple[FlagRule, ...] = ()
    classification: DecisionTable | None = None
    not_applicable: NotApplicablePolicy | None = None
    multiple_marked: MultipleMarkedPolicy | None = None
    # whole-form limit on missing items (GCQ-S: more than 4 missing = invalid)
    overall_missing: MissingRule | None = None
    change: tuple[ChangeRule, ...] = ()
    rci: tuple[ReliableChangeParameters, ...] = ()
    norms: tuple[Norm, ...] = ()
    loinc: tuple[LoincCode, ...] = ()
    policy_notes: tuple[str, ...] = ()
    unverified: tuple[str, ...] = ()
    _items_by_id: Mapping[str, Item] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index = {item.id.upper(): item for item in self.items}
        object.__setattr__(self, "_items_by_id", MappingProxyType(index))

    def __hash__(self) -> int:  # the generated hash would trip over the label mappings
        return hash((self.key, self.version))

    # -- lookups -------------------------------------------------------------------------------
    def item(self, item_id: str | int) -> Item | None:
        return self._items_by_id.get(str(item_id).strip().upper())

    def score_rule(self, score_id: str) -> ScoreRule | None:
        return next((rule for rule in self.scores if rule.id == score_id), None)

    def score_direction(self, score_id: str) -> str:
        rule = self.score_rule(score_id)
        return (rule.direction if rule and rule.direction else None) or self.direction

    def change_parameters(self) -> dict[str, Any]:
        """Change thresholds, RCI inputs and norms as plain JSON-ready data.

        ``rci`` maps a score id to ``{"sd", "reliability", "sem", "source", ...}`` and is present
        only where instruments.md gives the numbers; pass them to
        ``assessment.instruments.change.reliable_change_index``.
        """
        return {
            "thresholds": [to_data(rule) for rule in self.change],
            "rci": {params.score: params.as_dict() for params in self.rci},
            "norms": [to_data(norm) for norm in self.norms],
        }

    def score(self, answers: Mapping[Any, Any]) -> Score | Unscorable:
        """Score one administration (see ``scoring.score_answers``)."""
        from .scoring import score_answers  # the scorer imports this module

        return score_answers(self, answers)


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


class InvalidAnswer(ValueError):
    """An answer that cannot come from the form: unknown item, out of range, wrong type.

    Bad input, not an unscorable questionnaire: the caller must fix the data.
    """

    def __init__(self, instrument: str, item: str, message: str, allowed: str = "") -> None:
        self.instrument = instrument
        self.item = item
        self.allowed = allowed
        super().__init__(message)


@dataclass(frozen=True)
class BandResult:
    score: str  # the score (or decision table) the band belongs to
    name: str
    label: str
    level: int
    bounds: str
    source: str
    evidence: str


@dataclass(frozen=True)
class FlagResult:
    id: str
    label: str
    state: str  # "positive" | "negative" | "unknown"
    value: float | int | None
    message: str
    source: str


@dataclass(frozen=True)
class Score:
    key: str
    version: str
    total: float | int | None  # the primary score; None for subscale-only instruments
    subscales: Mapping[str, float | int]
    band: BandResult | None  # primary band, or the decision-table group
    derived: Mapping[str, float | int]
    flags: Mapping[str, FlagResult]
    answered: int
    missing_items: tuple[str, ...]
    sources: tuple[str, ...]
    bands: Mapping[str, BandResult] = field(default_factory=dict)  # band of every banded score
    unscorable_parts: Mapping[str, str] = field(default_factory=dict)  # score id -> reason
    notes: tuple[str, ...] = ()  # e.g. "Total prorated from 8 of 9 answered items."
    # score id -> {"raw_sum": .., "max_possible": .., "item_mean": ..}, as its rule's ``report`` asks
    details: Mapping[str, Mapping[str, float | int]] = field(default_factory=dict)
    # Results that are words or codes, not numbers: the EQ-5D-5L health profile ("21345") and the
    # name of the value set its index came from. Empty for every other instrument.
    texts: Mapping[str, str] = field(default_factory=dict)

    @property
    def scorable(self) -> bool:
        return True


@dataclass(frozen=True)
class Unscorable:
    key: str
    reason: str  # shown to the clinician verbatim
    version: str = ""
    flags: Mapping[str, FlagResult] = field(default_factory=dict)  # never lost (PHQ-9 item 9)
    derived: Mapping[str, float | int] = field(default_factory=dict)
    missing_items: tuple[str, ...] = ()
    # bands of the derived scores that could be scored (a PHQ-2 given on its own: its screen)
    bands: Mapping[str, BandResult] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def scorable(self) -> bool:
        return False


# --------------------------------------------------------------------------------------------
# Plain data export and a stable hash (a signed administration stores key + version + hash)
# --------------------------------------------------------------------------------------------


def as_number(value: Fraction) -> float | int:
    """Exact value -> ``int`` when whole, else ``float`` (what results and JSON carry)."""
    return int(value) if value.denominator == 1 else float(value)


def to_data(obj: Any) -> Any:
    """Definition or result -> JSON-ready plain data (dicts, lists, str, numbers, bools, None)."""
    if is_dataclass(obj) and not isinstance(obj, type):
        return {
            f.name: to_data(getattr(obj, f.name)) for f in fields(obj) if not f.name.startswith("_")
        }
    if isinstance(obj, Mapping):
        return {str(k): to_data(v) for k, v in obj.items()}
    if isinstance(obj, Iterable) and not isinstance(obj, str | bytes):
        return [to_data(v) for v in obj]
    if isinstance(obj, Fraction):
        return as_number(obj)
    return obj


def definition_hash(instrument: Instrument) -> str:
    """SHA-256 of the canonical JSON of the definition: any change to a rule changes the hash."""
    canonical = json.dumps(
        to_data(instrument), sort_keys=True, separators=(",", ":"), ensure_ascii=True
    )
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


# --------------------------------------------------------------------------------------------
# Small builders that keep the definition modules short
# --------------------------------------------------------------------------------------------


def items_on_scale(
    ids: Iterable[int | str],
    scale: ResponseScale,
    *,
    source: str,
    reverse: Iterable[int | str] = (),
    labels: Mapping[str, str] | None = None,
    texts: Mapping[str, str] | None = None,
    unscored: Iterable[int | str] = (),
) -> tuple[Item, ...]:
    """Items sharing one response scale; labels default to the neutral "Item n"."""
    reverse_ids = {str(i) for i in reverse}
    unscored_ids = {str(i) for i in unscored}
    built = []
    for raw_id in ids:
        item_id = str(raw_id)
        built.append(
            Item(
                id=item_id,
                label=(labels or {}).get(item_id, f"Item {item_id}"),
                scale=scale,
                source=source,
                reverse=item_id in reverse_ids,
                scored=item_id not in unscored_ids,
                text=(texts or {}).get(item_id),
            )
        )
    return tuple(built)


def ids(*numbers: int | str) -> tuple[str, ...]:
    return tuple(str(n) for n in numbers)


REFUSE = "refuse"
PRORATE = "prorate_mean"


def no_missing(source: str, evidence: str = "policy") -> MissingRule:
    return MissingRule(0, REFUSE, source, evidence)
