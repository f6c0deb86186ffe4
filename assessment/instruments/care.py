"""Consultation and Relational Empathy (CARE) measure (Mercer et al. 2004; instruments.md §21).

© Stewart W Mercer 2004, free to use with attribution; commercial-software terms unclear:
definition only (§27.2). A therapist-level process measure.
"""

from __future__ import annotations

from .base import (
    PRORATE,
    Instrument,
    Licence,
    MissingRule,
    NotApplicablePolicy,
    ResponseScale,
    ScoreRule,
    ids,
    items_on_scale,
)

S_ITEMS = (
    "instruments.md §21 [S:1][S:2]: Mercer SW et al. Fam Pract 2004;21(6):699-705, doi:10.1093/fampra/cmh621 "
    "(10 items 1 poor - 5 excellent, plus 'does not apply'; total 10-50)"
)
S_MISSING = (
    "instruments.md §21 [S:2]: 'Up to two Not Applicable responses or missing values are allowable, and are "
    "replaced with the average score for the remaining items'; more than two = removed"
)

SCALE = ResponseScale(1, 5, {1: "Poor", 2: "Fair", 3: "Good", 4: "Very good", 5: "Excellent"})

CARE = Instrument(
    key="care",
    version="Mercer2004",
    name="Consultation and Relational Empathy (CARE) measure",
    short_name="CARE",
    citation="Mercer SW et al. Fam Pract 2004;21(6):699-705, doi:10.1093/fampra/cmh621",
    reference="instruments.md §21",
    licence=Licence(
        status="free_ask_commercial",
        holder="Stewart W Mercer (2004)",
        url="https://measuringimpact.org/s4-care-measure",
        item_text_bundled=False,
        note="Free to use with attribution; registration with the Glasgow team is customary (UNVERIFIED). "
        "Commercial-software terms unclear.",
        source="instruments.md §21 [S:4] and §27.2",
    ),
    direction="higher_is_better",
    items=items_on_scale(range(1, 11), SCALE, source=S_ITEMS),
    scores=(
        ScoreRule(
            id="total",
            label="total",
            role="total",
            items=ids(*range(1, 11)),
            aggregate="sum",
            missing=MissingRule(2, PRORATE, S_MISSING),
            range=(10, 50),
            source=S_ITEMS,
        ),
    ),
    primary="total",
    not_applicable=NotApplicablePolicy(treat_as="missing", source=S_MISSING),
    policy_notes=(
        "'Does not apply' counts as missing: up to 2 are replaced by the mean of the other items, so the "
        "total can be fractional (42.5).",
        "Aggregate over consultations for team leads; many scores sit at the ceiling (50).",
    ),
    unverified=("Registration with the Glasgow team.",),
)

INSTRUMENTS = (CARE,)
