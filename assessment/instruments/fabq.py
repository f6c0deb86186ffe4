"""Fear-Avoidance Beliefs Questionnaire (Waddell et al. 1993; instruments.md §6).

Two subscales and no total: "there is no validated total: do not add the two subscales".
Published in full in Pain 1993; formal licence terms not found: definition only.
"""

from __future__ import annotations

from .base import (
    FlagRule,
    Instrument,
    Interval,
    Licence,
    ResponseScale,
    ScoreRule,
    ids,
    items_on_scale,
    no_missing,
)

S_ITEMS = (
    "instruments.md §6 [S:1][S:2]: Waddell G et al. Pain 1993;52(2):157-68, doi:10.1016/0304-3959(93)90127-B "
    "(16 items 0-6; items 1, 8, 13, 14, 16 not scored; no reverse items)"
)
S_PA = "instruments.md §6 [S:1][S:2]: FABQ-PA = items 2, 3, 4, 5 (0-24)"
S_W = "instruments.md §6 [S:1][S:2]: FABQ-W = items 6, 7, 9, 10, 11, 12, 15 (0-42)"
S_MISSING = "instruments.md §6: no rule found; policy: a subscale is not scorable if any of its items is missing"
S_GEORGE = (
    "instruments.md §6 [S:3]: George SZ et al. JOSPT 2008;38(2):50-8, doi:10.2519/jospt.2008.2647, Table 2 "
    "(FABQ-PA > 14, FABQ-W > 29)"
)
S_CPG22 = "instruments.md §6 [S:1]: Delitto A et al. JOSPT 2012 CPG, FABQ table (FABQ-W > 22 in another population)"
S_FRITZ = (
    "instruments.md §6: FABQ-W > 34 high risk (Fritz & George 2002), often quoted; UNVERIFIED here"
)
S_LICENCE = "instruments.md §6 [S:2]: RehabMeasures 'Cost: Free'; formal licence terms not found"

SCALE = ResponseScale(0, 6, {0: "Completely disagree", 3: "Unsure", 6: "Completely agree"})
PA_ITEMS = ids(2, 3, 4, 5)
W_ITEMS = ids(6, 7, 9, 10, 11, 12, 15)
INFO = "Informational cut-off only, never a diagnosis; values vary by population."

FABQ = Instrument(
    key="fabq",
    version="Waddell1993",
    name="Fear-Avoidance Beliefs Questionnaire",
    short_name="FABQ",
    citation="Waddell G et al. Pain 1993;52(2):157-68, doi:10.1016/0304-3959(93)90127-B",
    reference="instruments.md §6",
    licence=Licence(
        status="unverified",
        holder="Waddell G et al. (published in Pain 1993)",
        url="https://www.sralab.org/rehabilitation-measures/fear-avoidance-beliefs-questionnaire",
        item_text_bundled=False,
        note="Listed as 'Cost: Free' by RehabMeasures; formal licence terms were not found.",
        source=S_LICENCE,
        evidence="secondary",
    ),
    direction="higher_is_worse",
    items=items_on_scale(range(1, 17), SCALE, source=S_ITEMS, unscored=(1, 8, 13, 14, 16)),
    scores=(
        ScoreRule(
            id="physical_activity",
            label="physical activity",
            role="subscale",
            items=PA_ITEMS,
            aggregate="sum",
            missing=no_missing(S_MISSING),
            range=(0, 24),
            source=S_PA,
        ),
        ScoreRule(
            id="work",
            label="work",
            role="subscale",
            items=W_ITEMS,
            aggregate="sum",
            missing=no_missing(S_MISSING),
            range=(0, 42),
            source=S_W,
        ),
    ),
    primary=None,
    flags=(
        FlagRule(
            "pa_above_14",
            "FABQ-PA > 14",
            "score",
            "physical_activity",
            Interval(14, None, min_inclusive=False),
            INFO,
            S_GEORGE,
            "secondary",
        ),
        FlagRule(
            "work_above_29",
            "FABQ-W > 29",
            "score",
            "work",
            Interval(29, None, min_inclusive=False),
            "Reported for return to work in acute occupational LBP. " + INFO,
            S_GEORGE,
            "secondary",
        ),
        FlagRule(
            "work_above_22",
            "FABQ-W > 22",
            "score",
            "work",
            Interval(22, None, min_inclusive=False),
            INFO,
            S_CPG22,
            "secondary",
        ),
        FlagRule(
            "work_above_34",
            "FABQ-W > 34",
            "score",
            "work",
            Interval(34, None, min_inclusive=False),
            "High risk per Fritz & George 2002 (UNVERIFIED). " + INFO,
            S_FRITZ,
            "unverified",
        ),
    ),
    policy_notes=(
        "No total: the two subscales are reported separately (no validated total).",
        "Each subscale is scored only when all its items are answered; the other may still be scored.",
        "Items 1, 8, 13, 14, 16 are collected but not scored.",
        "Cut-offs are shown as informational flags, never as a diagnosis.",
    ),
    unverified=("FABQ-W > 34 (Fritz & George 2002) was not retrieved.", "Licence terms."),
)

INSTRUMENTS = (FABQ,)
