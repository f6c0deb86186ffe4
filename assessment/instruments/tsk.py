"""Tampa Scale for Kinesiophobia: TSK-17 (with TSK-11 derived) and TSK-11 (instruments.md §4).

No licence restrictions found (UNVERIFIED): definitions only, no item text.
"""

from __future__ import annotations

from .base import (
    Band,
    ChangeRule,
    Instrument,
    Licence,
    ReliableChangeParameters,
    ResponseScale,
    ScoreRule,
    ids,
    items_on_scale,
    no_missing,
)

S_TSK17 = (
    "instruments.md §4 [S:1][S:2]: Vlaeyen JW et al. Pain 1995;62(3):363-72, doi:10.1016/0304-3959(94)00279-N; "
    "17 items 1-4, reverse items 4, 8, 12, 16 as 5 - x, total 17-68"
)
S_CUTOFF = (
    "instruments.md §4 [S:1]: > 37 = high kinesiophobia (Vlaeyen 1995, SECONDARY; original not re-read). "
    "awell-score's code uses >= 37; the boundary is configurable"
)
S_TSK11 = (
    "instruments.md §4 [S:3]: Woby SR et al. Pain 2005;117(1-2):137-44, doi:10.1016/j.pain.2005.05.029; "
    "TSK-11 keeps TSK-17 items 1, 2, 3, 5, 6, 7, 10, 11, 13, 15, 17, no reversal, total 11-44"
)
S_MISSING = "instruments.md §4: no published missing-item rule; policy: not scorable (UNVERIFIED)"
S_CHANGE = (
    "instruments.md §4 [S:3]: Woby 2005: a reduction of at least 4 points on both TSK-17 and TSK-11"
)
S_SEM17 = "instruments.md §4 [S:3]: Woby 2005, TSK-17 SEM 3.16"
S_SEM11 = "instruments.md §4 [S:3]: Woby 2005, TSK-11 SEM 2.54"
S_MID56 = "instruments.md §4 [S:4]: Hapidou 2012, cited in the COMMENCE protocol, doi:10.1186/s13063-015-0994-5"
S_LICENCE = "instruments.md §4 and §27.2: no restrictions found (UNVERIFIED)"
# The TSK-11 has no published cut-off (instruments.md §4). Clinic POLICY, UNVERIFIED: the TSK-17
# cut-off (> 37 of 17 items, a mean item score above 37/17 = 2.18) carried over per item to 11
# items gives > 23.9, i.e. a total of 24 or more. One place for it: the profile, the suggestions
# and the team lead's attention lists all read this band.
S_TSK11_POLICY = (
    "Clinic policy, UNVERIFIED: no TSK-11 cut-off is published (instruments.md §4); the TSK-17 "
    "cut-off > 37 (Vlaeyen 1995) carried over per item gives TSK-11 >= 24"
)

AGREE4 = ResponseScale(
    1, 4, {1: "Strongly disagree", 2: "Somewhat disagree", 3: "Somewhat agree", 4: "Strongly agree"}
)
TSK11_FROM_TSK17 = ids(1, 2, 3, 5, 6, 7, 10, 11, 13, 15, 17)

LICENCE = Licence(
    status="unverified",
    holder="Kori SH, Miller RP, Todd DD (1990); Miller, Kori & Todd 1991 (unpublished report)",
    url="https://doi.org/10.1016/0304-3959(94)00279-N",
    item_text_bundled=False,
    note="No restrictions found (UNVERIFIED); the clinic imports the wording under its own responsibility.",
    source=S_LICENCE,
    evidence="unverified",
)

TSK17 = Instrument(
    key="tsk17",
    version="Vlaeyen1995",
    name="Tampa Scale for Kinesiophobia (17 items)",
    short_name="TSK-17",
    citation="Vlaeyen JW et al. Pain 1995;62(3):363-72, doi:10.1016/0304-3959(94)00279-N",
    reference="instruments.md §4",
    licence=LICENCE,
    direction="higher_is_worse",
    items=items_on_scale(range(1, 18), AGREE4, source=S_TSK17, reverse=(4, 8, 12, 16)),
    scores=(
        ScoreRule(
            id="total",
            label="total",
            role="total",
            items=ids(*range(1, 18)),
            aggregate="sum",
            missing=no_missing(S_MISSING, "unverified"),
            range=(17, 68),
            source=S_TSK17,
            bands=(
                Band("not_high", "Not high", 17, 37, 0, S_CUTOFF, evidence="secondary"),
                Band(
                    "high",
                    "High kinesiophobia",
                    37,
                    68,
                    3,
                    S_CUTOFF,
                    min_inclusive=False,
                    evidence="secondary",
                ),
            ),
        ),
        ScoreRule(
            id="tsk11",
            label="TSK-11",
            role="derived",
            items=TSK11_FROM_TSK17,
            aggregate="sum",
            missing=no_missing(S_MISSING, "unverified"),
            range=(11, 44),
            source=S_TSK11,
        ),
    ),
    primary="total",
    change=(
        ChangeRule(
            id="mcid", score="total", kind="mcid", improvement="decrease", points=4, source=S_CHANGE
        ),
        ChangeRule(
            id="mcid_tsk11",
            score="tsk11",
            kind="mcid",
            improvement="decrease",
            points=4,
            source=S_CHANGE,
        ),
    ),
    rci=(
        ReliableChangeParameters(score="total", sem=3.16, source=S_SEM17),
        ReliableChangeParameters(score="tsk11", sem=2.54, source=S_SEM11),
    ),
    policy_notes=(
        "High kinesiophobia is > 37 (37 itself is 'not high'); awell-score uses >= 37. The boundary is a "
        "band bound in this definition and can be changed in a clinic variant.",
        "The TSK-11 is also derived from the 17 answers (same items, no reversal).",
        "Two-factor subscales (somatic focus / activity avoidance) are not standard and are not scored.",
    ),
    unverified=(
        "Cut-off boundary > 37 vs >= 37 (Vlaeyen 1995 not re-read).",
        "Missing-item rule (none published): not scorable if any item is missing.",
        "Licence: no restrictions found.",
    ),
)

TSK11 = Instrument(
    key="tsk11",
    version="Woby2005",
    name="Tampa Scale for Kinesiophobia (11 items)",
    short_name="TSK-11",
    citation="Woby SR et al. Pain 2005;117(1-2):137-44, doi:10.1016/j.pain.2005.05.029",
    reference="instruments.md §4",
    licence=LICENCE,
    direction="higher_is_worse",
    items=items_on_scale(
        range(1, 12),
        AGREE4,
        source=S_TSK11,
        labels={
            str(n): f"Item {n} (TSK-17 item {old})"
            for n, old in enumerate(TSK11_FROM_TSK17, start=1)
        },
    ),
    scores=(
        ScoreRule(
            id="total",
            label="total",
            role="total",
            items=ids(*range(1, 12)),
            aggregate="sum",
            missing=no_missing(S_MISSING, "unverified"),
            range=(11, 44),
            source=S_TSK11,
            bands=(
                Band(
                    "not_high",
                    "Not high",
                    11,
                    23,
                    0,
                    S_TSK11_POLICY,
                    evidence="unverified",
                ),
                Band(
                    "high",
                    "High fear of movement",
                    24,
                    44,
                    3,
                    S_TSK11_POLICY,
                    evidence="unverified",
                ),
            ),
        ),
    ),
    primary="total",
    change=(
        ChangeRule(
            id="mcid", score="total", kind="mcid", improvement="decrease", points=4, source=S_CHANGE
        ),
        ChangeRule(
            id="mid_hapidou",
            score="total",
            kind="mid",
            improvement="decrease",
            points=5.6,
            source=S_MID56,
            evidence="secondary",
            note="5.6-point MID (Hapidou 2012).",
        ),
    ),
    rci=(ReliableChangeParameters(score="total", sem=2.54, source=S_SEM11),),
    policy_notes=(
        "Items are numbered 1-11 in TSK-17 order (1, 2, 3, 5, 6, 7, 10, 11, 13, 15, 17); check against the "
        "printed TSK-11 form in use.",
        "No cut-off is published for the TSK-11; the bands are clinic policy: >= 24 is high (the "
        "TSK-17 cut-off > 37 carried over per item).",
    ),
    unverified=(
        "Missing-item rule (none published): not scorable if any item is missing.",
        "Licence: no restrictions found.",
        "TSK-11 printed item numbering assumed to follow TSK-17 order.",
        "TSK-11 cut-off >= 24 (clinic policy; no published cut-off).",
    ),
)

INSTRUMENTS = (TSK17, TSK11)
