"""Checks that a definition is internally consistent, with stable problem codes.

``definition_problems(instrument)`` returns a list of ``Problem(code, message)``; an empty list
means the definition is sound. The Django system check (assessment/checks.py, written by the lead)
turns each problem into a ``checks.Error`` with the same id, so ``manage.py check`` fails in CI on a
broken definition (STYLE.md §3.3). Validation never raises on a broken definition: it reports.

Codes are stable: add new ones at the end, never renumber.

- assessment.E001  a rule has no source (or an unknown evidence level)
- assessment.E002  bands of a score do not cover its range, overlap, or fall outside it
- assessment.E003  a score or recode table refers to an unknown item or code, or lists an item twice
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
- assessment.E014  a "does not apply" or "several answers marked" policy is inconsistent
- assessment.E015  RCI parameters or norms are out of range or refer to an unknown score
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass, field
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
    MULTIPLE_MARKED_RULES,
    NA_TREATMENTS,
    REPORTS,
    ROLES,
    Instrument,
    Interval,
    Item,
    ScoreRule,
)

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
LOINC_PATTERN = re.compile(r"^(\d{1,7})-(\d)$")
ENUMERATION_LIMIT = 20_000  # decision tables over more score combinations are not enumerated


@dataclass(frozen=True)
class Problem:
    code: str  # "assessment.E001" ...
    message: str


@dataclass
class _Report:
    problems: list[Problem] = field(default_factory=list)

    def __call__(self, code: str, message: str) -> None:
        self.problems.append(Problem(f"assessment.{code}", message))

    def sourced(self, where: str, source: str, evidence: str = "verified") -> None:
        if not source or not source.strip():
            self("E001", f"{where} has no source.")
        if evidence not in EVIDENCE_LEVELS:
            self("E001", f"{where} has evidence level {evidence!r}; use one of {EVIDENCE_LEVELS}.")


def loinc_check_digit(number: str) -> int:
    """LOINC's mod-10 check digit for the part before the hyphen (LOINC Users' Guide, appendix)."""
    digits = number[::-1]
    doubled = "".join(str(int(d) * 2) for d in digits[0::2])  # positions 1, 3, ... from the right
    total = sum(int(d) for d in doubled + digits[1::2])
    return (10 - total % 10) % 10


def _n(value: Fraction | float) -> str:
    value = Fraction(value)
    return str(value.numerator) if value.denominator == 1 else str(float(value))


def _item_ok(item: Item) -> bool:
    """Can the item be scored at all (a non-empty scale, a recode for every code)?"""
    codes = range(item.scale.min, item.scale.max + 1)
    return bool(codes) and (item.recode is None or all(code in item.recode for code in codes))


def _items(instrument: Instrument, rule: ScoreRule) -> list[Item] | None:
    """The score's items, or None if one is unknown or broken (reported elsewhere)."""
    found = [instrument.item(item_id) for item_id in rule.items]
    if not found or any(item is None or not _item_ok(item) for item in found):
        return None
    return [item for item in found if item is not None]


def score_range(instrument: Instrument, rule: ScoreRule) -> tuple[Fraction, Fraction] | None:
    """The range a score can take, computed from its items; None if an item is unknown or broken."""
    items = _items(instrument, rule)
    if items is None:
        return None
    ranges = [item.scored_range() for item in items]
    multiplier = Fraction(rule.multiplier).limit_denominator(10**6)
    if rule.aggregate == "sum":
        low, high = sum(r[0] for r in ranges), sum(r[1] for r in ranges)
    elif rule.aggregate == "mean":
        low, high = min(r[0] for r in ranges), max(r[1] for r in ranges)
    else:  # percent_of_answered_max
        low, high = Fraction(0), Fraction(100)
    return Fraction(low) * multiplier, Fraction(high) * multiplier


def is_integer_valued(instrument: Instrument, rule: ScoreRule) -> bool:
    """True when the score can only be a whole number: a sum of whole-number item scores with
    no proration and a whole-number multiplier. Bands of such scores are checked at every whole
    number ("0-4", "5-9" is complete); other scores must be covered as a continuum."""
    items = _items(instrument, rule)
    if items is None or rule.aggregate != "sum" or rule.missing.max_missing:
        return False
    if Fraction(rule.multiplier).limit_denominator(10**6).denominator != 1:
        return False
    return all(
        item.scored_value(code).denominator == 1
        for item in items
        for code in range(item.scale.min, item.scale.max + 1)
    )


def _reaches(when: Interval, low: Fraction, high: Fraction) -> bool:
    """Does ``when`` intersect the closed range [low, high]?"""
    if when.min is not None and (when.min > high or (when.min == high and not when.min_inclusive)):
        return False
    return not (
        when.max is not None and (when.max < low or (when.max == low and not when.max_inclusive))
    )


# --------------------------------------------------------------------------------------------
# Checks, one group per function
# --------------------------------------------------------------------------------------------


def _check_identity(report: _Report, ins: Instrument) -> None:
    if not KEY_PATTERN.match(ins.key or ""):
        report("E012", f"instrument key {ins.key!r} must be lower-case letters, digits and _.")
    for attr in ("version", "name", "short_name", "citation", "reference"):
        if not str(getattr(ins, attr) or "").strip():
            report("E012", f"{ins.key}: {attr} is empty.")
    if ins.direction not in DIRECTIONS:
        report("E012", f"{ins.key}: direction {ins.direction!r} is not one of {DIRECTIONS}.")
    item_ids = [item.id.upper() for item in ins.items]
    if len(set(item_ids)) != len(item_ids):
        report("E012", f"{ins.key}: item ids repeat.")
    score_ids = [rule.id for rule in ins.scores]
    if len(set(score_ids)) != len(score_ids):
        report("E012", f"{ins.key}: score ids repeat.")
    if not ins.items or not ins.scores:
        report("E012", f"{ins.key}: a definition needs items and scores.")


def _check_items(report: _Report, ins: Instrument) -> None:
    for item in ins.items:
        where = f"{ins.key} item {item.id}"
        report.sourced(where, item.source)
        scale = item.scale
        if not item.label.strip():
            report("E004", f"{where} has no label.")
        if scale.min > scale.max:
            report("E004", f"{where}: scale min {scale.min} > max {scale.max}.")
            continue
        outside = [code for code in scale.labels if not scale.min <= code <= scale.max]
        if outside:
            report("E004", f"{where}: labels for codes outside the scale: {outside}.")
        if item.recode is not None:
            if item.reverse:
                report("E004", f"{where} is both recoded and reversed; recode it only.")
            uncovered = [c for c in range(scale.min, scale.max + 1) if c not in item.recode]
            if uncovered:
                report("E004", f"{where}: recode table misses codes {uncovered}.")
            extra = [c for c in item.recode if not scale.min <= c <= scale.max]
            if extra:
                report("E003", f"{where}: recode table has codes outside the scale: {extra}.")
        if item.reverse and scale.min == scale.max:
            report("E004", f"{where} is reversed on a one-point scale.")
        if item.text is not None and not ins.licence.item_text_bundled:
            report("E010", f"{where} carries item text but the licence says text is not bundled.")


def _check_bands(
    report: _Report, where: str, rule: ScoreRule, low: Fraction, high: Fraction, *, integer: bool
) -> None:
    names = [band.name for band in rule.bands]
    if len(set(names)) != len(names):
        report("E002", f"{where}: band names repeat ({', '.join(names)}).")
    ordered = sorted(rule.bands, key=lambda b: (b.min, not b.min_inclusive))
    for band in ordered:
        shown = f"band {band.name!r} ({band.interval.describe()})"
        report.sourced(f"{where} band {band.name!r}", band.source, band.evidence)
        if not 0 <= band.level <= 4:
            report("E002", f"{where} band {band.name!r}: level {band.level} is outside 0-4.")
        if band.min > band.max or (
            band.min == band.max and not (band.min_inclusive and band.max_inclusive)
        ):
            report("E002", f"{where}: {shown} is empty.")
        if band.min < low or band.max > high:
            report("E002", f"{where}: {shown} lies outside the score range {_n(low)}-{_n(high)}.")
    if integer:
        for value in range(int(low), int(high) + 1):
            holders = [band.name for band in ordered if band.interval.contains(value)]
            if len(holders) != 1:
                what = f"bands {holders} overlap at" if holders else "no band covers"
                report("E002", f"{where}: {what} the score {value}.")
                return
        return
    first, last = ordered[0], ordered[-1]
    if first.min != low or not first.min_inclusive:
        report("E002", f"{where}: bands do not cover the bottom of the range ({_n(low)}).")
    if last.max != high or not last.max_inclusive:
        report("E002", f"{where}: bands do not cover the top of the range ({_n(high)}).")
    for before, after in itertools.pairwise(ordered):
        pair = f"{before.name!r} ({before.interval.describe()}) and {after.name!r} ({after.interval.describe()})"
        touching = after.min == before.max
        if after.min > before.max or (
            touching and not before.max_inclusive and not after.min_inclusive
        ):
            report(
                "E002", f"{where}: gap between bands {pair}; this score can take values in between."
            )
        elif after.min < before.max or (touching and before.max_inclusive and after.min_inclusive):
            report("E002", f"{where}: bands {pair} overlap.")


def _check_missing(report: _Report, where: str, rule: ScoreRule) -> None:
    missing = rule.missing
    report.sourced(f"{where} missing-data rule", missing.source, missing.evidence)
    if missing.method not in MISSING_METHODS:
        report(
            "E005", f"{where}: missing method {missing.method!r} is not one of {MISSING_METHODS}."
        )
    if missing.max_missing < 0:
        report("E005", f"{where}: max_missing is negative.")
    if missing.method == "refuse" and missing.max_missing != 0:
        report(
            "E005",
            f"{where}: 'refuse' allows no missing item, but max_missing is {missing.max_missing}.",
        )
    if rule.items and missing.max_missing >= len(rule.items):
        report("E005", f"{where}: max_missing {missing.max_missing} leaves no answered item.")


def _check_scores(report: _Report, ins: Instrument) -> None:
    used: set[str] = set()
    for rule in ins.scores:
        where = f"{ins.key} score {rule.id!r}"
        report.sourced(where, rule.source, rule.evidence)
        if rule.role not in ROLES:
            report("E012", f"{where}: role {rule.role!r} is not one of {ROLES}.")
        if rule.direction is not None and rule.direction not in DIRECTIONS:
            report("E012", f"{where}: direction {rule.direction!r} is not one of {DIRECTIONS}.")
        unknown = [i for i in rule.items if ins.item(i) is None]
        if unknown or not rule.items:
            report(
                "E003",
                f"{where} refers to unknown items {unknown}."
                if unknown
                else f"{where} has no items.",
            )
        if len(set(rule.items)) != len(rule.items):
            report("E003", f"{where} lists an item twice.")
        for item_id in rule.items:
            item = ins.item(item_id)
            if item is not None and not item.scored:
                report("E013", f"{where} uses item {item_id}, which is marked unscored.")
            if item is not None:
                used.add(item.id)
        unknown_reports = [name for name in rule.report if name not in REPORTS]
        if unknown_reports:
            report("E012", f"{where}: report {unknown_reports} is not in {REPORTS}.")
        if rule.aggregate not in AGGREGATES:
            report("E012", f"{where}: aggregate {rule.aggregate!r} is not one of {AGGREGATES}.")
            continue
        _check_missing(report, where, rule)
        items, computed = _items(ins, rule), score_range(ins, rule)
        if items is None or computed is None:
            continue
        low, high = computed
        if rule.aggregate == "percent_of_answered_max" and any(
            i.scored_range()[0] != 0 for i in items
        ):
            report("E004", f"{where}: percent_of_answered_max needs items scored from 0.")
        if (Fraction(rule.range[0]), Fraction(rule.range[1])) != (low, high):
            declared = f"{rule.range[0]}-{rule.range[1]}"
            report(
                "E006",
                f"{where}: declared range {declared} but the items give {_n(low)}-{_n(high)}.",
            )
        if rule.bands:
            _check_bands(report, where, rule, low, high, integer=is_integer_valued(ins, rule))
    for item in ins.items:
        if item.scored and item.id not in used:
            report("E013", f"{ins.key} item {item.id} is scored but no score uses it.")
    if ins.primary is not None:
        primary = ins.score_rule(ins.primary)
        if primary is None or primary.role != "total":
            report(
                "E013",
                f"{ins.key}: primary score {ins.primary!r} must be a defined score with role 'total'.",
            )
    if sum(rule.role == "total" for rule in ins.scores) != (1 if ins.primary else 0):
        report("E013", f"{ins.key}: the primary score, and only it, has role 'total'.")
    if ins.overall_missing is not None:
        report.sourced(
            f"{ins.key} whole-form missing rule",
            ins.overall_missing.source,
            ins.overall_missing.evidence,
        )
        if ins.overall_missing.max_missing < 0:
            report("E005", f"{ins.key}: whole-form max_missing is negative.")


def _score_interval(ins: Instrument, score_id: str) -> tuple[Fraction, Fraction] | None:
    rule = ins.score_rule(score_id)
    return None if rule is None else score_range(ins, rule)


def _check_flags(report: _Report, ins: Instrument) -> None:
    for flag in ins.flags:
        where = f"{ins.key} flag {flag.id!r}"
        report.sourced(where, flag.source, flag.evidence)
        if not flag.message.strip():
            report("E007", f"{where} has no message for the clinician.")
        if flag.kind not in FLAG_KINDS:
            report("E007", f"{where}: kind {flag.kind!r} is not one of {FLAG_KINDS}.")
            continue
        if flag.kind == "item":
            item = ins.item(flag.target)
            if item is None:
                report("E007", f"{where} refers to unknown item {flag.target!r}.")
            elif _item_ok(item) and not any(
                flag.when.contains(c) for c in range(item.scale.min, item.scale.max + 1)
            ):
                report("E007", f"{where} can never be raised ({flag.when.describe()}).")
        elif ins.score_rule(flag.target) is None:
            report("E007", f"{where} refers to unknown score {flag.target!r}.")
        else:
            bounds = _score_interval(ins, flag.target)
            if bounds is not None and not _reaches(flag.when, *bounds):
                report("E007", f"{where} can never be raised ({flag.when.describe()}).")


def _check_classification(report: _Report, ins: Instrument) -> None:
    table = ins.classification
    if table is None:
        return
    where = f"{ins.key} decision table {table.id!r}"
    report.sourced(where, table.source)
    for row in table.rows:
        report.sourced(f"{where} row {row.name!r}", row.source, row.evidence)
        unknown = [sid for sid in row.conditions if ins.score_rule(sid) is None]
        if unknown:
            report("E008", f"{where} row {row.name!r} refers to unknown scores {unknown}.")
            return
    score_ids = sorted({sid for row in table.rows for sid in row.conditions})
    if any(_score_interval(ins, sid) is None for sid in score_ids):
        return  # a score with unknown or broken items is reported under E003/E004
    grids: list[range] = []
    for sid in score_ids:
        rule, bounds = ins.score_rule(sid), _score_interval(ins, sid)
        if rule is None or bounds is None or not is_integer_valued(ins, rule):
            report("E008", f"{where}: rows must use whole-number scores with no missing items.")
            return
        grids.append(range(int(bounds[0]), int(bounds[1]) + 1))
    if math.prod(len(grid) for grid in grids) > ENUMERATION_LIMIT:
        report("E008", f"{where}: too many score combinations to check.")
        return
    for values in itertools.product(*grids):
        point = dict(zip(score_ids, values, strict=True))
        if not any(
            all(iv.contains(point[sid]) for sid, iv in row.conditions.items()) for row in table.rows
        ):
            shown = ", ".join(f"{sid}={val}" for sid, val in point.items())
            report("E008", f"{where} classifies nothing for {shown}.")
            return


def _check_change(report: _Report, ins: Instrument) -> None:
    for rule in ins.change:
        where = f"{ins.key} change rule {rule.id!r}"
        report.sourced(where, rule.source, rule.evidence)
        score = ins.score_rule(rule.score)
        if score is None:
            report("E009", f"{where} refers to unknown score {rule.score!r}.")
            continue
        if rule.kind not in CHANGE_KINDS:
            report("E009", f"{where}: kind {rule.kind!r} is not one of {CHANGE_KINDS}.")
        direction = ins.score_direction(rule.score)
        expected = {"higher_is_worse": "decrease", "higher_is_better": "increase"}.get(direction)
        if rule.improvement not in ("decrease", "increase"):
            report("E009", f"{where}: improvement must be 'decrease' or 'increase'.")
        elif expected and rule.improvement != expected:
            report(
                "E009",
                f"{where}: improvement {rule.improvement!r} contradicts direction {direction!r}.",
            )
        if rule.points is None and rule.percent is None and rule.target is None:
            report("E009", f"{where} has no points, percent or target.")
        if (rule.points is not None and rule.points <= 0) or (
            rule.percent is not None and not 0 < rule.percent <= 100
        ):
            report("E009", f"{where}: points must be > 0 and percent in (0, 100].")
        if rule.combine not in ("either", "both"):
            report("E009", f"{where}: combine must be 'either' or 'both'.")
        if rule.requires_band_change and not score.bands:
            report("E009", f"{where} requires a band change but the score has no bands.")


def _check_licence_and_codes(report: _Report, ins: Instrument) -> None:
    lic = ins.licence
    report.sourced(f"{ins.key} licence", lic.source, lic.evidence)
    if lic.status not in LICENCE_STATUSES:
        report(
            "E010", f"{ins.key}: licence status {lic.status!r} is not one of {LICENCE_STATUSES}."
        )
    if not lic.holder.strip() or not lic.url.strip():
        report("E010", f"{ins.key}: licence holder and url are required.")
    if lic.item_text_bundled and lic.status != "free":
        report("E010", f"{ins.key}: item text is bundled but the licence status is {lic.status!r}.")
    if ins.instructions and not lic.item_text_bundled:
        report("E010", f"{ins.key}: instructions text is present but text is not bundled.")
    for code in ins.loinc:
        where = f"{ins.key} LOINC {code.code}"
        report.sourced(where, code.source, code.evidence)
        match = LOINC_PATTERN.match(code.code)
        if not match:
            report("E011", f"{where} is not of the form NNNNN-N.")
        elif loinc_check_digit(match.group(1)) != int(match.group(2)):
            report("E011", f"{where}: check digit should be {loinc_check_digit(match.group(1))}.")
        if code.kind not in LOINC_KINDS:
            report("E011", f"{where}: kind {code.kind!r} is not one of {LOINC_KINDS}.")
        elif code.kind == "item" and (code.ref is None or ins.item(code.ref) is None):
            report("E011", f"{where} refers to unknown item {code.ref!r}.")
        elif code.kind != "item" and code.ref is not None and ins.score_rule(code.ref) is None:
            report("E011", f"{where} refers to unknown score {code.ref!r}.")


def _check_not_applicable(report: _Report, ins: Instrument) -> None:
    marked = ins.multiple_marked
    if marked is not None:
        where = f"{ins.key} 'several answers marked' policy"
        report.sourced(where, marked.source, marked.evidence)
        if marked.rule not in MULTIPLE_MARKED_RULES:
            report("E014", f"{where}: rule {marked.rule!r} is not one of {MULTIPLE_MARKED_RULES}.")
    policy = ins.not_applicable
    if policy is None:
        return
    where = f"{ins.key} 'does not apply' policy"
    report.sourced(where, policy.source, policy.evidence)
    if policy.treat_as not in NA_TREATMENTS:
        report("E014", f"{where}: treat_as {policy.treat_as!r} is not one of {NA_TREATMENTS}.")
    targets = [ins.item(i) for i in policy.items] if policy.items is not None else list(ins.items)
    if any(item is None for item in targets):
        report("E014", f"{where} refers to unknown items.")
    elif policy.treat_as == "code":
        if policy.code is None:
            report("E014", f"{where}: treat_as 'code' needs a code.")
        elif any(not t.scale.min <= policy.code <= t.scale.max for t in targets if t is not None):
            report("E014", f"{where}: code {policy.code} is outside an item's scale.")


def _check_rci_and_norms(report: _Report, ins: Instrument) -> None:
    for params in ins.rci:
        where = f"{ins.key} RCI parameters for {params.score!r}"
        report.sourced(where, params.source, params.evidence)
        if ins.score_rule(params.score) is None:
            report("E015", f"{where}: unknown score.")
        if params.sem is None and (params.sd is None or params.reliability is None):
            report("E015", f"{where}: give sem, or sd and reliability.")
        if params.reliability is not None and not 0 < params.reliability < 1:
            report("E015", f"{where}: reliability must be strictly between 0 and 1.")
        if any(v is not None and v <= 0 for v in (params.sd, params.sem)):
            report("E015", f"{where}: sd and sem must be > 0.")
    for norm in ins.norms:
        where = f"{ins.key} norm {norm.population!r} for {norm.score!r}"
        report.sourced(where, norm.source, norm.evidence)
        bounds = _score_interval(ins, norm.score)
        if ins.score_rule(norm.score) is None:
            report("E015", f"{where}: unknown score.")
        elif bounds is not None and not bounds[0] <= Fraction(norm.mean) <= bounds[1]:
            report("E015", f"{where}: mean {norm.mean} is outside the score range.")
        if norm.sd is not None and norm.sd <= 0:
            report("E015", f"{where}: sd must be > 0.")


def definition_problems(instrument: Instrument) -> list[Problem]:
    """Every inconsistency found in one definition (empty when it is sound)."""
    report = _Report()
    for check in (
        _check_identity,
        _check_items,
        _check_scores,
        _check_flags,
        _check_classification,
        _check_change,
        _check_licence_and_codes,
        _check_not_applicable,
        _check_rci_and_norms,
    ):
        check(report, instrument)
    return report.problems
