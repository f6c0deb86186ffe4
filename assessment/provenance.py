"""Provenance for pages: the definitions' source strings, readable by a clinician.

The instrument definitions cite their sources the way the reference files do ("instruments.md §8
[S:2]: Cleeland CS, ..."); that is right in code and wrong on a page (issue #9: no file names,
section numbers, internal keys or confidence marks). ``readable_source`` keeps the citation and
the rule and drops the pointers into our own files. Pure: no Django.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # "(instruments.md §4)", "instruments.md §8 [S:1][S:2], §25 [S:4]:" and "§27.2" pointers
    (re.compile(r"\(\s*(?:see\s+)?(?:shared/reference/)?[\w.-]+\.md[^)]*\)"), ""),
    (
        re.compile(
            r"(?:shared/reference/)?[\w-]+\.md(?:\s*§\s*[\d.]+(?:\s*\[S:\d+\])*"
            r"(?:\s*(?:,|and)\s*§\s*[\d.]+(?:\s*\[S:\d+\])*)*)?\s*:?"
        ),
        "",
    ),
    (re.compile(r"\(\s*§\s*[\d.]+(?:\s*\[S:\d+\])*\s*\)"), ""),
    (re.compile(r"§\s*[\d.]+(?:\s*\[S:\d+\])*"), ""),
    (re.compile(r"\[S:\d+\]"), ""),
    (re.compile(r"\(P\d+\)"), ""),
    (re.compile(r"\(?\s*(?:as named in\s+)?issue #\d+\s*\)?", re.IGNORECASE), ""),
    # code paths of other implementations: "src/scores/orebro/long_version", "classifyRisk.ts"
    (re.compile(r"\bsrc/\S+"), ""),
    (re.compile(r"\b[\w/-]+\.(?:ts|py|js)\b"), ""),
    (re.compile(r"\bUNVERIFIED\b"), "not independently verified"),
    (re.compile(r"\bSECONDARY\b"), "from a secondary source"),
    (re.compile(r"\bPOLICY\b"), "policy"),
    # a DOI may hold parentheses: 10.1016/0304-3959(94)00279-N
    (re.compile(r"\bdoi:\s*10\.\d{4,}/(?:\([^)\s]*\)|[^\s,;()])+"), ""),
    (re.compile(r"\bDOI believed\s+\S+?:\s*verify;?"), ""),
    (
        re.compile(r"\b10\.\d{4,}/(?:\([^)\s]*\)|[^\s,;()])+"),
        "",
    ),  # any DOI left: a number, not words
)
_TIDY: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\(\s*[;,.]?\s*\)"), ""),
    (re.compile(r",\s*\("), " ("),
    (re.compile(r"\(\s*[;,]\s*"), "("),
    (re.compile(r"\s+([,;:.)])"), r"\1"),
    (re.compile(r"([(])\s+"), r"\1"),
    (re.compile(r"[,;]\s*([,;)])"), r"\1"),
    (re.compile(r"\s{2,}"), " "),
)


def readable_source(text: Any) -> str:
    """A definition's source string without pointers into our files or confidence marks."""
    out = str(text or "")
    if re.search(r"secondary", re.sub(r"\bSECONDARY\b", "", out), re.IGNORECASE):
        out = re.sub(r"\s*\(SECONDARY\)|;?\s*\bSECONDARY\b", "", out)  # said already in words
    for pattern, replacement in _PATTERNS:
        out = pattern.sub(replacement, out)
    for pattern, replacement in _TIDY:
        out = pattern.sub(replacement, out)
    out = out.strip(" :;,-").lstrip(".")
    if out[:1].islower() and not out[1:2].isupper():  # "ePPOC ..." keeps its case
        out = out[0].upper() + out[1:]
    return out


def readable_version(version: Any) -> str:
    """A definition's version key as words: "Hill2008" -> "Hill 2008", "2.1a" unchanged."""
    return re.sub(r"([A-Za-z])((?:19|20)\d\d)\b", r"\1 \2", str(version or ""))


def unique(lines: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for line in lines:
        if line and line not in seen:
            seen[line] = None
    return list(seen)


def sources_and_policy(definition: Any) -> dict[str, Any]:
    """What the "Sources and policy" disclosure of one instrument shows, as readable lines."""
    scoring = unique(
        f"{rule.label[:1].upper()}{rule.label[1:]}: {readable_source(rule.source)}"
        for rule in definition.scores
    )
    bands = unique(
        readable_source(band.source) for rule in definition.scores for band in rule.bands
    )
    if definition.classification is not None:
        bands += unique(readable_source(row.source) for row in definition.classification.rows)
    return {
        "name": definition.short_name,
        "citation": readable_source(definition.citation),
        "version": readable_version(definition.version),
        "scoring": scoring,
        "bands": unique(bands),
        "flags": unique(readable_source(flag.source) for flag in definition.flags),
        "policy": unique(readable_source(note) for note in definition.policy_notes),
        "unverified": unique(readable_source(note) for note in definition.unverified),
    }


_ESTIMATED = re.compile(
    r"^(?P<subject>.*?):\s*(?P<answered>\d+) of (?P<total>\d+) items answered;\s*"
    r"missing (?P<missing>.+?) estimated from the mean of the answered items\.?$"
)


def readable_note(note: Any) -> str:
    """A scoring note in the clinic's words: "PHQ-9: 8 of 9 items answered; missing 9 estimated
    from the mean of the answered items." -> "PHQ-9: item 9 missing — estimated from the mean of
    the other answers (8 of 9 items answered)." Other notes pass through ``readable_source``."""
    text = str(note or "")
    match = _ESTIMATED.match(text.strip())
    if not match:
        return readable_source(text)
    missing = [part.strip() for part in match["missing"].split(",")]
    items = ("item " if len(missing) == 1 else "items ") + (
        missing[0] if len(missing) == 1 else ", ".join(missing[:-1]) + " and " + missing[-1]
    )
    return (
        f"{match['subject']}: {items} missing — estimated from the mean of the other answers "
        f"({match['answered']} of {match['total']} items answered)."
    )
