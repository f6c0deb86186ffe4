"""Group Climate Questionnaire, short form (MacKenzie 1983; instruments.md §20).

Licence UNVERIFIED: definition only. Three scale means, no total.
"""

from __future__ import annotations

from .base import (
    PRORATE,
    Instrument,
    Licence,
    MissingRule,
    ResponseScale,
    ScoreRule,
    ids,
    items_on_scale,
)

S_ITEMS = (
    "instruments.md §20 [S:1][S:2]: GCQ-S form with scoring; MacKenzie KR (1983) in Dies & MacKenzie (eds), "
    "Advances in Group Psychotherapy (12 items 0-6; Engaged 1, 2, 4, 8, 11; Avoiding 3, 5, 9; "
    "Conflict 6, 7, 10, 12; each scale = mean of its items)"
)
S_SCALE_MISSING = (
    "instruments.md §20 [S:1]: 'If a scale has missing items, then divide by the number of items actually "
    "rated'; a scale with no rated item cannot be scored (policy)"
)
S_OVERALL = (
    "instruments.md §20 [S:1]: 'If the overall GCQ-S has more than 4 items missing, the test should be "
    "considered invalid'"
)

SCALE = ResponseScale(
    0, 6,
    {0: "Not at all", 1: "A little bit", 2: "Somewhat", 3: "Moderately", 4: "Quite a bit", 5: "A great deal", 6: "Extremely"},
)  # fmt: skip
ENGAGED = ids(1, 2, 4, 8, 11)
AVOIDING = ids(3, 5, 9)
CONFLICT = ids(6, 7, 10, 12)


def _rated(items: tuple[str, ...]) -> MissingRule:
    return MissingRule(len(items) - 1, PRORATE, S_SCALE_MISSING)


GCQS = Instrument(
    key="gcqs",
    version="MacKenzie1983",
    name="Group Climate Questionnaire, short form",
    short_name="GCQ-S",
    citation="MacKenzie KR (1983). In: Dies RR, MacKenzie KR (eds), Advances in Group Psychotherapy. "
    "International Universities Press",
    reference="instruments.md §20",
    licence=Licence(
        status="unverified",
        holder="K. R. MacKenzie (1983 book chapter)",
        url="https://help.blueprint-health.com/",
        item_text_bundled=False,
        note="Licence UNVERIFIED; ship the definition only.",
        source="instruments.md §20 and §27.2",
        evidence="unverified",
    ),
    direction="unspecified",
    items=items_on_scale(range(1, 13), SCALE, source=S_ITEMS),
    scores=(
        ScoreRule(
            id="engaged",
            label="engaged",
            role="subscale",
            items=ENGAGED,
            aggregate="mean",
            missing=_rated(ENGAGED),
            range=(0, 6),
            source=S_ITEMS,
        ),
        ScoreRule(
            id="avoiding",
            label="avoiding",
            role="subscale",
            items=AVOIDING,
            aggregate="mean",
            missing=_rated(AVOIDING),
            range=(0, 6),
            source=S_ITEMS,
        ),
        ScoreRule(
            id="conflict",
            label="conflict",
            role="subscale",
            items=CONFLICT,
            aggregate="mean",
            missing=_rated(CONFLICT),
            range=(0, 6),
            source=S_ITEMS,
        ),
    ),
    primary=None,
    overall_missing=MissingRule(4, PRORATE, S_OVERALL),
    policy_notes=(
        "Each scale is the mean of its rated items; more than 4 missing items in the whole form = invalid.",
        "Means are not rounded (the sheet's rounding instruction was cut off).",
        "No direction: engaged, avoiding and conflict describe the group climate; plot session-by-session "
        "means per cohort.",
    ),
    unverified=("Licence.", "Rounding instruction on the scoring sheet."),
)

INSTRUMENTS = (GCQS,)
