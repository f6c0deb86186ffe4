"""Checks that a definition is internally consistent, with stable problem codes.

``definition_problems(instrument)`` returns a list of ``Problem(code, message)``; an empty list
means the definition is sound. The Django system check (assessment/checks.py, written by the lead)
turns each problem into a ``checks.Error`` with the same id, so ``manage.py check`` fails in CI on a
broken definition (STYLE.md §3.3).

Codes are stable: add new ones at the end, never renumber.

- assessment.E001  a rule has no source (or an unknown evidence level)
- assessment.E002  bands of a score do not cover its range, overlap, or fall outside it
- assessment.E003  a score, reverse flag or recode refers to an unknown item, or lists an item twice
- assessment.E004  an item's response scale, recode table or reverse flag is inconsistent
- assessment.E005  a missing-data rule is impossible (negative, refuse with a limit, no item left)
- assessment.E006  a score's declared range differs from the range its items give
- assessment.E007  a flag refers to an unknown item/score or can never be raised
- assessment.E008  a decision table refers to an unknown score or leaves a combination unclassified
- assessment.E009  a change rule is inconsistent (unknown score, direction, no magnitude)
- assessment.E010  licence data incomplete, or item text bundled against the licence
- assessment.E011  a LOINC code is malformed (check digit) or refers to nothing
- assessment.E012  identity fields invalid: key, version, direction, role, aggregate, duplicate ids
- assessment.E013  the primary score is missing, or an item is (un)scored inconsistently
- assessment.E014  a "does not apply" policy is inconsistent
- assessment.E015  RCI parameters or norms are out of range or refer to an unknown score
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from fractions import Fraction

from .base import (
    AGGREGATES,
    CHANGE_KINDS,
    DIRECTIONS,
    EVIDENCE_LEVELS,
    FLAG_KINDS,
    LICENCE_STATUSES,
    LOINC_KINDS,
    MISSING_METHODS,
    NA_TREATMENTS,
    ROLES,
    Band,
    Instrument,
    Interval,
    Item,
    ScoreRule,
)


@dataclass(frozen=True)
class Problem:
    code: str
    message: str


KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
LOINC_PATTERN = re.compile(r"^(\d{1,7})-(\d)$")
ENUMERATION_LIMIT = 20_000  # decision tables over more score combinations are not enumerated


def loinc_check_digit(number: str) -> int:
    """LOINC's mod-10 check digit for the part before the hyphen (LOINC Users' Guide, appendix)."""
    digits = number[::-1]
    odd = "".join(str(int(d) * 2) for d in digits[0::2])[::-1]  # positions 1, 3, ... from the right
    even = digits[1::2][::-1]
    total = sum(int(d) for d in even + odd)
    return (10 - total % 10) % 10


def _item_ok(item: Item) -> bool:
    """Can the item be scored at all (a non-empty scale, a recode for every code)?"""
    scale = item.scale
    if scale.min > scale.max:
        return False
    return item.recode is None or all(code in item.recode for code in range(scale.min, scale.max + 1))


def score_range(instrument: Instrument, rule: ScoreRule) -> tuple[Fraction, Fraction] | None:
    """The range a score can take, computed from its items; None if an item is unknown or broken."""
    ranges = []
    for item_id in rule.items:
        item = instrument.item(item_id)
        if item is None or not _item_ok(item):
            return None
        ranges.append(item.scored_range())
    if not ranges:
        return None
    multiplier = Fraction(rule.multiplier).limit_denominator(10**6)
    if rule.aggregate == "sum":
        low, high = sum(r[0] for r in ranges), sum(r[1] for r in ranges)
    elif rule.aggregate == "mean":
        low, high = min(r[0] for r in ranges), max(r[1] for r in ranges)
    else:  # percent_of_answered_max
        low, high = Fraction(0), Fraction(100)
    return low * multiplier, high * multiplier


def _sourced(problems: list[Problem], where: str, source: str, evidence: str) -> None:
    if not source or not source.strip():
        problems.append(Problem("assessment.E001", f"{where} has no source."))
    if evidence not in EVIDENCE_LEVELS:
        problems.append(
            Problem("assessment.E001", f"{where} has evidence level {evidence!r}; use one of {', '.join(EVIDENCE_LEVELS)}.")
        )


def is_integer_valued(instrument: Instrument, rule: ScoreRule) -> bool:
    """True when the score can only be a whole number: a sum of whole-number item scores with
    no proration and a whole-number multiplier. Bands of such scores are checked at every whole
    number ("0-4", "5-9" is complete); other scores must be covered as a continuum."""
    if rule.aggregate != "sum" or rule.missing.max_missing or Fraction(rule.multiplier).denominator != 1:
        return False
    for item_id in rule.items:
        item = instrument.item(item_id)
        if item is None or not _item_ok(item) or any(v.denominator != 1 for v in item.scored_range()):
            return False
        if item.recode is not None and any(Fraction(v).denominator != 1 for v in item.recode.values()):
            return False
    return True


def _check_bands(
    problems: list[Problem], where: str, bands: tuple[Band, ...], low: Fraction, high: Fraction, *, integer: bool
) -> None:
    names = [band.name for band in bands]
    if len(set(names)) != len(names):
        problems.append(Problem("assessment.E002", f"{where}: band names repeat ({', '.join(names)})."))
    ordered = sorted(bands, key=lambda b: (b.min, not b.min_inclusive))
    for band in ordered:
        empty = band.min > band.max or (band.min == band.max and not (band.min_inclusive and band.max_inclusive))
        if empty:
            problems.append(Problem("assessment.E002", f"{where}: band {band.name!r} ({band.interval.describe()}) is empty."))
        if band.min < low or band.max > high:
            problems.append(
                Problem(
                    "assessment.E002",
                    f"{where}: band {band.name!r} ({band.interval.describe()}) lies outside the score range "
                    f"{_n(low)}-{_n(high)}.",
                )
            )
    if not ordered:
        return
    if integer:
        for value in range(int(low), int(high) + 1):
            holders = [band.name for band in ordered if band.interval.contains(value)]
            if not holders:
                problems.append(Problem("assessment.E002", f"{where}: no band covers the score {value}."))
                return
            if len(holders) > 1:
                problems.append(Problem("assessment.E002", f"{where}: bands {holders} overlap at the score {value}."))
                return
        return
    first, last = ordered[0], ordered[-1]
    if first.min != low or not first.min_inclusive:
        problems.append(Problem("assessment.E002", f"{where}: bands do not cover the bottom of the range ({_n(low)})."))
    if last.max != high or not last.max_inclusive:
        problems.append(Problem("assessment.E002", f"{where}: bands do not cover the top of the range ({_n(high)})."))
    for before, after in itertools.pairwise(ordered):
        if after.min > before.max or (after.min == before.max and not before.max_inclusive and not after.min_inclusive):
            problems.append(
                Problem(
                    "assessment.E002",
                    f"{where}: gap between band {before.name!r} ({before.interval.describe()}) and "
                    f"{after.name!r} ({after.interval.describe()}); this score can take values in between.",
                )
            )
        elif after.min < before.max or (after.min == before.max and before.max_inclusive and after.min_inclusive):
            problems.append(
                Problem(
                    "assessment.E002",
                    f"{where}: band {before.name!r} ({before.interval.describe()}) overlaps "
                    f"{after.name!r} ({after.interval.describe()}).",
                )
            )


def _n(value: Fraction | float) -> str:
    value = Fraction(value)
    return str(value.numerator) if value.denominator == 1 else str(float(value))


def _check_identity(problems: list[Problem], ins: Instrument) -> None:
    if not KEY_PATTERN.match(ins.key or ""):
        problems.append(Problem("assessment.E012", f"instrument key {ins.key!r} must be lower-case letters/digits/_."))
    for attr in ("version", "name", "short_name", "citation", "reference"):
        if not str(getattr(ins, attr) or "").strip():
            problems.append(Problem("assessment.E012", f"{ins.key}: {attr} is empty."))
    if ins.direction not in DIRECTIONS:
        problems.append(Problem("assessment.E012", f"{ins.key}: direction {ins.direction!r} is not one of {DIRECTIONS}."))
    item_ids = [item.id.upper() for item in ins.items]
    if len(set(item_ids)) != len(item_ids):
        problems.append(Problem("assessment.E012", f"{ins.key}: item ids repeat."))
    score_ids = [rule.id for rule in ins.scores]
    if len(set(score_ids)) != len(score_ids):
        problems.append(Problem("assessment.E012", f"{ins.key}: score ids repeat."))
    if not ins.items or not ins.scores:
        problems.append(Problem("assessment.E012", f"{ins.key}: a definition needs items and scores."))


def _check_items(problems: list[Problem], ins: Instrument) -> None:
    for item in ins.items:
        where = f"{ins.key} item {item.id}"
        _sourced(problems, where, item.source, "verified")
        if not item.label.strip():
            problems.append(Problem("assessment.E004", f"{where} has no label."))
        scale = item.scale
        if scale.min > scale.max:
            problems.append(Problem("assessment.E004", f"{where}: scale min {scale.min} > max {scale.max}."))
            continue
        outside = [code for code in scale.labels if not scale.min <= code <= scale.max]
        if outside:
            problems.append(Problem("assessment.E004", f"{where}: labels for codes outside the scale: {outside}."))
        if item.recode is not None:
            if item.reverse:
                problems.append(Problem("assessment.E004", f"{where} is both recoded and reversed; recode it only."))
            uncovered = [c for c in range(scale.min, scale.max + 1) if c not in item.recode]
            if uncovered:
                problems.append(Problem("assessment.E004", f"{where}: recode table misses codes {uncovered}."))
            extra = [c for c in item.recode if not scale.min <= c <= scale.max]
            if extra:
                problems.append(Problem("assessment.E003", f"{where}: recode table has codes outside the scale: {extra}."))
        if item.reverse and scale.min == scale.max:
            problems.append(Problem("assessment.E004", f"{where} is reversed on a one-point scale."))
        if item.text is not None and not ins.licence.item_text_bundled:
            problems.append(
                Problem("assessment.E010", f"{where} carries item text but the licence says text is not bundled.")
            )


def _check_scores(problems: list[Problem], ins: Instrument) -> None:
    used: set[str] = set()
    for rule in ins.scores:
        where = f"{ins.key} score {rule.id!r}"
        _sourced(problems, where, rule.source, rule.evidence)
        _sourced(problems, f"{where} missing-data rule", rule.missing.source, rule.missing.evidence)
        if rule.role not in ROLES:
            problems.append(Problem("assessment.E012", f"{where}: role {rule.role!r} is not one of {ROLES}."))
        if rule.direction is not None and rule.direction not in DIRECTIONS:
            problems.append(Problem("assessment.E012", f"{where}: direction {rule.direction!r} is not one of {DIRECTIONS}."))
        unknown = [i for i in rule.items if ins.item(i) is None]
        if unknown:
            problems.append(Problem("assessment.E003", f"{where} refers to unknown items {unknown}."))
        if len(set(rule.items)) != len(rule.items):
            problems.append(Problem("assessment.E003", f"{where} lists an item twice."))
        if not rule.items:
            problems.append(Problem("assessment.E003", f"{where} has no items."))
        for item_id in rule.items:
            item = ins.item(item_id)
            if item is not None and not item.scored:
                problems.append(Problem("assessment.E013", f"{where} uses item {item_id}, which is marked unscored."))
            if item is not None:
                used.add(item.id)
        if rule.aggregate not in AGGREGATES:
            problems.append(Problem("assessment.E012", f"{where}: aggregate {rule.aggregate!r} is not one of {AGGREGATES}."))
            continue
        missing = rule.missing
        if missing.method not in MISSING_METHODS:
            problems.append(Problem("assessment.E005", f"{where}: missing method {missing.method!r} is not one of {MISSING_METHODS}."))
        if missing.max_missing < 0:
            problems.append(Problem("assessment.E005", f"{where}: max_missing is negative."))
        if missing.method == "refuse" and missing.max_missing != 0:
            problems.append(Problem("assessment.E005", f"{where}: 'refuse' allows no missing items, but max_missing is {missing.max_missing}."))
        if rule.items and missing.max_missing >= len(rule.items):
            problems.append(Problem("assessment.E005", f"{where}: max_missing {missing.max_missing} leaves no answered item."))
        computed = score_range(ins, rule)
        if computed is None:
            continue
        low, high = computed
        if rule.aggregate == "percent_of_answered_max":
            mins = [ins.item(i).scored_range()[0] for i in rule.items if ins.item(i) is not None]  # type: ignore[union-attr]
            if any(m != 0 for m in mins):
                problems.append(Problem("assessment.E004", f"{where}: percent_of_answered_max needs items scored from 0."))
        if (Fraction(rule.range[0]), Fraction(rule.range[1])) != (low, high):
            problems.append(
                Problem(
                    "assessment.E006",
                    f"{where}: declared range {rule.range[0]}-{rule.range[1]} but the items give {_n(low)}-{_n(high)}.",
                )
            )
        for band in rule.bands:
            _sourced(problems, f"{where} band {band.name!r}", band.source, band.evidence)
            if not 0 <= band.level <= 4:
                problems.append(Problem("assessment.E002", f"{where} band {band.name!r}: level {band.level} is outside 0-4."))
        if rule.bands:
            _check_bands(problems, where, rule.bands, low, high, integer=is_integer_valued(ins, rule))
    for item in ins.items:
        if item.scored and item.id not in used:
            problems.append(Problem("assessment.E013", f"{ins.key} item {item.id} is scored but no score uses it."))
    if ins.primary is not None:
        rule = ins.score_rule(ins.primary)
        if rule is None:
            problems.append(Problem("assessment.E013", f"{ins.key}: primary score {ins.primary!r} is not defined."))
        elif rule.role != "total":
            problems.append(Problem("assessment.E013", f"{ins.key}: primary score {ins.primary!r} must have role 'total'."))
    if sum(rule.role == "total" for rule in ins.scores) != (1 if ins.primary else 0):
        problems.append(Problem("assessment.E013", f"{ins.key}: exactly the primary score has role 'total'."))
    if ins.overall_missing is not None:
        _sourced(problems, f"{ins.key} whole-form missing rule", ins.overall_missing.source, ins.overall_missing.evidence)
        if ins.overall_missing.max_missing < 0:
            problems.append(Problem("assessment.E005", f"{ins.key}: whole-form max_missing is negative."))


def _score_interval(ins: Instrument, score_id: str) -> tuple[Fraction, Fraction] | None:
    rule = ins.score_rule(score_id)
    return None if rule is None else score_range(ins, rule)


def _check_flags(problems: list[Problem], ins: Instrument) -> None:
    for flag in ins.flags:
        where = f"{ins.key} flag {flag.id!r}"
        _sourced(problems, where, flag.source, flag.evidence)
        if flag.kind not in FLAG_KINDS:
            problems.append(Problem("assessment.E007", f"{where}: kind {flag.kind!r} is not one of {FLAG_KINDS}."))
            continue
        if flag.kind == "item":
            item = ins.item(flag.target)
            if item is None:
                problems.append(Problem("assessment.E007", f"{where} refers to unknown item {flag.target!r}."))
                continue
            if not _item_ok(item):
                continue  # the item's own problem is reported under E004
            codes = range(item.scale.min, item.scale.max + 1)
            if not any(flag.when.contains(code) for code in codes):
                problems.append(Problem("assessment.E007", f"{where} can never be raised ({flag.when.describe()})."))
        else:
            bounds = _score_interval(ins, flag.target)
            if bounds is None:
                problems.append(Problem("assessment.E007", f"{where} refers to unknown score {flag.target!r}."))
                continue
            if not _reaches(flag.when, *bounds):
                problems.append(Problem("assessment.E007", f"{where} can never be raised ({flag.when.describe()})."))
        if not flag.message.strip():
            problems.append(Problem("assessment.E007", f"{where} has no message for the clinician."))


def _reaches(when: Interval, low: Fraction, high: Fraction) -> bool:
    """Does ``when`` intersect the closed range [low, high]?"""
    if when.min is not None and (when.min > high or (when.min == high and not when.min_inclusive)):
        return False
    return not (when.max is not None and (when.max < low or (when.max == low and not when.max_inclusive)))


def _integer_grid(ins: Instrument, score_id: str) -> list[int] | None:
    rule = ins.score_rule(score_id)
    if rule is None or not is_integer_valued(ins, rule):
        return None
    bounds = score_range(ins, rule)
    if bounds is None:
        return None
    return list(range(int(bounds[0]), int(bounds[1]) + 1))


def _check_classification(problems: list[Problem], ins: Instrument) -> None:
    table = ins.classification
    if table is None:
        return
    where = f"{ins.key} decision table {table.id!r}"
    _sourced(problems, where, table.source, "verified")
    score_ids = sorted({sid for row in table.rows for sid in row.conditions})
    for row in table.rows:
        _sourced(problems, f"{where} row {row.name!r}", row.source, row.evidence)
        unknown = [sid for sid in row.conditions if ins.score_rule(sid) is None]
        if unknown:
            problems.append(Problem("assessment.E008", f"{where} row {row.name!r} refers to unknown scores {unknown}."))
            return
    if any(_score_interval(ins, sid) is None for sid in score_ids):
        return  # a score with unknown or broken items is reported under E003/E004
    grids = [_integer_grid(ins, sid) for sid in score_ids]
    if any(grid is None for grid in grids):
        problems.append(Problem("assessment.E008", f"{where}: rows must use whole-number scores with no missing items."))
        return
    combos = 1
    for grid in grids:
        combos *= len(grid)  # type: ignore[arg-type]
    if combos > ENUMERATION_LIMIT:
        problems.append(Problem("assessment.E008", f"{where}: too many score combinations to check ({combos})."))
        return
    for values in itertools.product(*grids):  # type: ignore[arg-type]
        point = dict(zip(score_ids, values, strict=True))
        if not any(all(iv.contains(point[sid]) for sid, iv in row.conditions.items()) for row in table.rows):
            shown = ", ".join(f"{sid}={val}" for sid, val in point.items())
            problems.append(Problem("assessment.E008", f"{where} classifies nothing for {shown}."))
            return


def _check_change(problems: list[Problem], ins: Instrument) -> None:
    for rule in ins.change:
        where = f"{ins.key} change rule {rule.id!r}"
        _sourced(problems, where, rule.source, rule.evidence)
        score = ins.score_rule(rule.score)
        if score is None:
            problems.append(Problem("assessment.E009", f"{where} refers to unknown score {rule.score!r}."))
            continue
        if rule.kind not in CHANGE_KINDS:
            problems.append(Problem("assessment.E009", f"{where}: kind {rule.kind!r} is not one of {CHANGE_KINDS}."))
        direction = ins.score_direction(rule.score)
        expected = {"higher_is_worse": "decrease", "higher_is_better": "increase"}.get(direction)
        if rule.improvement not in ("decrease", "increase"):
            problems.append(Problem("assessment.E009", f"{where}: improvement must be 'decrease' or 'increase'."))
        elif expected and rule.improvement != expected:
            problems.append(
                Problem("assessment.E009", f"{where}: improvement {rule.improvement!r} contradicts direction {direction!r}.")
            )
        if rule.points is None and rule.percent is None and rule.target is None:
            problems.append(Problem("assessment.E009", f"{where} has no points, percent or target."))
        if (rule.points is not None and rule.points <= 0) or (rule.percent is not None and not 0 < rule.percent <= 100):
            problems.append(Problem("assessment.E009", f"{where}: points must be > 0 and percent in (0, 100]."))
        if rule.combine not in ("either", "both"):
            problems.append(Problem("assessment.E009", f"{where}: combine must be 'either' or 'both'."))
        if rule.requires_band_change and not score.bands:
            problems.append(Problem("assessment.E009", f"{where} requires a band change but the score has no bands."))


def _check_licence_and_codes(problems: list[Problem], ins: Instrument) -> None:
    lic = ins.licence
    _sourced(problems, f"{ins.key} licence", lic.source, lic.evidence)
    if lic.status not in LICENCE_STATUSES:
        problems.append(Problem("assessment.E010", f"{ins.key}: licence status {lic.status!r} is not one of {LICENCE_STATUSES}."))
    if not lic.holder.strip() or not lic.url.strip():
        problems.append(Problem("assessment.E010", f"{ins.key}: licence holder and url are required."))
    if lic.item_text_bundled and lic.status != "free":
        problems.append(Problem("assessment.E010", f"{ins.key}: item text is bundled but the licence status is {lic.status!r}."))
    if ins.instructions and not lic.item_text_bundled:
        problems.append(Problem("assessment.E010", f"{ins.key}: instructions text is present but text is not bundled."))
    for code in ins.loinc:
        where = f"{ins.key} LOINC {code.code}"
        _sourced(problems, where, code.source, code.evidence)
        match = LOINC_PATTERN.match(code.code)
        if not match:
            problems.append(Problem("assessment.E011", f"{where} is not of the form NNNNN-N."))
        elif loinc_check_digit(match.group(1)) != int(match.group(2)):
            problems.append(Problem("assessment.E011", f"{where}: check digit should be {loinc_check_digit(match.group(1))}."))
        if code.kind not in LOINC_KINDS:
            problems.append(Problem("assessment.E011", f"{where}: kind {code.kind!r} is not one of {LOINC_KINDS}."))
        elif code.kind == "item" and (code.ref is None or ins.item(code.ref) is None):
            problems.append(Problem("assessment.E011", f"{where} refers to unknown item {code.ref!r}."))
        elif code.kind in ("score", "panel") and code.ref is not None and ins.score_rule(code.ref) is None:
            problems.append(Problem("assessment.E011", f"{where} refers to unknown score {code.ref!r}."))


def _check_not_applicable(problems: list[Problem], ins: Instrument) -> None:
    policy = ins.not_applicable
    if policy is None:
        return
    where = f"{ins.key} 'does not apply' policy"
    _sourced(problems, where, policy.source, policy.evidence)
    if policy.treat_as not in NA_TREATMENTS:
        problems.append(Problem("assessment.E014", f"{where}: treat_as {policy.treat_as!r} is not one of {NA_TREATMENTS}."))
    targets = [ins.item(i) for i in policy.items] if policy.items is not None else list(ins.items)
    if any(item is None for item in targets):
        problems.append(Problem("assessment.E014", f"{where} refers to unknown items."))
        return
    if policy.treat_as == "code":
        if policy.code is None:
            problems.append(Problem("assessment.E014", f"{where}: treat_as 'code' needs a code."))
        elif any(not t.scale.min <= policy.code <= t.scale.max for t in targets if t is not None):
            problems.append(Problem("assessment.E014", f"{where}: code {policy.code} is outside an item's scale."))


def _check_rci_and_norms(problems: list[Problem], ins: Instrument) -> None:
    for params in ins.rci:
        where = f"{ins.key} RCI parameters for {params.score!r}"
        _sourced(problems, where, params.source, params.evidence)
        if ins.score_rule(params.score) is None:
            problems.append(Problem("assessment.E015", f"{where}: unknown score."))
        if params.sem is None and (params.sd is None or params.reliability is None):
            problems.append(Problem("assessment.E015", f"{where}: give sem, or sd and reliability."))
        if params.reliability is not None and not 0 <= params.reliability < 1:
            problems.append(Problem("assessment.E015", f"{where}: reliability must be in [0, 1)."))
        if any(v is not None and v <= 0 for v in (params.sd, params.sem)):
            problems.append(Problem("assessment.E015", f"{where}: sd and sem must be > 0."))
    for norm in ins.norms:
        where = f"{ins.key} norm {norm.population!r} for {norm.score!r}"
        _sourced(problems, where, norm.source, norm.evidence)
        bounds = _score_interval(ins, norm.score)
        if bounds is None:
            problems.append(Problem("assessment.E015", f"{where}: unknown score."))
        elif not bounds[0] <= Fraction(norm.mean) <= bounds[1] or (norm.sd is not None and norm.sd <= 0):
            problems.append(Problem("assessment.E015", f"{where}: mean outside the score range, or sd <= 0."))


def definition_problems(instrument: Instrument) -> list[Problem]:
    """Every inconsistency found in one definition (empty when it is sound)."""
    problems: list[Problem] = []
    _check_identity(problems, instrument)
    _check_items(problems, instrument)
    _check_scores(problems, instrument)
    _check_flags(problems, instrument)
    _check_classification(problems, instrument)
    _check_change(problems, instrument)
    _check_licence_and_codes(problems, instrument)
    _check_not_applicable(problems, instrument)
    _check_rci_and_norms(problems, instrument)
    return problems
