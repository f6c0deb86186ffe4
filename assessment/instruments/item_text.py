"""Licensed item text a clinic uploads, parsed and checked against the definition (issue #14).

The definitions ship no wording where the licence does not allow it (instruments.md §27.2:
"never bundle item text or images unless a free-reproduction statement was verified ... The
clinic pastes or imports the wording under its own licence"). The clinic uploads it per
instrument and language as rows of ``item id, text`` (CSV or tab-separated, as a spreadsheet
exports it, or pasted), with the stem and, optionally, the answer labels as rows of
``code, label`` (a label for one item only: ``item/code, label``, e.g. ``9/0, Not at all``).

Pure: stdlib only (tests/test_pure_cores.py). The Django side stores what ``parse_upload`` returns.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

    from .base import Instrument

# Sane lengths. The longest bundled item (PHQ-9 item 10) has under 200 characters, the longest
# bundled stem under 300; a licensed form's are of the same order. Generous limits that still
# refuse a whole document pasted into one field.
MAX_ITEM_TEXT = 1000
MAX_INSTRUCTIONS = 4000
MAX_OPTION_LABEL = 200
MAX_UPLOAD_CHARS = 200_000
ALL_ITEMS = "*"  # option labels that apply to every item whose scale has the code

HEADER_WORDS = {"id", "item", "item id", "item_id", "code", "nr", "no", "number"}

# Messages (the form shows them next to the field; tests assert them).
NO_ROWS = "No rows found. Give one row per item: the item number, then its wording."
MISSING_ITEMS = "Items missing: {ids}. Every item of the questionnaire needs its wording."
UNKNOWN_ITEMS = "Not items of this questionnaire: {ids}."
DUPLICATE_ITEMS = "Items given twice: {ids}."
EMPTY_TEXT = "Items without wording: {ids}."
TOO_LONG_TEXT = "Items longer than {limit} characters: {ids}."
CONTROL_CHARACTERS = "Items with control characters (e.g. a stray tab or escape): {ids}."
CONTROL_CHARACTERS_INSTRUCTIONS = "The instructions contain control characters (e.g. an escape)."
TOO_LONG_INSTRUCTIONS = "The instructions are longer than {limit} characters."
TOO_LONG_UPLOAD = "The text is longer than {limit} characters: upload one questionnaire at a time."
OPTION_BAD_LINE = "Line {line}: write the answer code, then its label (e.g. 0, Not at all)."
OPTION_UNKNOWN_ITEM = "Line {line}: {item} is not an item of this questionnaire."
OPTION_BAD_CODE = "Line {line}: {code} is not an answer code of this questionnaire."
OPTION_EMPTY = "Line {line}: the label is empty."
OPTION_TOO_LONG = "Line {line}: the label is longer than {limit} characters."
OPTION_TWICE = "Line {line}: a label for this answer was already given."


@dataclass(frozen=True)
class ParsedUpload:
    """What an upload holds, or why it cannot be stored: ``errors`` maps a field name
    (``items``, ``instructions``, ``option_labels``) to its messages; empty means valid."""

    items: Mapping[str, str]
    option_labels: Mapping[str, Mapping[str, str]]
    instructions: str
    errors: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return not self.errors


BIDI_OVERRIDES = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _has_control_characters(text: str) -> bool:
    """Control characters (NUL, escape ...) other than line breaks and tabs, or a bidi override
    that would show the text in another order than it is stored. Soft hyphens and joiners,
    which real wording uses, are allowed."""
    return any(
        (unicodedata.category(ch) == "Cc" and ch not in "\n\t") or ch in BIDI_OVERRIDES
        for ch in text
    )


def _clean(text: str) -> str:
    """Trimmed, with non-breaking and other odd spaces as plain spaces (a spreadsheet's export)."""
    return text.replace("\u00a0", " ").strip()


def split_rows(text: str) -> list[tuple[int, list[str]]]:
    """(line number, fields) of each non-blank line. Tab-separated when the text has a tab, else
    comma-separated; quoted fields as a spreadsheet writes them."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    delimiter = "\t" if "\t" in text else ","
    rows = []
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, skipinitialspace=True)
    try:
        for fields_ in reader:
            if any(f.strip() for f in fields_):
                rows.append((reader.line_num, fields_))
    except csv.Error:  # an unclosed quote: read the lines as they are
        rows = [
            (number, line.split(delimiter))
            for number, line in enumerate(text.splitlines(), start=1)
            if line.strip()
        ]
    return rows


def _first_and_rest(fields_: list[str], delimiter: str = ", ") -> tuple[str, str]:
    """The first column and the rest: an unquoted text with commas is kept whole."""
    first = fields_[0].strip()
    rest = delimiter.join(f.strip() for f in fields_[1:]) if len(fields_) > 1 else ""
    return first, rest


def _ids(values: list[str]) -> str:
    return ", ".join(values)


def parse_items(instrument: Instrument, text: str) -> tuple[dict[str, str], list[str]]:
    """Item id -> wording for every item of ``instrument``, and the problems found."""
    if len(text) > MAX_UPLOAD_CHARS:
        return {}, [TOO_LONG_UPLOAD.format(limit=MAX_UPLOAD_CHARS)]
    rows = split_rows(text)
    if rows and rows[0][1][0].strip().casefold() in HEADER_WORDS:
        rows = rows[1:]  # a header row ("id, text")
    if not rows:
        return {}, [NO_ROWS]
    found: dict[str, str] = {}
    unknown, twice, empty, long_, control = [], [], [], [], []
    for _line, fields_ in rows:
        raw_id, wording = _first_and_rest(fields_)
        item = instrument.item(raw_id)
        if item is None:
            unknown.append(raw_id or "(empty)")
            continue
        if item.id in found:
            twice.append(item.id)
            continue
        wording = _clean(wording)
        found[item.id] = wording
        if not wording:
            empty.append(item.id)
        elif len(wording) > MAX_ITEM_TEXT:
            long_.append(item.id)
        elif _has_control_characters(wording):
            control.append(item.id)
    missing = [item.id for item in instrument.items if item.id not in found]
    problems = []
    for ids_, message in (
        (missing, MISSING_ITEMS),
        (unknown, UNKNOWN_ITEMS),
        (twice, DUPLICATE_ITEMS),
        (empty, EMPTY_TEXT),
        (long_, TOO_LONG_TEXT),
        (control, CONTROL_CHARACTERS),
    ):
        if ids_:
            problems.append(message.format(ids=_ids(ids_[:20]), limit=MAX_ITEM_TEXT))
    return found, problems


def parse_option_labels(
    instrument: Instrument, text: str
) -> tuple[dict[str, dict[str, str]], list[str]]:
    """``{"*": {code: label}, item id: {code: label}}`` and the problems found. A label under
    ``"*"`` applies to every item whose scale has that code."""
    if len(text) > MAX_UPLOAD_CHARS:
        return {}, [TOO_LONG_UPLOAD.format(limit=MAX_UPLOAD_CHARS)]
    labels: dict[str, dict[str, str]] = {}
    problems: list[str] = []
    for line, fields_ in split_rows(text):
        target, label = _first_and_rest(fields_)
        label = _clean(label)
        item_part, _, code_part = target.rpartition("/")
        scope = ALL_ITEMS
        items = instrument.items
        if item_part:
            found = instrument.item(item_part)
            if found is None:
                problems.append(OPTION_UNKNOWN_ITEM.format(line=line, item=item_part.strip()))
                continue
            scope, items = found.id, (found,)
        try:
            code = int(code_part.strip())
        except ValueError:
            problems.append(OPTION_BAD_LINE.format(line=line))
            continue
        if not any(item.scale.min <= code <= item.scale.max for item in items):
            problems.append(OPTION_BAD_CODE.format(line=line, code=code))
        elif not label:
            problems.append(OPTION_EMPTY.format(line=line))
        elif len(label) > MAX_OPTION_LABEL:
            problems.append(OPTION_TOO_LONG.format(line=line, limit=MAX_OPTION_LABEL))
        elif _has_control_characters(label):
            problems.append(OPTION_BAD_LINE.format(line=line))
        elif str(code) in labels.get(scope, {}):
            problems.append(OPTION_TWICE.format(line=line))
        else:
            labels.setdefault(scope, {})[str(code)] = label
    return labels, problems


def parse_upload(
    instrument: Instrument, *, items_text: str, instructions: str = "", options_text: str = ""
) -> ParsedUpload:
    """Check an upload against the definition: every item present, no unknown ids, no empty
    wording, sane lengths, answer labels for codes the scale has."""
    items, item_problems = parse_items(instrument, items_text)
    labels, option_problems = parse_option_labels(instrument, options_text)
    instructions = instructions.replace("\r\n", "\n").replace("\r", "\n").strip()
    errors: dict[str, tuple[str, ...]] = {}
    if item_problems:
        errors["items"] = tuple(item_problems)
    if option_problems:
        errors["option_labels"] = tuple(option_problems[:20])
    if len(instructions) > MAX_INSTRUCTIONS:
        errors["instructions"] = (TOO_LONG_INSTRUCTIONS.format(limit=MAX_INSTRUCTIONS),)
    elif _has_control_characters(instructions):
        errors["instructions"] = (CONTROL_CHARACTERS_INSTRUCTIONS,)
    return ParsedUpload(items=items, option_labels=labels, instructions=instructions, errors=errors)


def option_label(labels: Mapping[str, Mapping[str, str]], item_id: str, code: int) -> str | None:
    """The uploaded label of ``code`` on item ``item_id``: the item's own, else the common one."""
    key = str(code)
    return (labels.get(item_id) or {}).get(key) or (labels.get(ALL_ITEMS) or {}).get(key)
