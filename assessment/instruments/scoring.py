"""The scorer: one pure function that interprets an ``Instrument`` definition.

``score_answers(instrument, answers)`` parses the raw answers (``InvalidAnswer`` on bad input),
applies each item's NA policy, recode and reversal, computes every score with its missing-data
rule, then flags, bands and the decision table. Arithmetic is exact (``Fraction``) so that a
prorated 9.999... never lands in the wrong band; results are ``int`` when whole, else ``float``.

Rules and sources: shared/reference/instruments.md; the data model is in ``base.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from painclinic.numbers import parse_int

from .base import (
    NA,
    BandResult,
    FlagResult,
    Instrument,
    InvalidAnswer,
    Item,
    Score,
    ScoreRule,
    Unscorable,
    as_number,
)


def _item(instrument: Instrument, item_id: str) -> Item:
    item = instrument.item(item_id)
    if item is None:  # pragma: no cover - validation rejects scores over unknown items
        raise KeyError(f"{instrument.key}: unknown item {item_id!r}")
    return item


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _parse_answer(instrument: Instrument, item: Item, value: Any) -> int | str | None:
    """Raw answer -> int code, ``NA`` or ``None`` (unanswered). Raises ``InvalidAnswer``."""
    where = f"{instrument.short_name} item {item.id}"
    allowed = item.scale.describe()
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return None
    if isinstance(value, str) and value.strip().upper() == NA:
        policy = instrument.not_applicable
        if policy is None or (policy.items is not None and item.id not in policy.items):
            raise InvalidAnswer(
                instrument.key,
                item.id,
                f"{where}: 'does not apply' (NA) is not an allowed answer; allowed: {allowed}.",
                allowed,
            )
        return NA
    code: int
    if isinstance(value, bool):
        raise InvalidAnswer(
            instrument.key,
            item.id,
            f"{where}: {value!r} is not a number; allowed: {allowed}.",
            allowed,
        )
    if isinstance(value, int):
        code = value
    elif isinstance(value, float) and value.is_integer():
        code = int(value)
    elif isinstance(value, str) and (parsed := parse_int(value)) is not None:
        code = parsed  # ASCII digits only: "²" and 5,000 digits are refused, not a 500
    else:
        raise InvalidAnswer(
            instrument.key,
            item.id,
            f"{where}: {value!r} is not a whole number; allowed: {allowed}.",
            allowed,
        )
    if not item.scale.min <= code <= item.scale.max:
        raise InvalidAnswer(
            instrument.key,
            item.id,
            f"{where}: {code} is out of range; allowed: {allowed}.",
            allowed,
        )
    return code


def _parse_marked(
    instrument: Instrument, item: Item, values: list[Any] | tuple[Any, ...]
) -> tuple[int | None, tuple[int, ...]]:
    """Several answers marked on one item: the definition's rule picks the one that counts.

    ODI: "If two statements are marked, record the higher one" (instruments.md §11 [S:3]).
    Without a policy a list is bad input. An empty list is unanswered.
    """
    where = f"{instrument.short_name} item {item.id}"
    if instrument.multiple_marked is None:
        raise InvalidAnswer(
            instrument.key,
            item.id,
            f"{where}: give one answer, not a list; allowed: {item.scale.describe()}.",
            item.scale.describe(),
        )
    codes = []
    for value in values:
        code = _parse_answer(instrument, item, value)
        if not isinstance(code, int):
            raise InvalidAnswer(
                instrument.key,
                item.id,
                f"{where}: every marked answer must be a code {item.scale.describe()} "
                f"(got {value!r}).",
                item.scale.describe(),
            )
        codes.append(code)
    distinct = tuple(sorted(set(codes)))
    # MULTIPLE_MARKED_RULES has one rule, "highest"; validation refuses any other.
    return (distinct[-1] if distinct else None), distinct


def parse_answers(
    instrument: Instrument,
    answers: Mapping[Any, Any],
    marked: dict[str, tuple[int, ...]] | None = None,
) -> dict[str, int | str | None]:
    """Normalise a mapping item-id (str or int, as printed) -> raw code | None | "NA".

    Every item of the instrument appears in the result; absent items are ``None`` (unanswered).
    An item given as a list of marked codes is resolved by the definition's ``multiple_marked``
    policy; ``marked`` (if given) collects item id -> the codes that were marked.
    """
    if not isinstance(answers, Mapping):
        raise InvalidAnswer(
            instrument.key, "answers", "Answers must be a mapping of item number to answer."
        )
    parsed: dict[str, int | str | None] = {item.id: None for item in instrument.items}
    seen: set[str] = set()
    for key, value in answers.items():
        item = (
            instrument.item(key)
            if isinstance(key, str | int) and not isinstance(key, bool)
            else None
        )
        if item is None:
            ids = ", ".join(i.id for i in instrument.items)
            raise InvalidAnswer(
                instrument.key,
                str(key),
                f"{instrument.short_name} has no item {key!r}; its items are {ids}.",
                ids,
            )
        if item.id in seen:
            raise InvalidAnswer(
                instrument.key, item.id, f"{instrument.short_name} item {item.id} is given twice."
            )
        seen.add(item.id)
        if isinstance(value, list | tuple):
            parsed[item.id], codes = _parse_marked(instrument, item, value)
            if marked is not None and len(codes) > 1:
                marked[item.id] = codes
        else:
            parsed[item.id] = _parse_answer(instrument, item, value)
    return parsed


def _scored_values(
    instrument: Instrument, parsed: Mapping[str, int | str | None]
) -> dict[str, Fraction | None]:
    """Item id -> scored value (after NA policy, recode and reversal), or None if missing."""
    values: dict[str, Fraction | None] = {}
    policy = instrument.not_applicable
    for item in instrument.items:
        raw = parsed[item.id]
        if raw == NA:
            assert policy is not None  # guaranteed by _parse_answer
            raw = policy.code if policy.treat_as == "code" else None
        values[item.id] = None if raw is None else item.scored_value(int(raw))
    return values


def _missing_detail(
    missing: list[str], parsed: Mapping[str, int | str | None], limit: int, scope: str = ""
) -> str:
    any_na = any(parsed[item_id] == NA for item_id in missing)
    what = "unanswered or marked 'does not apply'" if any_na else "unanswered"
    listed = f" ({', '.join(missing)})" if missing else ""
    return f"{_plural(len(missing), 'item')} {what}{listed}; at most {limit} may be missing{scope}"


def _aggregate(rule: ScoreRule, instrument: Instrument, answered: dict[str, Fraction]) -> Fraction:
    n_items = len(rule.items)
    total = sum(answered.values(), Fraction(0))
    if rule.aggregate == "sum":
        # prorate_mean: each missing item takes the mean of the answered items (NHS PHQ-9 rule)
        value = total if len(answered) == n_items else total / len(answered) * n_items
    elif rule.aggregate == "mean":
        value = total / len(answered)
    elif rule.aggregate == "percent_of_answered_max":
        # ODI: total / (max per section x sections answered) x 100 (instruments.md §11 [S:1][S:3])
        maximum = sum((_item(instrument, i).scored_range()[1] for i in answered), Fraction(0))
        value = total / maximum * 100
    else:  # pragma: no cover - validation rejects unknown aggregates
        raise ValueError(f"unknown aggregate {rule.aggregate!r}")
    return value * Fraction(rule.multiplier).limit_denominator(10**6)


def _details(
    rule: ScoreRule, instrument: Instrument, answered: Mapping[str, Fraction]
) -> dict[str, float | int]:
    """The numbers a rule reports beside its score, over the answered items only: the raw sum
    and the most those items could give (ODI: 16 of 45 with one section skipped) and the mean per
    item (WAI-SR's 1-5 metric)."""
    raw_sum = sum(answered.values(), Fraction(0))
    values = {
        "raw_sum": raw_sum,
        "max_possible": sum(
            (_item(instrument, i).scored_range()[1] for i in answered), Fraction(0)
        ),
        "item_mean": raw_sum / len(answered),
    }
    return {name: as_number(values[name]) for name in rule.report}


def band_for(rule: ScoreRule, value: Fraction) -> BandResult | None:
    """The band of ``rule`` that holds ``value`` (None when the rule has no bands)."""
    return _band_for(rule, value)


def _band_for(rule: ScoreRule, value: Fraction) -> BandResult | None:
    for band in rule.bands:
        if band.interval.contains(value):
            return BandResult(
                rule.id,
                band.name,
                band.label,
                band.level,
                band.interval.describe(),
                band.source,
                band.evidence,
            )
    return None


def _subject(instrument: Instrument, rule: ScoreRule) -> str:
    if rule.id == instrument.primary:
        return instrument.short_name
    if rule.role == "derived":
        return rule.label
    return f"{instrument.short_name} {rule.label}"


class _Sources(list[str]):
    """Sources of every rule applied, in order of first use."""

    def cite(self, source: str) -> None:
        if source and source not in self:
            self.append(source)


def _compute_scores(
    instrument: Instrument,
    parsed: Mapping[str, int | str | None],
    values: Mapping[str, Fraction | None],
    sources: _Sources,
) -> tuple[dict[str, Fraction], dict[str, str], list[str]]:
    """Every score that its missing-data rule allows: (results, why-not details, notes)."""
    results: dict[str, Fraction] = {}
    details: dict[str, str] = {}
    notes: list[str] = []
    for rule in instrument.scores:
        missing = [i for i in rule.items if values[i] is None]
        answered = {i: v for i in rule.items if (v := values[i]) is not None}
        if len(missing) > rule.missing.max_missing or not answered:
            details[rule.id] = _missing_detail(missing, parsed, rule.missing.max_missing)
            continue
        results[rule.id] = _aggregate(rule, instrument, answered)
        sources.cite(rule.source)
        for item_id in rule.items:
            item = _item(instrument, item_id)
            if item.reverse or item.recode is not None:
                sources.cite(item.source)
        if missing:
            sources.cite(rule.missing.source)
            if rule.aggregate == "percent_of_answered_max":
                # ODI: a skipped section is left out of the maximum, not estimated (§11 [S:3]).
                how = "left out; the percentage is of the most the answered items could give"
            else:
                how = "estimated from the mean of the answered items"
            notes.append(
                f"{_subject(instrument, rule)}: {len(answered)} of {len(rule.items)} items "
                f"answered; missing {', '.join(missing)} {how}."
            )
    return results, details, notes


def _evaluate_flags(
    instrument: Instrument,
    parsed: Mapping[str, int | str | None],
    results: Mapping[str, Fraction],
    sources: _Sources,
) -> dict[str, FlagResult]:
    """Every flag, whatever happens to the scores: a safety item is never lost, and a value that
    is not there is "unknown", never "negative" (PHQ-9 item 9, instruments.md §13)."""
    flags: dict[str, FlagResult] = {}
    for flag in instrument.flags:
        value: Fraction | None
        if flag.kind == "item":
            raw = parsed.get(flag.target)
            value = None if raw is None or raw == NA else Fraction(int(raw))
        else:
            value = results.get(flag.target)
        if value is None:
            state = "unknown"
        else:
            state = "positive" if flag.when.contains(value) else "negative"
        shown = None if value is None else as_number(value)
        flags[flag.id] = FlagResult(flag.id, flag.label, state, shown, flag.message, flag.source)
        sources.cite(flag.source)
    return flags


def _classify(
    instrument: Instrument, results: Mapping[str, Fraction], sources: _Sources
) -> BandResult | None:
    """The first decision-table row whose conditions all hold (STarT Back risk group)."""
    table = instrument.classification
    if table is None:
        return None
    for row in table.rows:
        if all(sid in results and iv.contains(results[sid]) for sid, iv in row.conditions.items()):
            sources.cite(table.source)
            sources.cite(row.source)
            return BandResult(
                table.id, row.name, row.label, row.level, "", row.source, row.evidence
            )
    return None  # validation proves every combination is classified


def score_answers(instrument: Instrument, answers: Mapping[Any, Any]) -> Score | Unscorable:
    """Score one administration. Raises ``InvalidAnswer`` on bad input; returns ``Unscorable``
    (with a reason for the clinician, and any flags) when the rules say it cannot be scored."""
    marked: dict[str, tuple[int, ...]] = {}
    parsed = parse_answers(instrument, answers, marked)
    values = _scored_values(instrument, parsed)
    scored_items = [item.id for item in instrument.items if item.scored]
    missing_items = tuple(item_id for item_id in scored_items if values[item_id] is None)
    sources = _Sources()
    results, details, notes = _compute_scores(instrument, parsed, values, sources)
    flags = _evaluate_flags(instrument, parsed, results, sources)
    derived = {
        rule.id: as_number(results[rule.id])
        for rule in instrument.scores
        if rule.role == "derived" and rule.id in results
    }
    reasons = {
        rule.id: f"{_subject(instrument, rule)} cannot be scored: {details[rule.id]}."
        for rule in instrument.scores
        if rule.id in details
    }

    policy = instrument.multiple_marked
    if marked and policy is not None:
        sources.cite(policy.source)
        for item_id, codes in marked.items():
            shown = ", ".join(str(c) for c in codes[:-1]) + f" and {codes[-1]}"
            notes.insert(
                0,
                f"{instrument.short_name} item {item_id} ({_item(instrument, item_id).label}): "
                f"answers {shown} were marked; the higher ({codes[-1]}) counts, as the form says.",
            )

    bands: dict[str, BandResult] = {}
    for rule in instrument.scores:
        found = _band_for(rule, results[rule.id]) if rule.id in results else None
        if found is not None:
            bands[rule.id] = found

    def unscorable(reason: str, derived: Mapping[str, float | int]) -> Unscorable:
        # A short form given on its own (PHQ-2, GAD-2) keeps its score and its screen.
        derived_bands = {sid: bands[sid] for sid in derived if sid in bands}
        short_forms = tuple(
            f"{rule.label} (items {', '.join(rule.items[:-1])} and {rule.items[-1]}) scored on its own: "
            f"{derived[rule.id]}, {derived_bands[rule.id].label.lower()}."
            for rule in instrument.scores
            if rule.id in derived_bands
        )
        return Unscorable(
            instrument.key,
            reason,
            instrument.version,
            flags,
            derived,
            missing_items,
            derived_bands,
            (*notes, *short_forms),
        )

    overall = instrument.overall_missing  # whole-form limit (GCQ-S)
    if overall is not None and len(missing_items) > overall.max_missing:
        scope = " in the whole questionnaire"
        detail = _missing_detail(list(missing_items), parsed, overall.max_missing, scope)
        return unscorable(f"{instrument.short_name} cannot be scored: {detail}.", {})
    primary = instrument.primary
    if primary is not None and primary not in results:
        return unscorable(reasons[primary], derived)
    if primary is None and not results:
        parts = " ".join(
            f"{rule.label[:1].upper()}{rule.label[1:]}: {details[rule.id]}."
            for rule in instrument.scores
            if rule.role != "derived"
        )
        return unscorable(f"{instrument.short_name} cannot be scored. {parts}", derived)

    for found in bands.values():
        sources.cite(found.source)
    band = _classify(instrument, results, sources) if instrument.classification else None
    if band is None and primary is not None:
        band = bands.get(primary)

    return Score(
        key=instrument.key,
        version=instrument.version,
        total=as_number(results[primary]) if primary else None,
        subscales={
            rule.id: as_number(results[rule.id])
            for rule in instrument.scores
            if rule.role == "subscale" and rule.id in results
        },
        band=band,
        derived=derived,
        flags=flags,
        answered=len(scored_items) - len(missing_items),
        missing_items=missing_items,
        sources=tuple(sources),
        bands=bands,
        unscorable_parts={sid: reason for sid, reason in reasons.items() if sid != primary},
        notes=tuple(notes),
        details={
            rule.id: _details(
                rule, instrument, {i: v for i in rule.items if (v := values[i]) is not None}
            )
            for rule in instrument.scores
            if rule.report and rule.id in results
        },
    )
