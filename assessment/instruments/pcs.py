"""Pain Catastrophizing Scale (instruments.md §5).

Restricted: licensed by Mapi Research Trust on behalf of Dr Michael Sullivan. Definition only.
"""

from __future__ import annotations

from .base import (
    Band,
    ChangeRule,
    Instrument,
    Interval,
    Licence,
    Norm,
    ResponseScale,
    ScoreRule,
    ids,
    items_on_scale,
    no_missing,
)

S_ITEMS = (
    "instruments.md §5 [S:1][S:2]: Sullivan MJL, Bishop SR, Pivik J. Psychol Assess 1995;7(4):524-32, "
    "doi:10.1037/1040-3590.7.4.524 (13 items 0-4, no reverse items, total 0-52)"
)
S_SUBSCALES = (
    "instruments.md §5 [S:2][S:3]: rumination 8-11, magnification 6, 7, 13, helplessness 1-5, 12 "
    "(awell-score src/scores/pcs; RehabMeasures)"
)
S_CUTOFF = (
    "instruments.md §5 [S:3][S:4]: 30 = clinically relevant catastrophizing (about the 75th percentile; PCS "
    "User Manual 2009); sources say '30 or above' or 'above 30': >= 30 used, configurable (SECONDARY)"
)
S_MISSING = (
    "instruments.md §5: the manual gives no prorating rule (UNVERIFIED); policy: not scorable"
)
S_SCOTT = "instruments.md §5 [S:5]: 38% reduction clinically meaningful (Scott et al. 2014, cited in COMMENCE)"
S_MIC = (
    "instruments.md §5 [S:6]: Rocca B et al. Eur J Phys Rehabil Med 2022;58(1):68-75, "
    "doi:10.23736/S1973-9087.21.06729-0 (MIC 8; 11 if baseline > 30)"
)
S_NORMS = "instruments.md §5 [S:7]: Nicholas MK et al. Pain 2019;160(5):1156-65, doi:10.1097/j.pain.0000000000001496 (ePPOC)"
S_LICENCE = "instruments.md §5 [S:8]: sullivan-painresearch.mcgill.ca/pcs.php; §27.2 restricted"

SCALE = ResponseScale(
    0,
    4,
    {
        0: "Not at all",
        1: "To a slight degree",
        2: "To a moderate degree",
        3: "To a great degree",
        4: "All the time",
    },
)
RUMINATION = ids(8, 9, 10, 11)
MAGNIFICATION = ids(6, 7, 13)
HELPLESSNESS = ids(1, 2, 3, 4, 5, 12)
ALL_REQUIRED = no_missing(S_MISSING, "unverified")

PCS = Instrument(
    key="pcs",
    version="Sullivan1995",
    name="Pain Catastrophizing Scale",
    short_name="PCS",
    citation="Sullivan MJL, Bishop SR, Pivik J. Psychol Assess 1995;7(4):524-32, doi:10.1037/1040-3590.7.4.524",
    reference="instruments.md §5",
    licence=Licence(
        status="restricted",
        holder="Mapi Research Trust, on behalf of Dr Michael Sullivan (copyright owner)",
        url="https://sullivan-painresearch.mcgill.ca/pcs.php",
        item_text_bundled=False,
        note="Licensed and distributed by Mapi Research Trust: ship the definition only; the clinic needs a licence.",
        source=S_LICENCE,
    ),
    direction="higher_is_worse",
    items=items_on_scale(range(1, 14), SCALE, source=S_ITEMS),
    scores=(
        ScoreRule(
            id="total",
            label="total",
            role="total",
            items=ids(*range(1, 14)),
            aggregate="sum",
            missing=ALL_REQUIRED,
            range=(0, 52),
            source=S_ITEMS,
            bands=(
                Band(
                    "below_cutoff",
                    "Below clinical cut-off",
                    0,
                    29,
                    0,
                    S_CUTOFF,
                    evidence="secondary",
                ),
                Band(
                    "clinically_relevant",
                    "Clinically relevant catastrophizing",
                    30,
                    52,
                    3,
                    S_CUTOFF,
                    evidence="secondary",
                ),
            ),
        ),
        ScoreRule(
            id="rumination",
            label="rumination",
            role="subscale",
            items=RUMINATION,
            aggregate="sum",
            missing=ALL_REQUIRED,
            range=(0, 16),
            source=S_SUBSCALES,
        ),
        ScoreRule(
            id="magnification",
            label="magnification",
            role="subscale",
            items=MAGNIFICATION,
            aggregate="sum",
            missing=ALL_REQUIRED,
            range=(0, 12),
            source=S_SUBSCALES,
        ),
        ScoreRule(
            id="helplessness",
            label="helplessness",
            role="subscale",
            items=HELPLESSNESS,
            aggregate="sum",
            missing=ALL_REQUIRED,
            range=(0, 24),
            source=S_SUBSCALES,
        ),
    ),
    primary="total",
    change=(
        ChangeRule(
            id="percent_38",
            score="total",
            kind="mcid",
            improvement="decrease",
            percent=38,
            source=S_SCOTT,
            evidence="secondary",
            note="38% reduction = clinically meaningful (Scott 2014).",
        ),
        ChangeRule(
            id="mic_8",
            score="total",
            kind="mic",
            improvement="decrease",
            points=8,
            baseline=Interval(None, 30),
            source=S_MIC,
            evidence="secondary",
            note="MIC 8 points in chronic LBP rehabilitation (baseline <= 30).",
        ),
        ChangeRule(
            id="mic_11",
            score="total",
            kind="mic",
            improvement="decrease",
            points=11,
            baseline=Interval(30, None, min_inclusive=False),
            source=S_MIC,
            evidence="secondary",
            note="MIC 11 points when baseline > 30.",
        ),
    ),
    norms=(
        Norm("total", "ePPOC adults", 29.8, S_NORMS),
        Norm("rumination", "ePPOC adults", 10.0, S_NORMS),
        Norm("magnification", "ePPOC adults", 5.9, S_NORMS),
        Norm("helplessness", "ePPOC adults", 14.1, S_NORMS),
    ),
    policy_notes=(
        "Cut-off applied as >= 30 ('30 or above'); configurable.",
        "Not scored if any item is missing (no prorating rule in the manual).",
        "ePPOC's PCS change threshold was not found; 38% (Scott 2014) is a common choice.",
    ),
    unverified=(
        "Boundary wording at exactly 30.",
        "Manual missing-data rule.",
        "ePPOC's PCS change threshold.",
    ),
)

INSTRUMENTS = (PCS,)
