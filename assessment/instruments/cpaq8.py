"""Chronic Pain Acceptance Questionnaire-8 (Fish et al. 2010; instruments.md §15).

Licence UNVERIFIED: definition only. Item order and keys from one implementation (Stanford CHOIR);
check against Fish 2010 before release. CHOIR's own code reverses the wrong subscale: not copied.
"""

from __future__ import annotations

from .base import Instrument, Licence, ResponseScale, ScoreRule, ids, items_on_scale, no_missing

S_STRUCTURE = (
    "instruments.md §15 [S:1][S:3]: Fish RA et al. Pain 2010;149(3):435-43, doi:10.1016/j.pain.2009.12.016 "
    "(8 items 0-6; Activity Engagement and Pain Willingness, 4 items each; total 0-48)"
)
S_ORDER = "instruments.md §15 [S:4]: item order from Stanford CHOIR (SECONDARY): AE = 1, 2, 3, 6; PW = 4, 5, 7, 8"
S_REVERSE = "instruments.md §15 [S:1][S:2]: Pain Willingness items reverse-scored (6 - x), as in the CPAQ-20"
S_MISSING = "instruments.md §15: no missing rule published; policy: not scorable"

SCALE = ResponseScale(0, 6, {0: "Never true", 6: "Always true"})
AE = ids(1, 2, 3, 6)
PW = ids(4, 5, 7, 8)
LABELS = {
    "1": "Getting on with living (AE)",
    "2": "Normal life despite pain (AE)",
    "3": "Full life (AE)",
    "4": "Pain control first priority (PW, reversed)",
    "5": "Relief before plans (PW, reversed)",
    "6": "Responsibilities when pain increases (AE)",
    "7": "Avoid situations that increase pain (PW, reversed)",
    "8": "Worries and fears about pain are true (PW, reversed)",
}
ALL_REQUIRED = no_missing(S_MISSING)

CPAQ8 = Instrument(
    key="cpaq8",
    version="Fish2010",
    name="Chronic Pain Acceptance Questionnaire, 8 items",
    short_name="CPAQ-8",
    citation="Fish RA et al. Pain 2010;149(3):435-43, doi:10.1016/j.pain.2009.12.016",
    reference="instruments.md §15",
    licence=Licence(
        status="unverified",
        holder="L. M. McCracken / R. A. Fish",
        url="https://doi.org/10.1016/j.pain.2009.12.016",
        item_text_bundled=False,
        note="Widely treated as free for clinical and research use; check with McCracken / Fish.",
        source="instruments.md §15 and §27.2 (licence UNVERIFIED)",
        evidence="unverified",
    ),
    direction="higher_is_better",
    items=items_on_scale(
        range(1, 9), SCALE, source=f"{S_ORDER}; {S_REVERSE}", reverse=PW, labels=LABELS
    ),
    scores=(
        ScoreRule(
            id="total",
            label="total",
            role="total",
            items=ids(*range(1, 9)),
            aggregate="sum",
            missing=ALL_REQUIRED,
            range=(0, 48),
            source=S_STRUCTURE,
        ),
        ScoreRule(
            id="activity_engagement",
            label="activity engagement",
            role="subscale",
            items=AE,
            aggregate="sum",
            missing=ALL_REQUIRED,
            range=(0, 24),
            source=f"{S_STRUCTURE}; {S_ORDER}",
            evidence="secondary",
        ),
        ScoreRule(
            id="pain_willingness",
            label="pain willingness",
            role="subscale",
            items=PW,
            aggregate="sum",
            missing=ALL_REQUIRED,
            range=(0, 24),
            source=f"{S_STRUCTURE}; {S_ORDER}; {S_REVERSE}",
            evidence="secondary",
        ),
    ),
    primary="total",
    policy_notes=(
        "Higher = more acceptance. Pain Willingness items (4, 5, 7, 8) are reversed as 6 - x.",
        "Not scored if any item is missing (no published rule).",
        "No cut-offs or MCID established.",
    ),
    unverified=(
        "Item order and keys (AE = 1, 2, 3, 6; PW = 4, 5, 7, 8) taken from one implementation; check against Fish 2010.",
        "Licence terms.",
        "Cut-offs / MCID: none established.",
    ),
)

INSTRUMENTS = (CPAQ8,)
