"""Örebro Musculoskeletal Pain Screening Questionnaire: short form (ÖMPSQ-10) and long form
(ÖMPQ, 21 scored items) (instruments.md §1 and §2).

Copyright S. J. Linton; free copying for clinical/research use, commercial-software terms unclear:
definition only, no item text (§27.2).
"""

from __future__ import annotations

from .base import (
    Band,
    FlagRule,
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

S10_ITEMS = (
    "instruments.md §1 [S:2]: awell-score src/scores/orebro/short_version (item order and scales); "
    "Linton SJ, Nicholas M, MacDonald S. Spine 2011;36(22):1891-5, doi:10.1097/BRS.0b013e3181f8f775"
)
S10_REVERSE = "instruments.md §1 [S:2]: items 3, 4 and 8 reverse-scored (10 - x)"
S10_TOTAL = "instruments.md §1 [S:2]: total = sum of the 10 item scores, range 1-100"
S10_CUTOFF = (
    "instruments.md §1 [S:1][S:2]: cut-off 50 (Linton 2011: 'a cutoff of 50 identified 85% and 83% of those "
    "who developed disability'); >= 50 high risk, as awell-score's '> 49'"
)
S10_MISSING = (
    "instruments.md §1 [S:3]: 'all questions should be answered, as missing values will reduce validity' "
    "(Linton 2005, for the long form); policy: not scorable if any item is missing (SECONDARY)"
)
S_LICENCE = (
    "instruments.md §1 [S:4]: ammuppsala.se/lintons-smartenkat ('may be copied freely for research or clinical "
    "use'); commercial terms not stated"
)
S21_ITEMS = (
    "instruments.md §2 [S:1][S:3]: awell-score src/scores/orebro/long_version; WorkCover NSW form "
    "(Linton & Boersma 2003, Clin J Pain 2003;19(2):80-6, doi:10.1097/00002508-200303000-00002)"
)
S21_Q5 = "instruments.md §2 [S:1][S:3]: Q5 = 2 x number of pain sites ticked, maximum 10"
S21_Q6 = "instruments.md §2 [S:3]: Q6 printed codes 0 days = 1 ... > 1 yr = 10 (score from the printed codes)"
S21_REVERSE = "instruments.md §2 [S:1][S:3]: Q12, 16, 17, 21-25 scored 10 - number circled"
S21_CUTOFF = (
    "instruments.md §2 [S:1]: 105 predicted recovery and sick leave (Linton & Hallden 1998); boundary "
    "not stated, >= 105 used (policy)"
)
S21_BACK = (
    "instruments.md §2 [S:1]: 130 predicted failure to return to work in NSW workers with back injury screened "
    "at 4-12 weeks (Dunstan 2005); boundary not stated, >= 130 used (policy)"
)
S21_MISSING = (
    "instruments.md §2 [S:1]: 'all questions should be answered' (SECONDARY); policy: not scorable"
)

DURATION = ResponseScale(
    1,
    10,
    {
        1: "0-1 week", 2: "1-2 weeks", 3: "3-4 weeks", 4: "4-5 weeks", 5: "6-8 weeks",
        6: "9-11 weeks", 7: "3-6 months", 8: "6-9 months", 9: "9-12 months", 10: "over 1 year",
    },
)  # fmt: skip
ZERO_TEN = ResponseScale(0, 10)

LICENCE = Licence(
    status="free_ask_commercial",
    holder="S. J. Linton (Örebro University)",
    url="https://ammuppsala.se/lintons-smartenkat",
    item_text_bundled=False,
    note="May be copied freely for research or clinical use; ask Linton / Örebro University before use in a "
    "commercial software product.",
    source=S_LICENCE,
    evidence="secondary",
)

OMPSQ10 = Instrument(
    key="ompsq10",
    version="Linton2011",
    name="Örebro Musculoskeletal Pain Screening Questionnaire, short form (10 items)",
    short_name="ÖMPSQ-10",
    citation="Linton SJ, Nicholas M, MacDonald S. Spine 2011;36(22):1891-5, doi:10.1097/BRS.0b013e3181f8f775",
    reference="instruments.md §1",
    licence=LICENCE,
    direction="higher_is_worse",
    items=(
        Item("1", "Duration of current pain", DURATION, S10_ITEMS),
        *items_on_scale(
            range(2, 11),
            ZERO_TEN,
            source=f"{S10_ITEMS}; {S10_REVERSE}",
            reverse=(3, 4, 8),
            labels={
                "2": "Pain over the past week",
                "3": "Able to do light work for an hour",
                "4": "Able to sleep at night",
                "5": "Tense or anxious",
                "6": "Bothered by feeling depressed",
                "7": "Risk that pain becomes persistent",
                "8": "Chances of working in 3 months",
                "9": "Belief: increased pain means stop",
                "10": "Belief: should not work with present pain",
            },
        ),
    ),
    scores=(
        ScoreRule(
            id="total",
            label="total",
            role="total",
            items=ids(*range(1, 11)),
            aggregate="sum",
            missing=no_missing(S10_MISSING, "secondary"),
            range=(1, 100),
            source=S10_TOTAL,
            bands=(
                Band("low_risk", "Below cut-off", 1, 49, 0, S10_CUTOFF),
                Band(
                    "high_risk",
                    "High risk of long-term disability or sick leave",
                    50,
                    100,
                    3,
                    S10_CUTOFF,
                ),
            ),
        ),
    ),
    primary="total",
    policy_notes=(
        "Not scored if any item is missing; awell-score silently sums whatever items are present (§1 [S:2]).",
        "Cut-offs of 40 or 60 from later studies vary by population and are not used.",
    ),
    unverified=(
        "No MCID or reliable-change values published for the short form.",
        "Licence terms for commercial software.",
    ),
)

LABELS_21 = {
    "5": "Pain sites (number ticked)",
    "6": "Days off work in past 18 months",
    "7": "Duration of current pain",
}
Q5_SITES = ResponseScale(
    0, 7, {0: "no site", 7: "all 7 sites"}
)  # neck, shoulder, arm, upper back, lower back, leg, other
Q6_DAYS_OFF = ResponseScale(
    1,
    10,
    {
        1: "0 days", 2: "1-2 days", 3: "3-7 days", 4: "8-14 days", 5: "15-30 days",
        6: "1 month", 7: "2 months", 8: "3-6 months", 9: "6-12 months", 10: "over 1 year",
    },
)  # fmt: skip
DIRECT_21 = (8, 9, 10, 11, 13, 14, 15, 18, 19, 20)
REVERSED_21 = (12, 16, 17, 21, 22, 23, 24, 25)

OMPQ21 = Instrument(
    key="ompq21",
    version="LintonBoersma2003",
    name="Örebro Musculoskeletal Pain Questionnaire, long form (25 items, 21 scored)",
    short_name="ÖMPQ",
    citation="Linton SJ, Boersma K. Clin J Pain 2003;19(2):80-6, doi:10.1097/00002508-200303000-00002",
    reference="instruments.md §2",
    licence=LICENCE,
    direction="higher_is_worse",
    items=(
        Item("5", LABELS_21["5"], Q5_SITES, S21_Q5, recode={n: min(2 * n, 10) for n in range(8)}),
        Item("6", LABELS_21["6"], Q6_DAYS_OFF, S21_Q6),
        Item("7", LABELS_21["7"], DURATION, S21_ITEMS),
        *sorted(
            (
                *items_on_scale(DIRECT_21, ZERO_TEN, source=S21_ITEMS),
                *items_on_scale(REVERSED_21, ZERO_TEN, source=S21_REVERSE, reverse=REVERSED_21),
            ),
            key=lambda item: int(item.id),
        ),
    ),
    scores=(
        ScoreRule(
            id="total",
            label="total",
            role="total",
            items=ids(*range(5, 26)),
            aggregate="sum",
            missing=no_missing(S21_MISSING, "secondary"),
            range=(2, 210),
            source=S21_ITEMS,
            bands=(
                Band("below_cutoff", "Below cut-off", 2, 104, 0, S21_CUTOFF, evidence="policy"),
                Band("high_risk", "High risk (>= 105)", 105, 210, 3, S21_CUTOFF, evidence="policy"),
            ),
        ),
    ),
    primary="total",
    flags=(
        FlagRule(
            id="back_injury_cutoff",
            label="Total >= 130 (workers with back injury)",
            kind="score",
            target="total",
            when=Interval(130, None),
            message="In workers with a back injury screened at 4-12 weeks, 130 predicted failure to return to work "
            "(Dunstan 2005). Informational only.",
            source=S21_BACK,
            evidence="policy",
        ),
    ),
    policy_notes=(
        "Items 1-4 are demographic and not scored; they are not part of this definition.",
        "Q5 is entered as the number of pain sites ticked (0-7) and scored 2 per site, maximum 10.",
        "Q6 uses the printed codes (0 days = 1); one public implementation wrongly codes 0 days as 0 (§2 [S:4]).",
        "Cut-offs 105 and 130 applied as >= (boundary semantics not stated).",
        "Not scored if any item is missing.",
        "The lowest possible total is 2 (Q6 and Q7 start at 1).",
    ),
    unverified=(
        "Whether the cut-off is >= 105 or > 105.",
        "Licence terms for commercial software.",
    ),
)

INSTRUMENTS = (OMPSQ10, OMPQ21)
