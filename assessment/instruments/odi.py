"""Oswestry Disability Index v2.1a (Fairbank & Pynsent 2000; instruments.md §11).

Restricted: distributed by Mapi Research Trust (ePROVIDE). Definition only.
"""

from __future__ import annotations

from .base import (
    PRORATE,
    Band,
    ChangeRule,
    Instrument,
    Licence,
    LoincCode,
    MissingRule,
    MultipleMarkedPolicy,
    NotApplicablePolicy,
    ResponseScale,
    ScoreRule,
    ids,
    items_on_scale,
)

S_ITEMS = (
    "instruments.md §11 [S:1][S:2]: Fairbank JCT, Pynsent PB. Spine 2000;25(22):2940-53, "
    "doi:10.1097/00007632-200011150-00017 (10 sections, each 0-5)"
)
S_SCORE = (
    "instruments.md §11 [S:1][S:3]: ODI % = total / (5 x sections answered) x 100 "
    "(16/50 = 32%; one section missed or not applicable: 16/45 = 35.56%)"
)
S_MISSING = (
    "instruments.md §11 [S:3][S:4]: the scoring sheet shows one missed section; awell-score refuses with more "
    "than one missing. Policy decision, configurable: at most 1"
)
S_NA = "instruments.md §11 [S:3]: 'If one section is missed or not applicable' - not applicable counts as missed"
# The published cut-offs, with labels that describe function. The scoring sheet ([S:3]) and the
# PACIO sample ([S:5]) name the top two bands "crippled" (61-80) and "bed-bound (or exaggerating)"
# (81-100). Those words judge the patient and contradict the clinic's model (pain is neither
# imagined nor a reason to stop; issue #9), so they are kept here only, never in the data.
S_BANDS = (
    "instruments.md §11 [S:3][S:5]: bands of 20 points: 0-20, 21-40, 41-60, 61-80, 81-100 "
    "(published cut-offs; labels reworded to describe function)"
)
S_TWO_MARKED = "instruments.md §11 [S:3]: ODI scoring sheet: 'If two statements are marked, record the higher one'"
S_MIC = "instruments.md §11 [S:6]: Ostelo RW et al. Spine 2008;33(1):90-4 (MIC 10 points or 30%)"
S_MDC = "instruments.md §11 [S:3]: MDC (90%) 10 points per the scoring sheet"
S_MANNION = "instruments.md §11 [S:7]: Mannion AF et al. Eur Spine J 2006 (18% reduction = good outcome after surgery)"
S_LOINC = "instruments.md §11 [S:5]: HL7 PACIO sample-data-fsh EX_jd1_questionnaire-odi.fsh (SECONDARY; verify in LOINC)"
S_LICENCE = "instruments.md §11 [S:2][S:8]: eprovide.mapi-trust.org/odi-oswestry-disability-index; §27.2 restricted"

SCALE = ResponseScale(0, 5, {0: "first statement", 5: "sixth statement"})
LABELS = {
    "1": "Pain intensity",
    "2": "Personal care",
    "3": "Lifting",
    "4": "Walking",
    "5": "Sitting",
    "6": "Standing",
    "7": "Sleeping",
    "8": "Sex life (if applicable)",
    "9": "Social life",
    "10": "Travelling",
}

ODI = Instrument(
    key="odi",
    version="2.1a",
    name="Oswestry Disability Index (version 2.1a)",
    short_name="ODI",
    citation="Fairbank JCT, Pynsent PB. Spine 2000;25(22):2940-53, doi:10.1097/00007632-200011150-00017",
    reference="instruments.md §11",
    licence=Licence(
        status="restricted",
        holder="Mapi Research Trust (ePROVIDE), on behalf of J. Fairbank",
        url="https://eprovide.mapi-trust.org/instruments/oswestry-disability-index",
        item_text_bundled=False,
        note="Roland & Fairbank 2000 say no permission is needed for the forms in their appendix, but v2.1a in "
        "a commercial product goes through Mapi: treat as restricted.",
        source=S_LICENCE,
    ),
    direction="higher_is_worse",
    items=items_on_scale(range(1, 11), SCALE, source=S_ITEMS, labels=LABELS),
    scores=(
        ScoreRule(
            id="total",
            label="disability (%)",
            role="total",
            items=ids(*range(1, 11)),
            aggregate="percent_of_answered_max",
            missing=MissingRule(1, PRORATE, S_MISSING, evidence="policy"),
            range=(0, 100),
            source=S_SCORE,
            # Percentages can fall between the printed whole-number bands (35.56): each band
            # includes its printed upper bound and starts just above the previous one.
            bands=(
                Band("minimal", "Minimal disability", 0, 20, 0, S_BANDS),
                Band("moderate", "Moderate disability", 20, 40, 1, S_BANDS, min_inclusive=False),
                Band("severe", "Severe disability", 40, 60, 2, S_BANDS, min_inclusive=False),
                # published label: "crippled"
                Band(
                    "very_severe",
                    "Very severe disability",
                    60,
                    80,
                    3,
                    S_BANDS,
                    min_inclusive=False,
                ),
                # published label: "bed-bound (or exaggerating)"
                Band(
                    "extreme",
                    "Extreme limitation of function",
                    80,
                    100,
                    4,
                    S_BANDS,
                    min_inclusive=False,
                ),
            ),
            # The raw sum and the most the answered sections could give (16 of 45 = 35.56%).
            report=("raw_sum", "max_possible"),
        ),
    ),
    primary="total",
    not_applicable=NotApplicablePolicy(treat_as="missing", source=S_NA),
    multiple_marked=MultipleMarkedPolicy(rule="highest", source=S_TWO_MARKED),
    change=(
        ChangeRule(
            id="mic",
            score="total",
            kind="mic",
            improvement="decrease",
            points=10,
            percent=30,
            combine="either",
            source=S_MIC,
            note="MIC 10 points or 30% (Ostelo 2008).",
        ),
        ChangeRule(
            id="mdc90", score="total", kind="mdc", improvement="decrease", points=10, source=S_MDC
        ),
        ChangeRule(
            id="good_outcome_surgery",
            score="total",
            kind="mcid",
            improvement="decrease",
            percent=18,
            source=S_MANNION,
            note="18% reduction = good outcome after spinal surgery (Mannion 2006).",
        ),
    ),
    loinc=(
        LoincCode("97908-8", "panel", None, "Oswestry Disability Index", S_LOINC),
        LoincCode("97909-6", "score", "total", "Oswestry Disability Index score", S_LOINC),
    ),
    policy_notes=(
        "At most 1 section may be missed or marked 'does not apply' (configurable); the percentage uses the "
        "answered sections only, never a skipped section as 0 (the HL7 PACIO sample's pitfall).",
        "The percentage is not truncated (35.56, not 35.5); a value between printed bands goes to the higher "
        "band (20.5 is 'moderate').",
        "If two statements are marked, record the higher one (the form's rule): a section may be entered as "
        "the list of marked answers, and the highest counts.",
        "Band labels describe function; the cut-offs are the published ones (bands of 20 points).",
        "Older and modified versions differ (e.g. employment/homemaking instead of sex life): this is v2.1a.",
    ),
    unverified=(
        "Policy for more than 1 missing section.",
        "LOINC 97908-8/97909-6 seen only in an HL7 sample.",
    ),
)

INSTRUMENTS = (ODI,)
