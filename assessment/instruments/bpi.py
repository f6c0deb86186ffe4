"""Brief Pain Inventory, short form: severity and interference (instruments.md §8).

Restricted: copyright Dr Charles S. Cleeland; permission and fees. Definition only.
Items 1 (other pain today), 2 (body diagram), 7 (treatments) and 8 (relief %) are not scored and
are not part of this definition.
"""

from __future__ import annotations

from .base import (
    PRORATE,
    Band,
    ChangeRule,
    Instrument,
    Licence,
    MissingRule,
    Norm,
    ResponseScale,
    ScoreRule,
    items_on_scale,
    no_missing,
)

S_ITEMS = (
    "instruments.md §8 [S:1][S:2]: Cleeland CS, The Brief Pain Inventory User Guide (2009); "
    "Cleeland CS, Ryan KM. Ann Acad Med Singapore 1994;23(2):129-38"
)
S_SEVERITY = "instruments.md §8 [S:2][S:3]: severity = arithmetic mean of the four severity items (3-6) (MD Anderson BPI page)"
S_SEVERITY_MISSING = (
    "instruments.md §8: no rule found for severity (UNVERIFIED); policy: all 4 items required"
)
S_INTERFERENCE = (
    "instruments.md §8 [S:2][S:3]: interference = mean of the seven interference items 9A-9G"
)
S_INTERFERENCE_MISSING = (
    "instruments.md §8 [S:3]: ePPOC: 'at least 4 of 7 questions must be completed for this subscale to be valid'; "
    "mean of the answered items"
)
S_WORST = "instruments.md §8 [S:2]: the developer also allows 'worst pain' (item 3) alone"
S_BANDS = "instruments.md §8 [S:3]: ePPOC bands for the average-pain item: 0-4 mild, 5-6 moderate, 7-10 severe"
S_EPPOC_PAIN = "instruments.md §8 [S:3], §25 [S:4]: ePPOC uses >= 30% reduction for average pain"
S_IMMPACT = "instruments.md §8 [S:4]: Dworkin RH et al. J Pain 2008;9(2):105-21, doi:10.1016/j.jpain.2007.09.005"
S_INTERFERENCE_CHANGE = (
    "instruments.md §8 [S:3][S:4], §25: the ePPOC page cites both IMMPACT's 1-point change and '>= 10% ... "
    "ePPOC uses this category' for interference (ambiguous)"
)
S_NORMS = "instruments.md §8 [S:5]: Nicholas MK et al. Pain 2019;160(5):1156-65 (ePPOC means)"
S_LICENCE = "instruments.md §8 [S:1][S:6]: BPI User Guide; sralab.org/rehabilitation-measures/brief-pain-inventory"

SEVERITY = ResponseScale(0, 10, {0: "No pain", 10: "Pain as bad as you can imagine"})
INTERFERENCE = ResponseScale(0, 10, {0: "Does not interfere", 10: "Completely interferes"})
INTERFERENCE_ITEMS = tuple(f"9{letter}" for letter in "ABCDEFG")
PAIN_BANDS = (
    Band("mild", "Mild", 0, 4, 1, S_BANDS),
    Band("moderate", "Moderate", 5, 6, 2, S_BANDS),
    Band("severe", "Severe", 7, 10, 3, S_BANDS),
)

BPI = Instrument(
    key="bpi",
    version="Cleeland-SF",
    name="Brief Pain Inventory, short form",
    short_name="BPI-SF",
    citation="Cleeland CS, Ryan KM. Ann Acad Med Singapore 1994;23(2):129-38",
    reference="instruments.md §8",
    licence=Licence(
        status="restricted",
        holder="Dr Charles S. Cleeland (1991), MD Anderson Cancer Center",
        url="https://www.mdanderson.org/research/departments-labs-institutes/departments-divisions/symptom-research/symptom-assessment-tools/brief-pain-inventory.html",
        item_text_bundled=False,
        note="May not be used or reproduced without permission; fees for use may apply.",
        source=S_LICENCE,
    ),
    direction="higher_is_worse",
    items=(
        *items_on_scale(
            ["3", "4", "5", "6"],
            SEVERITY,
            source=S_ITEMS,
            labels={"3": "Worst pain", "4": "Least pain", "5": "Average pain", "6": "Pain now"},
        ),
        *items_on_scale(
            INTERFERENCE_ITEMS,
            INTERFERENCE,
            source=S_ITEMS,
            labels={
                "9A": "General activity",
                "9B": "Mood",
                "9C": "Walking ability",
                "9D": "Normal work",
                "9E": "Relations with other people",
                "9F": "Sleep",
                "9G": "Enjoyment of life",
            },
        ),
    ),
    scores=(
        ScoreRule(
            id="severity",
            label="pain severity",
            role="subscale",
            items=("3", "4", "5", "6"),
            aggregate="mean",
            missing=no_missing(S_SEVERITY_MISSING, "unverified"),
            range=(0, 10),
            source=S_SEVERITY,
        ),
        ScoreRule(
            id="interference",
            label="interference",
            role="subscale",
            items=INTERFERENCE_ITEMS,
            aggregate="mean",
            missing=MissingRule(3, PRORATE, S_INTERFERENCE_MISSING),
            range=(0, 10),
            source=S_INTERFERENCE,
        ),
        ScoreRule(
            id="average_pain",
            label="average pain",
            role="subscale",
            items=("5",),
            aggregate="sum",
            missing=no_missing("instruments.md §8: a single item; unanswered = not scored"),
            range=(0, 10),
            source=S_BANDS,
            bands=PAIN_BANDS,
        ),
        ScoreRule(
            id="worst_pain",
            label="worst pain",
            role="subscale",
            items=("3",),
            aggregate="sum",
            missing=no_missing("instruments.md §8: a single item; unanswered = not scored"),
            range=(0, 10),
            source=S_WORST,
        ),
    ),
    primary=None,
    change=(
        ChangeRule(
            id="average_pain_30",
            score="average_pain",
            kind="clinically_significant",
            improvement="decrease",
            percent=30,
            source=S_EPPOC_PAIN,
            note="ePPOC: >= 30% reduction in average pain.",
        ),
        *(
            ChangeRule(
                id=f"severity_immpact_{pct}",
                score="severity",
                kind="tier",
                improvement="decrease",
                percent=pct,
                source=S_IMMPACT,
                note=note,
            )
            for pct, note in (
                (10, "IMMPACT minimal"),
                (30, "IMMPACT moderate"),
                (50, "IMMPACT substantial"),
            )
        ),
        ChangeRule(
            id="interference_1_point",
            score="interference",
            kind="mcid",
            improvement="decrease",
            points=1,
            source=S_INTERFERENCE_CHANGE,
            evidence="unverified",
            note="IMMPACT 1 point; ePPOC's page also cites >= 10%. Ambiguous: choose one per clinic.",
        ),
        ChangeRule(
            id="interference_10_percent",
            score="interference",
            kind="clinically_significant",
            improvement="decrease",
            percent=10,
            source=S_INTERFERENCE_CHANGE,
            evidence="unverified",
            note="'>= 10% ... ePPOC uses this category'. Ambiguous: choose one per clinic.",
        ),
    ),
    norms=(
        Norm("severity", "ePPOC adults", 6.4, S_NORMS),
        Norm("interference", "ePPOC adults", 7.0, S_NORMS),
    ),
    policy_notes=(
        "No total: severity and interference are reported separately, with average and worst pain.",
        "Severity needs all 4 items (no rule found); interference needs at least 4 of 7 (ePPOC).",
        "Recall is the last 24 h on the standard form; ePPOC uses the past week.",
        "Bands apply to the average-pain item (ePPOC).",
        "Interference change threshold: 1 point (IMMPACT) or >= 10% (ePPOC) - both listed, the clinic chooses.",
    ),
    unverified=(
        "Severity missing-item rule.",
        "No LOINC panel found.",
        "ePPOC interference threshold (1 point vs 10%).",
    ),
)

INSTRUMENTS = (BPI,)
