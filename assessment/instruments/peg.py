"""PEG: Pain, Enjoyment of life, General activity (Krebs et al. 2009; instruments.md §9).

Public domain (SECONDARY, §9 [S:3]); the item text may ship (§27.2).
"""

from __future__ import annotations

from .base import (
    ChangeRule,
    Instrument,
    Licence,
    LoincCode,
    ResponseScale,
    ScoreRule,
    items_on_scale,
    no_missing,
)

S_SCORE = (
    "instruments.md §9 [S:1][S:2][S:3]: Krebs EE et al. J Gen Intern Med 2009;24(6):733-8, "
    "doi:10.1007/s11606-009-0981-1 (score = mean of the 3 items, each 0-10)"
)
S_MISSING = "instruments.md §9: no missing-item rule is defined; policy: not scorable if any item is missing"
S_MID = "instruments.md §9 [S:4]: Reed DE et al. J Pain 2024;25(1):142-52, doi:10.1016/j.jpain.2023.07.028"
S_LOINC = (
    "instruments.md §9 [S:3]: jmandel/ktc-questionnaire-starters (codes checked against LOINC 2.82)"
)
S_LICENCE = "instruments.md §9 [S:3] and §27.2 (public domain; Krebs 2009 is open access)"

PAIN = ResponseScale(0, 10, {0: "No pain", 10: "Pain as bad as you can imagine"})
INTERFERENCE = ResponseScale(0, 10, {0: "Does not interfere", 10: "Completely interferes"})

TEXTS = {
    "1": "What number best describes your pain on average in the past week?",
    "2": "What number best describes how, during the past week, pain has interfered with your enjoyment of life?",
    "3": "What number best describes how, during the past week, pain has interfered with your general activity?",
}

PEG = Instrument(
    key="peg",
    version="Krebs2009",
    name="PEG three-item pain intensity and interference scale",
    short_name="PEG",
    citation="Krebs EE et al. J Gen Intern Med 2009;24(6):733-8, doi:10.1007/s11606-009-0981-1",
    reference="instruments.md §9",
    licence=Licence(
        status="free",
        holder="public domain (Krebs EE et al.)",
        url="https://doi.org/10.1007/s11606-009-0981-1",
        item_text_bundled=True,
        note="Public domain; cite Krebs et al. 2009 when reproduced.",
        source=S_LICENCE,
        evidence="secondary",
    ),
    direction="higher_is_worse",
    items=(
        *items_on_scale(["1"], PAIN, source=S_SCORE, labels={"1": "P: average pain"}, texts=TEXTS),
        *items_on_scale(
            ["2", "3"],
            INTERFERENCE,
            source=S_SCORE,
            labels={
                "2": "E: interference with enjoyment of life",
                "3": "G: interference with general activity",
            },
            texts=TEXTS,
        ),
    ),
    scores=(
        ScoreRule(
            id="total",
            label="mean score",
            role="total",
            items=("1", "2", "3"),
            aggregate="mean",
            missing=no_missing(S_MISSING),
            range=(0, 10),
            source=S_SCORE,
        ),
    ),
    primary="total",
    change=(
        ChangeRule(
            id="mid_anchor",
            score="total",
            kind="mid",
            improvement="decrease",
            points=1.0,
            source=S_MID,
            note="Anchor-based MID 1.0-1.75 (lower end used); distribution-based 0.6-1.1 (0.35 SD) and "
            "0.78-1.22 (1 SEM), over 6 trials.",
        ),
    ),
    loinc=(
        LoincCode("91148-7", "panel", None, "PEG panel", S_LOINC),
        LoincCode("91147-9", "score", "total", "Mean score [PEG]", S_LOINC),
        LoincCode("75893-8", "item", "1", "Average pain in the past week", S_LOINC),
        LoincCode("91145-3", "item", "2", "Interference with enjoyment of life", S_LOINC),
        LoincCode("91146-1", "item", "3", "Interference with general activity", S_LOINC),
    ),
    policy_notes=(
        "No missing-item rule is published: the PEG is not scored unless all 3 items are answered.",
        "LOINC's own Questionnaire defines item 1 as decimal; this definition takes whole numbers 0-10 "
        "as printed on the form (§9 [S:5]).",
    ),
    unverified=(
        "Licence 'public domain' and the LOINC codes come from one secondary source (SECONDARY).",
    ),
)

INSTRUMENTS = (PEG,)
