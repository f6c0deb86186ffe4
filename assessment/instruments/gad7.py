"""GAD-7 with the derived GAD-2 (instruments.md §14).

Pfizer: no permission required; the item text ships (§27.2).
"""

from __future__ import annotations

from .base import (
    PRORATE,
    Band,
    ChangeRule,
    FlagRule,
    Instrument,
    Interval,
    Licence,
    LoincCode,
    MissingRule,
    ResponseScale,
    ScoreRule,
    ids,
    items_on_scale,
    no_missing,
)

S_ITEMS = (
    "instruments.md §14 [S:1][S:2]: Spitzer RL et al. Arch Intern Med 2006;166(10):1092-7, "
    "doi:10.1001/archinte.166.10.1092 (7 items 0-3, total 0-21)"
)
S_BANDS = "instruments.md §14 [S:1][S:2]: Spitzer 2006 (0-4 minimal, 5-9 mild, 10-14 moderate, 15-21 severe; >= 10 probable GAD)"
S_MISSING = (
    "instruments.md §14: no developer rule (UNVERIFIED); policy: the PHQ-9 NHS rule scaled to 7 items, "
    "at most 1 missing item replaced by the mean of the answered items"
)
S_GAD2 = (
    "instruments.md §14 [S:3][S:4]: Kroenke K et al. Ann Intern Med 2007;146(5):317-25, "
    "doi:10.7326/0003-4819-146-5-200703060-00004 (items 1 + 2, 0-6; >= 3 positive)"
)
S_GAD2_MISSING = "instruments.md §14: no missing rule for the GAD-2; policy: both items required"
S_MCID = "instruments.md §14 [S:5]: Toussaint A et al. J Affect Disord 2020;265:395-401 (MCID about 4; UNVERIFIED)"
S_LOINC = "instruments.md §14 [S:2]: jmandel/ktc-questionnaire-starters (LOINC panel 69737-5)"

FREQUENCY = ResponseScale(
    0, 3, {0: "Not at all", 1: "Several days", 2: "More than half the days", 3: "Nearly every day"}
)

TEXTS = {
    "1": "Feeling nervous, anxious, or on edge",
    "2": "Not being able to stop or control worrying",
    "3": "Worrying too much about different things",
    "4": "Trouble relaxing",
    "5": "Being so restless that it is hard to sit still",
    "6": "Becoming easily annoyed or irritable",
    "7": "Feeling afraid, as if something awful might happen",
}
LABELS = {
    "1": "Nervous or on edge",
    "2": "Uncontrollable worry",
    "3": "Worrying too much",
    "4": "Trouble relaxing",
    "5": "Restlessness",
    "6": "Irritability",
    "7": "Fear something awful might happen",
}

GAD7 = Instrument(
    key="gad7",
    version="Spitzer2006",
    name="Generalized Anxiety Disorder-7 (with GAD-2)",
    short_name="GAD-7",
    citation="Spitzer RL, Kroenke K, Williams JBW, Loewe B. Arch Intern Med 2006;166(10):1092-7, doi:10.1001/archinte.166.10.1092",
    reference="instruments.md §14",
    licence=Licence(
        status="free",
        holder="Pfizer Inc. (developed by Drs R. L. Spitzer, J. B. W. Williams, K. Kroenke and colleagues)",
        url="https://www.phqscreeners.com/",
        item_text_bundled=True,
        note="No permission required to reproduce, translate, display or distribute.",
        source="instruments.md §14 [S:2] and §27.2",
    ),
    direction="higher_is_worse",
    instructions="Over the last 2 weeks, how often have you been bothered by the following problems?",
    items=items_on_scale(range(1, 8), FREQUENCY, source=S_ITEMS, labels=LABELS, texts=TEXTS),
    scores=(
        ScoreRule(
            id="total",
            label="total",
            role="total",
            items=ids(*range(1, 8)),
            aggregate="sum",
            missing=MissingRule(1, PRORATE, S_MISSING, evidence="policy"),
            range=(0, 21),
            source=S_ITEMS,
            bands=(
                Band("minimal", "Minimal", 0, 5, 0, S_BANDS, max_inclusive=False),
                Band("mild", "Mild", 5, 10, 1, S_BANDS, max_inclusive=False),
                Band("moderate", "Moderate", 10, 15, 2, S_BANDS, max_inclusive=False),
                Band("severe", "Severe", 15, 21, 3, S_BANDS),
            ),
        ),
        ScoreRule(
            id="gad2",
            label="GAD-2",
            role="derived",
            items=("1", "2"),
            aggregate="sum",
            missing=no_missing(S_GAD2_MISSING),
            range=(0, 6),
            source=S_GAD2,
            bands=(
                Band("negative", "Negative screen", 0, 2, 0, S_GAD2),
                Band("positive", "Positive screen", 3, 6, 2, S_GAD2),
            ),
        ),
    ),
    primary="total",
    flags=(
        FlagRule(
            id="probable_gad",
            label="Total >= 10: probable generalised anxiety disorder",
            kind="score",
            target="total",
            when=Interval(10, None),
            message="GAD-7 total >= 10 suggests probable generalised anxiety disorder.",
            source=S_BANDS,
        ),
    ),
    change=(
        ChangeRule(
            id="mcid",
            score="total",
            kind="mcid",
            improvement="decrease",
            points=4,
            source=S_MCID,
            evidence="unverified",
            note="MCID about 4 points (Toussaint 2020; abstract not retrieved).",
        ),
    ),
    loinc=(
        LoincCode(
            "69737-5",
            "panel",
            None,
            "Generalized anxiety disorder 7 item (GAD-7)",
            S_LOINC,
            "verified",
        ),
        LoincCode("70274-6", "score", "total", "GAD-7 total score", S_LOINC, "verified"),
        *(
            LoincCode(code, "item", str(n), LABELS[str(n)], S_LOINC, "verified")
            for n, code in enumerate(
                ["69725-0", "68509-9", "69733-4", "69734-2", "69735-9", "69689-8", "69736-7"],
                start=1,
            )
        ),
    ),
    policy_notes=(
        "At most 1 missing item, replaced by the mean of the answered items (PHQ-9 rule scaled to 7 items); "
        "check against local NHS Talking Therapies practice.",
        "The GAD-2 is derived from items 1 and 2 and needs both. No dedicated GAD-2 LOINC panel: use the two item codes.",
    ),
    unverified=(
        "GAD-7 missing-item rule (no developer rule found).",
        "MCID value of about 4 points (abstract not retrieved).",
        "Whether a GAD-2 LOINC panel exists.",
    ),
)

INSTRUMENTS = (GAD7,)
