"""EQ-5D-5L: the five-dimension descriptive system at five levels, and the EQ VAS (issue #14).

What the reference says (shared/reference/instruments.md §26 [S:3][S:4]): the UK National Pain
Audit collected the "EuroQol EQ-5D (with VAS)" at the first consultation and at 6 months, and the
FPM/BPS "Outcome Measures" (2019) recommend the EQ-5D [S:6]. VERIFIED. The reference gives
nothing else: not the 5L descriptive system, the scores, the value sets or the licence. Every
rule below beyond "it is collected with its VAS" is therefore UNVERIFIED and says so.

- Five dimensions in this order: mobility, self-care, usual activities, pain / discomfort,
  anxiety / depression, each answered at level 1-5 (1 = no problems .. 5 = the most); the EQ VAS
  0-100 (higher = better health). EuroQol EQ-5D-5L user guide (UNVERIFIED: not in the reference).
- Scores:
  * the health profile, the five levels written as one code in dimension order ("21345");
    EuroQol user guide (UNVERIFIED);
  * the level sum score (LSS), the sum of the five levels, 5-25, higher = more problems:
    Feng YS, Jiang R, Pickard AS, Kohlmann T. Qual Life Res 2022;31(1):11-23,
    doi:10.1007/s11136-021-02922-1 (UNVERIFIED: not in the reference);
  * the EQ VAS as given, 0-100;
  * the index value: the health profile looked up in a country value set. Value sets are
    licensed data; NONE ships here. The clinic supplies one as data (``with_value_set``); without
    it the index is "cannot be scored" with ``NO_VALUE_SET`` and the other scores stand.
- Missing: a profile needs all five levels; no estimation (the user guide gives no imputation
  for a single respondent: UNVERIFIED; policy). The VAS is kept when the profile is incomplete,
  and the profile when the VAS is missing.
- No item text, level wording or VAS anchors are bundled (EuroQol licence; registration with
  EuroQol for use, UNVERIFIED terms): labels are neutral ("Mobility level (1-5)"). The clinic
  uploads the wording it holds a licence for (the item-text work of issue #14).

Pure: standard library only.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import json
import math
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from .base import Instrument, Item, Licence, ResponseScale, Score, ScoreRule, Unscorable, no_missing

if TYPE_CHECKING:
    from collections.abc import Mapping

S_REFERENCE = (
    "instruments.md §26 [S:3][S:4][S:6]: EQ-5D with VAS collected by the UK National Pain Audit "
    "at first consultation and 6 months; recommended by FPM/BPS 2019 (VERIFIED)"
)
S_SYSTEM = (
    "EuroQol EQ-5D-5L user guide: 5 dimensions x 5 levels, profile in dimension order, EQ VAS "
    "0-100 (UNVERIFIED: not in instruments.md)"
)
S_LSS = (
    "Feng YS et al. Qual Life Res 2022;31(1):11-23, doi:10.1007/s11136-021-02922-1: level sum "
    "score 5-25 (UNVERIFIED: not in instruments.md)"
)
S_MISSING = "A health profile needs all five levels; nothing is estimated (UNVERIFIED; policy)"
S_VAS_MISSING = "The EQ VAS is one mark: unanswered is not scored (policy)"
S_LICENCE = (
    "EuroQol Research Foundation licence (UNVERIFIED terms: instruments.md names the EQ-5D but "
    "not its licence); no wording bundled"
)
S_VALUE_SET = (
    "Index values come from a country value set supplied by the clinic as data (licensed; none "
    "ships). Range check -1 to 1 and full health (11111) highest: policy (UNVERIFIED)"
)

DIMENSIONS: tuple[tuple[str, str, str], ...] = (
    ("1", "mobility", "Mobility level (1-5)"),
    ("2", "self_care", "Self-care level (1-5)"),
    ("3", "usual_activities", "Usual activities level (1-5)"),
    ("4", "pain_discomfort", "Pain / discomfort level (1-5)"),
    ("5", "anxiety_depression", "Anxiety / depression level (1-5)"),
)
DIMENSION_IDS = tuple(item_id for item_id, _name, _label in DIMENSIONS)
VAS = "VAS"
LEVELS = ResponseScale(1, 5)  # neutral: no level wording (EuroQol's)
VAS_SCALE = ResponseScale(0, 100)  # neutral: no anchor wording (EuroQol's)

# Every health state of the descriptive system: 5^5 = 3,125 profiles, "11111" .. "55555".
ALL_PROFILES: tuple[str, ...] = tuple(
    "".join(levels) for levels in itertools.product("12345", repeat=len(DIMENSIONS))
)
PROFILE_SET = frozenset(ALL_PROFILES)  # membership tests: a tuple would be 3,125 x 3,125
FULL_HEALTH = "11111"
# Plausibility bounds of an index value (policy, UNVERIFIED): published 5L sets are anchored at
# 1 = full health and go below 0 for states judged worse than dead, but none we know of below -1.
INDEX_MIN, INDEX_MAX = Decimal(-1), Decimal(1)

NO_VALUE_SET = (
    "EQ-5D-5L index cannot be scored: the clinic has not supplied a value set. The health "
    "profile, level sum score and EQ VAS are recorded; the index can be added once a value set "
    "is uploaded."
)
PROFILE_NOT_IN_SET = (
    "EQ-5D-5L index cannot be scored: health profile {profile} is not in the value set."
)

# Value-set upload problems (shown to the admin verbatim; the upload is refused as a whole).
VS_EMPTY = "The file has no rows: give one row per health profile (profile, index)."
VS_BAD_PROFILE = "Line {line}: “{text}” is not a health profile (five digits, each 1 to 5)."
VS_BAD_INDEX = "Line {line}: the index “{text}” is not a number."
VS_OUT_OF_RANGE = "Line {line}: the index {value} of {profile} is outside -1 to 1."
VS_DUPLICATE = "Line {line}: health profile {profile} is given twice."
VS_MISSING = "{count} of the 3125 health profiles are missing, for example {examples}."
VS_FULL_HEALTH = (
    "Full health (11111) must have the highest index of the set; {profile} has {value}."
)
VS_TOO_MANY_PROBLEMS = "… and {count} more problems."
VS_MAX_LINES = 20_000  # a complete set has 3,125 rows (+ a header); refuse pasted junk early
MAX_PROBLEMS_SHOWN = 10


def _item(item_id: str, label: str, scale: ResponseScale) -> Item:
    return Item(id=item_id, label=label, scale=scale, source=S_SYSTEM)


@dataclass(frozen=True, eq=False)
class EQ5D5LInstrument(Instrument):
    """The EQ-5D-5L with its extra results: the health profile (a code, in ``Score.texts``) and
    the index value from the clinic's value set (``derived["index"]``), or the reason it cannot
    be given (``unscorable_parts["index"]``).

    ``value_set_name`` and ``value_set_digest`` are part of the definition (and so of its hash):
    a result records which value set its index came from. The values themselves are held apart
    (``_index_values``) and never hashed field by field."""

    value_set_name: str = ""
    value_set_digest: str = ""
    _index_values: Mapping[str, float] | None = field(default=None, repr=False, compare=False)

    def score(self, answers: Mapping[Any, Any]) -> Score | Unscorable:
        from .scoring import parse_answers, score_answers  # the scorer imports base

        result = score_answers(self, answers)
        if isinstance(result, Unscorable):
            return result  # a level is missing: no profile; the VAS is kept in ``derived``
        parsed = parse_answers(self, answers)
        profile = "".join(str(parsed[item_id]) for item_id in DIMENSION_IDS)
        texts = {"profile": profile}
        derived = dict(result.derived)
        unscorable_parts = dict(result.unscorable_parts)
        sources = list(result.sources)
        if self._index_values is None:
            unscorable_parts["index"] = NO_VALUE_SET
        elif profile not in self._index_values:  # pragma: no cover - upload refuses gaps
            unscorable_parts["index"] = PROFILE_NOT_IN_SET.format(profile=profile)
        else:
            derived["index"] = self._index_values[profile]
            texts["value_set"] = self.value_set_name
            sources.append(S_VALUE_SET)
        return replace(
            result,
            derived=derived,
            unscorable_parts=unscorable_parts,
            texts=texts,
            sources=tuple(sources),
        )


def _definition(
    *, name: str = "", digest: str = "", values: Mapping[str, float] | None = None
) -> EQ5D5LInstrument:
    return EQ5D5LInstrument(
        key="eq5d5l",
        version="EQ-5D-5L" + (f"+value set {digest[:12]}" if digest else ""),
        name="EQ-5D-5L health profile and EQ VAS",
        short_name="EQ-5D-5L",
        citation=(
            "EuroQol Research Foundation. EQ-5D-5L user guide; level sum score: Feng YS et al. "
            "Qual Life Res 2022;31(1):11-23, doi:10.1007/s11136-021-02922-1."
        ),
        reference="instruments.md §26",
        licence=Licence(
            status="restricted",
            holder="EuroQol Research Foundation",
            url="https://euroqol.org",
            item_text_bundled=False,
            note=(
                "Use is registered with / licensed by EuroQol (UNVERIFIED terms). No wording is "
                "bundled; value sets are licensed data supplied by the clinic."
            ),
            source=S_LICENCE,
            evidence="unverified",
        ),
        direction="higher_is_worse",
        items=(
            *(_item(item_id, label, LEVELS) for item_id, _name, label in DIMENSIONS),
            _item(VAS, "EQ VAS (0-100)", VAS_SCALE),
        ),
        scores=(
            ScoreRule(
                id="total",
                label="level sum score",
                role="total",
                items=DIMENSION_IDS,
                aggregate="sum",
                missing=no_missing(S_MISSING, "unverified"),
                range=(5, 25),
                source=S_LSS,
                evidence="unverified",
            ),
            # "derived" so that the VAS is kept when a level is missing (an unscorable result
            # keeps its derived scores); it is a score of its own, not a short form.
            ScoreRule(
                id="vas",
                label="EQ VAS",
                role="derived",
                items=(VAS,),
                aggregate="sum",
                missing=no_missing(S_VAS_MISSING),
                range=(0, 100),
                source=S_SYSTEM,
                evidence="unverified",
                direction="higher_is_better",
            ),
        ),
        primary="total",
        policy_notes=(
            "The health profile is the five levels in order; it is a code, not a number to add.",
            "The index comes only from a value set the clinic supplies; none ships with the app.",
            S_REFERENCE,
        ),
        unverified=(S_SYSTEM, S_LSS, S_MISSING, S_LICENCE, S_VALUE_SET),
        _index_values=values,
        value_set_name=name,
        value_set_digest=digest,
    )


EQ5D5L = _definition()
INSTRUMENTS = (EQ5D5L,)


# --- value sets ---------------------------------------------------------------------------------


def value_set_digest(values: Mapping[str, float]) -> str:
    """SHA-256 of the canonical profile -> index table: two uploads of the same set agree."""
    canonical = json.dumps({p: values[p] for p in sorted(values)}, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def with_value_set(name: str, values: Mapping[str, float]) -> EQ5D5LInstrument:
    """The EQ-5D-5L scored with the clinic's value set (``values``: every profile -> index, as
    ``parse_value_set`` gives it; refused with ``ValueError`` when it has problems)."""
    problems = value_set_problems(values)
    if problems:
        raise ValueError(problems[0])
    return _definition(name=name, digest=value_set_digest(values), values=dict(values))


def _number(text: str) -> Decimal | None:
    try:
        value = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def value_set_problems(values: Mapping[str, float]) -> list[str]:
    """Completeness and range of a parsed table (every profile once, each index -1..1, full health
    highest). Empty when the set can be used."""
    problems = []
    missing = [p for p in ALL_PROFILES if p not in values]
    if missing:
        problems.append(VS_MISSING.format(count=len(missing), examples=", ".join(missing[:5])))
    extra = [p for p in values if p not in PROFILE_SET]
    problems += [VS_BAD_PROFILE.format(line="-", text=p) for p in extra[:MAX_PROBLEMS_SHOWN]]
    for profile, value in values.items():
        if not isinstance(value, int | float) or not math.isfinite(value):
            problems.append(VS_BAD_INDEX.format(line="-", text=value))
        elif not INDEX_MIN <= Decimal(str(value)) <= INDEX_MAX:
            problems.append(VS_OUT_OF_RANGE.format(line="-", value=value, profile=profile))
    if not missing and not problems:
        best = max(values.values())
        if values[FULL_HEALTH] < best:
            better = next(p for p, v in values.items() if v == best)
            problems.append(VS_FULL_HEALTH.format(profile=better, value=best))
    return problems


def parse_value_set(text: str) -> tuple[dict[str, float], list[str]]:
    """A value-set table as the clinic pastes or uploads it: one row per health profile, the
    profile then its index (comma, semicolon or tab between; a decimal comma is read where the
    separator is not a comma); a first row that is not a profile is a header. Returns the table
    and its problems (line by line, then ``value_set_problems``); empty problems = usable."""
    lines = text.splitlines()
    if len(lines) > VS_MAX_LINES:
        return {}, [VS_MISSING.format(count="?", examples="-")]
    sample = next((line for line in lines if line.strip()), "")
    delimiter = "\t" if "\t" in sample else (";" if ";" in sample else ",")
    values: dict[str, float] = {}
    seen: set[str] = set()  # profiles with a row, usable or not (not "missing" if refused)
    problems: list[str] = []
    reader = csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)
    for line_number, row in enumerate(reader, start=1):
        cells = [cell.strip() for cell in row if cell.strip()]
        if not cells:
            continue
        profile = cells[0]
        if line_number == 1 and not profile.isdigit():
            continue  # header
        if profile not in PROFILE_SET or len(cells) != 2:  # "11111,0,734": a decimal comma
            problems.append(VS_BAD_PROFILE.format(line=line_number, text=", ".join(cells)[:40]))
            continue
        number = _number(cells[1])
        given = profile in seen
        seen.add(profile)
        if number is None:
            problems.append(VS_BAD_INDEX.format(line=line_number, text=cells[1][:40]))
        elif not INDEX_MIN <= number <= INDEX_MAX:
            problems.append(VS_OUT_OF_RANGE.format(line=line_number, value=number, profile=profile))
        elif given:
            problems.append(VS_DUPLICATE.format(line=line_number, profile=profile))
        else:
            values[profile] = float(number)
    if not values and not problems:
        return {}, [VS_EMPTY]
    if not problems:
        problems = value_set_problems(values)
    elif any(p not in seen for p in ALL_PROFILES):
        missing = [p for p in ALL_PROFILES if p not in seen]
        problems.append(VS_MISSING.format(count=len(missing), examples=", ".join(missing[:5])))
    if len(problems) > MAX_PROBLEMS_SHOWN + 1:
        rest = len(problems) - MAX_PROBLEMS_SHOWN
        problems = [*problems[:MAX_PROBLEMS_SHOWN], VS_TOO_MANY_PROBLEMS.format(count=rest)]
    return values, problems
