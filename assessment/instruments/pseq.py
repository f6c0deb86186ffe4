"""Pain Self-Efficacy Questionnaire, PSEQ-10 with the derived PSEQ-2 (instruments.md §7).

Copyright M. K. Nicholas; software terms not found (UNVERIFIED): definition only, no item text.
"""

from __future__ import annotations

from .base import (
    Band,
    ChangeRule,
    Instrument,
    Licence,
    Norm,
    ResponseScale,
    ScoreRule,
    ids,
    items_on_scale,
    no_missing,
)

S_ITEMS = (
    "instruments.md §7 [S:1][S:2][S:3]: Nicholas MK. Eur J Pain 2007;11(2):153-63, "
    "doi:10.1016/j.ejpain.2005.12.008 (10 items 0-6, total 0-60, higher = better)"
)
S_PSEQ2 = (
    "instruments.md §7 [S:4][S:5]: Nicholas MK, McGuire BE, Asghari A. J Pain 2015;16(2):153-63, "
    "doi:10.1016/j.jpain.2014.11.002 (PSEQ-2 = items 5 and 9, 0-12)"
)
S_BANDS = (
    "instruments.md §7 [S:2]: ePPOC bands severe 0-19, moderate 20-30, mild 31-40, minimal 41-60 "
    "(measurely.com.au quoting the ePPOC manual; SECONDARY)"
)
S_MISSING = (
    "instruments.md §7: no published missing rule (UNVERIFIED); policy: not scorable, configurable"
)
S_EPPOC = "instruments.md §7 [S:2], §25 [S:6]: ePPOC: >= 7 points coupled with a move to a different band (SECONDARY)"
S_COMMENCE = "instruments.md §7 [S:6]: MCID 11 points (COMMENCE protocol citing Maughan & Lewis)"
S_MDC = "instruments.md §7 [S:2]: MDC95 up to 11.5 (Dube 2021, via measurely)"
S_NORMS = (
    "instruments.md §7 [S:8]: Nicholas MK et al. Pain 2019;160(5):1156-65 (ePPOC adult mean 20.7)"
)
S_LICENCE = (
    "instruments.md §7 and §27.2: copyright M. K. Nicholas; software terms not found (UNVERIFIED)"
)

SCALE = ResponseScale(0, 6, {0: "Not at all confident", 6: "Completely confident"})
LABELS = {
    "1": "Enjoy things despite pain",
    "2": "Household chores",
    "3": "Socialise",
    "4": "Cope in most situations",
    "5": "Some form of work",
    "6": "Hobbies and leisure",
    "7": "Cope without medication",
    "8": "Accomplish most goals",
    "9": "Normal lifestyle",
    "10": "Gradually become more active",
}
ALL_REQUIRED = no_missing(S_MISSING, "unverified")

PSEQ = Instrument(
    key="pseq",
    version="Nicholas2007",
    name="Pain Self-Efficacy Questionnaire (with PSEQ-2)",
    short_name="PSEQ",
    citation="Nicholas MK. Eur J Pain 2007;11(2):153-63, doi:10.1016/j.ejpain.2005.12.008",
    reference="instruments.md §7",
    licence=Licence(
        status="unverified",
        holder="M. K. Nicholas",
        url="https://doi.org/10.1016/j.ejpain.2005.12.008",
        item_text_bundled=False,
        note="Items are printed in Nicholas 2007; terms for software were not found. Ask the author; "
        "the clinic confirms permission.",
        source=S_LICENCE,
        evidence="unverified",
    ),
    direction="higher_is_better",
    items=items_on_scale(range(1, 11), SCALE, source=S_ITEMS, labels=LABELS),
    scores=(
        ScoreRule(
            id="total",
            label="total",
            role="total",
            items=ids(*range(1, 11)),
            aggregate="sum",
            missing=ALL_REQUIRED,
            range=(0, 60),
            source=S_ITEMS,
            bands=(
                Band("severe", "Severe", 0, 19, 3, S_BANDS, evidence="secondary"),
                Band("moderate", "Moderate", 20, 30, 2, S_BANDS, evidence="secondary"),
                Band("mild", "Mild", 31, 40, 1, S_BANDS, evidence="secondary"),
                Band("minimal", "Minimal", 41, 60, 0, S_BANDS, evidence="secondary"),
            ),
        ),
        ScoreRule(
            id="pseq2",
            label="PSEQ-2",
            role="derived",
            items=("5", "9"),
            aggregate="sum",
            missing=ALL_REQUIRED,
            range=(0, 12),
            source=S_PSEQ2,
        ),
    ),
    primary="total",
    change=(
        ChangeRule(
            id="eppoc",
            score="total",
            kind="clinically_significant",
            improvement="increase",
            points=7,
            requires_band_change=True,
            source=S_EPPOC,
            evidence="secondary",
            note="ePPOC: a change of >= 7 points coupled with a move to a different band.",
        ),
        ChangeRule(
            id="mcid_11",
            score="total",
            kind="mcid",
            improvement="increase",
            points=11,
            source=S_COMMENCE,
            evidence="secondary",
        ),
        ChangeRule(
            id="mdc95",
            score="total",
            kind="mdc",
            improvement="increase",
            points=11.5,
            source=S_MDC,
            evidence="secondary",
            note="MDC95 up to 11.5 points.",
        ),
    ),
    norms=(Norm("total", "ePPOC adults", 20.7, S_NORMS),),
    policy_notes=(
        "Not scored if any item is missing (no published rule; configurable).",
        "Higher = better: 'severe' is the lowest band.",
        "Chiarotto et al. 2016 published MICs for PSEQ/PSEQ-2 in chronic LBP; values not retrieved.",
    ),
    unverified=(
        "Missing-data rule.",
        "Licence terms.",
        "ePPOC bands and change rule come from a secondary page quoting the manual.",
    ),
)

INSTRUMENTS = (PSEQ,)
