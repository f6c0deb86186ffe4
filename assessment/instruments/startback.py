"""Keele STarT Back Screening Tool, 9-item (instruments.md §3).

Free for non-commercial use; a commercial product needs Keele's agreement: definition only.
"""

from __future__ import annotations

from .base import (
    DecisionRow,
    DecisionTable,
    Instrument,
    Interval,
    Item,
    Licence,
    ResponseScale,
    ScoreRule,
    ids,
    items_on_scale,
    no_missing,
)

S_ITEMS = (
    "instruments.md §3 [S:1][S:2]: Hill JC et al. Arthritis Rheum 2008;59(5):632-41, doi:10.1002/art.23563; "
    "keele.ac.uk/sbst/usingscoringthesbst (items 1-8 agree = 1, disagree = 0)"
)
S_ITEM9 = (
    "instruments.md §3 [S:2]: item 9 (not at all / slightly / moderately / very much / extremely) counts 1 only "
    "for 'very much' or 'extremely'"
)
S_SCORES = (
    "instruments.md §3 [S:2]: total = items 1-9 (0-9); psychosocial subscale = items 5-9 (0-5)"
)
S_GROUPS = (
    "instruments.md §3 [S:2][S:3]: total 0-3 low; total 4-9 medium unless psychosocial 4-5 high "
    "(keele.ac.uk/sbst; awell-score classifyRisk.ts)"
)
S_MISSING = "instruments.md §3: no rule published; policy: not scorable (UNVERIFIED)"
S_LICENCE = (
    "instruments.md §3 [S:4][S:5]: startback.hfac.keele.ac.uk/privacy-policy; keele.ac.uk/sbst"
)

AGREE = ResponseScale(0, 1, {0: "Disagree", 1: "Agree"})
BOTHER = ResponseScale(
    0, 4, {0: "Not at all", 1: "Slightly", 2: "Moderately", 3: "Very much", 4: "Extremely"}
)
ALL_REQUIRED = no_missing(S_MISSING, "unverified")

STARTBACK = Instrument(
    key="startback",
    version="Hill2008",
    name="Keele STarT Back Screening Tool (9 items)",
    short_name="STarT Back",
    citation="Hill JC et al. Arthritis Rheum 2008;59(5):632-41, doi:10.1002/art.23563",
    reference="instruments.md §3",
    licence=Licence(
        status="free_ask_commercial",
        holder="Keele University",
        url="https://www.keele.ac.uk/sbst/",
        item_text_bundled=False,
        note="Copyright (c)2021 University of Keele. No licence is required for non-commercial use; to "
        "incorporate the tool in a commercial product contact Keele University Impact Accelerator Unit. Keep the "
        "copyright and funding statement with the tool.",
        source=S_LICENCE,
    ),
    direction="higher_is_worse",
    items=(
        *items_on_scale(
            range(1, 9),
            AGREE,
            source=S_ITEMS,
            labels={
                "1": "Leg pain",
                "2": "Shoulder or neck pain",
                "3": "Walked only short distances",
                "4": "Dressed more slowly",
                "5": "Fear (activity not safe)",
                "6": "Anxiety (worrying thoughts)",
                "7": "Catastrophising",
                "8": "Low mood",
            },
        ),
        Item("9", "Bothersomeness", BOTHER, S_ITEM9, recode={0: 0, 1: 0, 2: 0, 3: 1, 4: 1}),
    ),
    scores=(
        ScoreRule(
            id="total",
            label="total",
            role="total",
            items=ids(*range(1, 10)),
            aggregate="sum",
            missing=ALL_REQUIRED,
            range=(0, 9),
            source=S_SCORES,
        ),
        ScoreRule(
            id="psychosocial",
            label="psychosocial",
            role="subscale",
            items=ids(5, 6, 7, 8, 9),
            aggregate="sum",
            missing=ALL_REQUIRED,
            range=(0, 5),
            source=S_SCORES,
        ),
    ),
    primary="total",
    classification=DecisionTable(
        id="risk_group",
        label="Risk group",
        source=S_GROUPS,
        rows=(
            DecisionRow("low", "Low risk", 0, {"total": Interval(0, 3)}, S_GROUPS),
            DecisionRow(
                "high",
                "High risk",
                3,
                {"total": Interval(4, 9), "psychosocial": Interval(4, 5)},
                S_GROUPS,
            ),
            DecisionRow(
                "medium",
                "Medium risk",
                2,
                {"total": Interval(4, 9), "psychosocial": Interval(0, 3)},
                S_GROUPS,
            ),
        ),
    ),
    policy_notes=(
        "Not scored if any item is missing (no published rule).",
        "Item 9 is entered as printed (0 not at all - 4 extremely); 'moderately' scores 0, the classic "
        "medium/high boundary.",
        "A screening tool: Keele's separate clinical measurement tool for change is not implemented.",
    ),
    unverified=("Missing-item rule.",),
)

INSTRUMENTS = (STARTBACK,)
