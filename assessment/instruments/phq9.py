"""PHQ-9 with the derived PHQ-2, and the item-9 safety flag (instruments.md §13).

Pfizer: "no permission required" to reproduce, translate, display or distribute; the item text ships.
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
    "instruments.md §13 [S:1][S:2]: Kroenke K, Spitzer RL, Williams JBW. J Gen Intern Med 2001;16(9):606-13, "
    "doi:10.1046/j.1525-1497.2001.016009606.x (9 items 0-3, total 0-27; item 10 not scored)"
)
S_BANDS = "instruments.md §13 [S:1][S:3]: Kroenke 2001; NHS Data Dictionary (0-4/5-9/10-14/15-19/20-27; >= 10 clinically significant)"
S_MISSING = (
    "instruments.md §13 [S:3]: NHS Data Dictionary 'Patient Health Questionnaire-9': one or two missing values "
    "substituted with the average of the non-missing items; more than two missing = disregard"
)
S_ITEM9 = "instruments.md §13 [S:2]: any non-zero answer to item 9 triggers the safety workflow, whatever the total; missing = unknown"
S_PHQ2 = (
    "instruments.md §13 [S:4]: Kroenke K, Spitzer RL, Williams JBW. Med Care 2003;41(11):1284-92, "
    "doi:10.1097/01.MLR.0000093487.78664.3C (items 1 + 2, 0-6; >= 3 positive)"
)
S_PHQ2_MISSING = "instruments.md §13: no missing rule for the PHQ-2; policy: both items required"
S_CHANGE = "instruments.md §13 [S:5]: Loewe et al. 2004, cited in the COMMENCE protocol, doi:10.1186/s13063-015-0994-5"
S_RESPONSE = "instruments.md §13: response = >= 50% reduction; remission < 5 (UNVERIFIED)"
S_LOINC = "instruments.md §13 [S:2]: jmandel/ktc-questionnaire-starters (LOINC panel 44249-1)"
S_LOINC_PHQ2 = (
    "instruments.md §13 [S:6]: PHQ-2 panel 55757-9 and total 55758-7 seen in public FHIR data"
)

FREQUENCY = ResponseScale(
    0, 3, {0: "Not at all", 1: "Several days", 2: "More than half the days", 3: "Nearly every day"}
)
DIFFICULTY = ResponseScale(
    0,
    3,
    {
        0: "Not difficult at all",
        1: "Somewhat difficult",
        2: "Very difficult",
        3: "Extremely difficult",
    },
)

TEXTS = {
    "1": "Little interest or pleasure in doing things",
    "2": "Feeling down, depressed, or hopeless",
    "3": "Trouble falling or staying asleep, or sleeping too much",
    "4": "Feeling tired or having little energy",
    "5": "Poor appetite or overeating",
    "6": "Feeling bad about yourself - or that you are a failure or have let yourself or your family down",
    "7": "Trouble concentrating on things, such as reading the newspaper or watching television",
    "8": "Moving or speaking so slowly that other people could have noticed - or the opposite, being so "
    "fidgety or restless that you have been moving around a lot more than usual",
    "9": "Thoughts that you would be better off dead, or of hurting yourself in some way",
    "10": "If you checked off any problems, how difficult have these problems made it for you to do your work, "
    "take care of things at home, or get along with other people?",
}
LABELS = {
    "1": "Interest or pleasure",
    "2": "Low mood",
    "3": "Sleep",
    "4": "Energy",
    "5": "Appetite",
    "6": "Self-worth",
    "7": "Concentration",
    "8": "Psychomotor change",
    "9": "Thoughts of death or self-harm",
    "10": "Functional difficulty (not scored)",
}

PHQ9 = Instrument(
    key="phq9",
    version="Kroenke2001",
    name="Patient Health Questionnaire-9 (with PHQ-2)",
    short_name="PHQ-9",
    citation="Kroenke K, Spitzer RL, Williams JBW. J Gen Intern Med 2001;16(9):606-13, doi:10.1046/j.1525-1497.2001.016009606.x",
    reference="instruments.md §13",
    licence=Licence(
        status="free",
        holder="Pfizer Inc. (developed by Drs R. L. Spitzer, J. B. W. Williams, K. Kroenke and colleagues)",
        url="https://www.phqscreeners.com/",
        item_text_bundled=True,
        note="No permission required to reproduce, translate, display or distribute.",
        source="instruments.md §13 [S:2] and §27.2",
    ),
    direction="higher_is_worse",
    instructions="Over the last 2 weeks, how often have you been bothered by any of the following problems?",
    items=(
        *items_on_scale(range(1, 10), FREQUENCY, source=S_ITEMS, labels=LABELS, texts=TEXTS),
        *items_on_scale(
            ["10"], DIFFICULTY, source=S_ITEMS, labels=LABELS, texts=TEXTS, unscored=["10"]
        ),
    ),
    scores=(
        ScoreRule(
            id="total",
            label="total",
            role="total",
            items=ids(*range(1, 10)),
            aggregate="sum",
            missing=MissingRule(2, PRORATE, S_MISSING),
            range=(0, 27),
            source=S_ITEMS,
            # Prorated totals can be fractional (20.25): bands are half-open so every value has one.
            bands=(
                Band("minimal", "Minimal", 0, 5, 0, S_BANDS, max_inclusive=False),
                Band("mild", "Mild", 5, 10, 1, S_BANDS, max_inclusive=False),
                Band("moderate", "Moderate", 10, 15, 2, S_BANDS, max_inclusive=False),
                Band(
                    "moderately_severe",
                    "Moderately severe",
                    15,
                    20,
                    3,
                    S_BANDS,
                    max_inclusive=False,
                ),
                Band("severe", "Severe", 20, 27, 4, S_BANDS),
            ),
        ),
        ScoreRule(
            id="phq2",
            label="PHQ-2",
            role="derived",
            items=("1", "2"),
            aggregate="sum",
            missing=no_missing(S_PHQ2_MISSING),
            range=(0, 6),
            source=S_PHQ2,
            bands=(
                Band("negative", "Negative screen", 0, 2, 0, S_PHQ2),
                Band("positive", "Positive screen", 3, 6, 2, S_PHQ2),
            ),
        ),
    ),
    primary="total",
    flags=(
        FlagRule(
            id="item9_self_harm",
            label="Item 9: thoughts of death or self-harm",
            kind="item",
            target="9",
            when=Interval(1, 3),
            message="Item 9 is above 0: follow the safety workflow now, whatever the total. "
            "If item 9 is unanswered, ask it: unknown is not 'no risk'.",
            source=S_ITEM9,
        ),
        FlagRule(
            id="clinically_significant",
            label="Total >= 10: clinically significant depression",
            kind="score",
            target="total",
            when=Interval(10, None),
            message="PHQ-9 total >= 10 suggests clinically significant depression.",
            source=S_BANDS,
        ),
    ),
    change=(
        ChangeRule(
            id="clinically_significant_change",
            score="total",
            kind="mcid",
            improvement="decrease",
            points=5,
            source=S_CHANGE,
            evidence="secondary",
            note="5 points = clinically significant change (Loewe 2004).",
        ),
        ChangeRule(
            id="response",
            score="total",
            kind="response",
            improvement="decrease",
            percent=50,
            source=S_RESPONSE,
            evidence="unverified",
            note="Response = >= 50% reduction from baseline.",
        ),
        ChangeRule(
            id="remission",
            score="total",
            kind="remission",
            improvement="decrease",
            target=Interval(0, 5, max_inclusive=False),
            source=S_RESPONSE,
            evidence="unverified",
            note="Remission = total < 5.",
        ),
    ),
    loinc=(
        LoincCode(
            "44249-1", "panel", None, "PHQ-9 quick depression assessment panel", S_LOINC, "verified"
        ),
        LoincCode("44261-6", "score", "total", "PHQ-9 total score", S_LOINC, "verified"),
        *(
            LoincCode(code, "item", str(n), LABELS[str(n)], S_LOINC, "verified")
            for n, code in enumerate(
                [
                    "44250-9",
                    "44255-8",
                    "44259-0",
                    "44254-1",
                    "44251-7",
                    "44258-2",
                    "44252-5",
                    "44253-3",
                    "44260-8",
                ],
                start=1,
            )
        ),
        LoincCode("55757-9", "panel", "phq2", "PHQ-2 panel", S_LOINC_PHQ2),
        LoincCode("55758-7", "score", "phq2", "PHQ-2 total score", S_LOINC_PHQ2),
    ),
    policy_notes=(
        "Up to 2 missing items are replaced by the mean of the answered items (NHS Data Dictionary); the "
        "total is not rounded, and bands are applied as half-open intervals (9.5 is 'mild').",
        "A missing item 9 is shown as 'unknown', never as 'no risk'; the flag is reported even when the "
        "total cannot be scored.",
        "The PHQ-2 is derived from items 1 and 2 and needs both.",
        "Use the option's ordinal (0-3), not LOINC's answer 'Score' field (§13 [S:2]).",
    ),
    unverified=(
        "Response (>= 50% reduction) and remission (< 5) thresholds are UNVERIFIED.",
        "PHQ-2 LOINC codes 55757-9/55758-7 are SECONDARY.",
    ),
)

INSTRUMENTS = (PHQ9,)
