"""0-10 Numeric Rating Scale for pain intensity (instruments.md §10).

A generic scale with no owner: the wording below is our own and may ship.
"""

from __future__ import annotations

from .base import (
    Band,
    ChangeRule,
    Instrument,
    Item,
    Licence,
    LoincCode,
    ResponseScale,
    ScoreRule,
    no_missing,
)

S_SCALE = "instruments.md §10: 0 no pain - 10 worst imaginable (generic NRS)"
S_BANDS = (
    "instruments.md §10 [S:1]: Serlin et al. Pain 1995;61:277-84, doi:10.1016/0304-3959(94)00178-H "
    "(1-4 mild, 5-6 moderate, 7-10 severe; ePPOC also uses 0-4 as mild); 0 kept as 'no pain'"
)
S_FARRAR = (
    "instruments.md §10 [S:2][S:3]: Farrar et al. Pain 2001;94:149-58, doi:10.1016/S0304-3959(01)00349-9; "
    "Ostelo et al. Spine 2008;33:90-4 (MIC 2)"
)
S_IMMPACT = (
    "instruments.md §10 [S:4]: Dworkin et al. J Pain 2008;9:105-21, doi:10.1016/j.jpain.2007.09.005"
)
S_LOINC = "instruments.md §10 [S:6]: LOINC 72514-3 'Pain severity - 0-10 verbal numeric rating [Score] - Reported'"
S_POLICY = "instruments.md §10: one item; an unanswered NRS is not scored (policy)"

NRS = Instrument(
    key="nrs",
    version="generic-0-10",
    name="Numeric Rating Scale for pain intensity (0-10)",
    short_name="NRS",
    citation="Generic 0-10 numeric rating scale; bands after Serlin RC et al. Pain 1995;61(2):277-84.",
    reference="instruments.md §10",
    licence=Licence(
        status="free",
        holder="none (generic scale)",
        url="https://doi.org/10.1016/0304-3959(94)00178-H",
        item_text_bundled=True,
        note="Generic scale, no owner; the wording is the app's own.",
        source="instruments.md §10 (licence: generic scale, no owner) and §27.2",
    ),
    direction="higher_is_worse",
    instructions="Please rate your pain by choosing the one number that best describes it.",
    items=(
        Item(
            id="1",
            label="Pain intensity",
            scale=ResponseScale(0, 10, {0: "No pain", 10: "Worst imaginable pain"}),
            source=S_SCALE,
            text="How bad is your pain, from 0 (no pain) to 10 (worst imaginable pain)?",
        ),
    ),
    scores=(
        ScoreRule(
            id="total",
            label="pain intensity",
            role="total",
            items=("1",),
            aggregate="sum",
            missing=no_missing(S_POLICY),
            range=(0, 10),
            source=S_SCALE,
            bands=(
                Band("none", "No pain", 0, 0, 0, S_BANDS, evidence="secondary"),
                Band("mild", "Mild", 1, 4, 1, S_BANDS, evidence="secondary"),
                Band("moderate", "Moderate", 5, 6, 2, S_BANDS, evidence="secondary"),
                Band("severe", "Severe", 7, 10, 3, S_BANDS, evidence="secondary"),
            ),
        ),
    ),
    primary="total",
    change=(
        ChangeRule(
            id="clinically_important",
            score="total",
            kind="mcid",
            improvement="decrease",
            points=2,
            percent=30,
            combine="either",
            source=S_FARRAR,
            note="A reduction of 2 points or 30% (Farrar 2001; MIC 2 in Ostelo 2008).",
        ),
        ChangeRule(
            id="immpact_minimal",
            score="total",
            kind="tier",
            improvement="decrease",
            percent=10,
            source=S_IMMPACT,
            note="IMMPACT: >= 10% reduction = minimally important.",
        ),
        ChangeRule(
            id="immpact_moderate",
            score="total",
            kind="tier",
            improvement="decrease",
            percent=30,
            source=S_IMMPACT,
            note="IMMPACT: >= 30% reduction = moderately important.",
        ),
        ChangeRule(
            id="immpact_substantial",
            score="total",
            kind="tier",
            improvement="decrease",
            percent=50,
            source=S_IMMPACT,
            note="IMMPACT: >= 50% reduction = substantial.",
        ),
    ),
    loinc=(
        LoincCode(
            "72514-3",
            "score",
            "total",
            "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
            S_LOINC,
        ),
    ),
    policy_notes=(
        "Bands follow Serlin 1995 (1-4 mild); 0 is shown as its own 'no pain' band.",
        "A score of 0 best identifies self-rated recovery in low back pain (Kamper 2010, §10 [S:5]).",
    ),
    unverified=("LOINC 72514-3 seen in secondary sources only (SECONDARY).",),
)

INSTRUMENTS = (NRS,)
