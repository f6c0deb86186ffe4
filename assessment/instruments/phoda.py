"""PHODA-SeV: Photograph Series of Daily Activities, short electronic version (instruments.md §18).

Restricted: the photograph set is copyrighted; never bundle the images. Items are photo numbers.
Clinic-entered feared activities (the patient's own hierarchy) need no PHODA licence and are kept
by the treatment module; ``exposure_hierarchy`` orders any such ratings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import (
    ChangeRule,
    Instrument,
    Licence,
    ResponseScale,
    ScoreRule,
    ids,
    items_on_scale,
    no_missing,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

S_SEV = (
    "instruments.md §18 [S:3]: Leeuw M et al. J Pain 2007;8(11):840-9 (PHODA-SeV, 40 photographs; DOI believed "
    "10.1016/j.jpain.2007.05.013: verify); each rated 0-100 on the fear thermometer; score = mean harmfulness (SECONDARY)"
)
S_CHANGE = "instruments.md §18 [S:3]: 'Discrepancies between 2 measurements over 20 points suggest true change'"
S_MISSING = "instruments.md §18: no missing rule found; policy: all 40 photographs rated"
S_HIERARCHY = (
    "instruments.md §18 [S:1][S:2]: sort ratings ascending to build the graded-exposure hierarchy"
)

SCALE = ResponseScale(0, 100, {0: "Not harmful at all", 100: "Extremely harmful"})

PHODA = Instrument(
    key="phoda",
    version="PHODA-SeV-Leeuw2007",
    name="Photograph Series of Daily Activities, short electronic version (40 photographs)",
    short_name="PHODA-SeV",
    citation="Leeuw M, Goossens MEJB, van Breukelen GJP, Boersma K, Vlaeyen JWS. J Pain 2007;8(11):840-9",
    reference="instruments.md §18",
    licence=Licence(
        status="restricted",
        holder="Kugler, Wijn, Geilen, de Jong, Vlaeyen (Maastricht); current licensor UNVERIFIED",
        url="https://cris.maastrichtuniversity.nl/",
        item_text_bundled=False,
        note="Copyrighted photograph set: never bundle the images. Clinic-added activities need no PHODA licence.",
        source="instruments.md §18 and §27.2",
        evidence="unverified",
    ),
    direction="higher_is_worse",
    items=items_on_scale(
        range(1, 41), SCALE, source=S_SEV, labels={str(n): f"Photo {n}" for n in range(1, 41)}
    ),
    scores=(
        ScoreRule(
            id="total",
            label="mean harmfulness",
            role="total",
            items=ids(*range(1, 41)),
            aggregate="mean",
            missing=no_missing(S_MISSING),
            range=(0, 100),
            source=S_SEV,
            evidence="secondary",
        ),
    ),
    primary="total",
    change=(
        ChangeRule(
            id="true_change",
            score="total",
            kind="mdc",
            improvement="decrease",
            points=20,
            inclusive=False,
            source=S_CHANGE,
            note="A difference over 20 points between two measurements suggests true change.",
        ),
    ),
    policy_notes=(
        "All 40 photographs must be rated (no published missing rule).",
        "The full PHODA (about 100 photos) builds the hierarchy and has no score here.",
    ),
    unverified=(
        "Current licensor.",
        "DOI of Leeuw 2007.",
        "Score = mean, not re-read in the paper.",
    ),
)

INSTRUMENTS = (PHODA,)


def exposure_hierarchy(ratings: Mapping[str, int | float]) -> list[tuple[str, int | float]]:
    """Activities ordered from least to most feared (ties keep input order): the exposure hierarchy.

    ``ratings`` maps an activity or photo id to its 0-100 harmfulness rating (§18 [S:1][S:2]).
    """
    for key, value in ratings.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 100:
            raise ValueError(f"rating for {key!r} must be a number from 0 to 100 (got {value!r})")
    return sorted(ratings.items(), key=lambda pair: pair[1])


__all__ = ["INSTRUMENTS", "PHODA", "S_HIERARCHY", "exposure_hierarchy"]
