"""DASS-21, ePPOC set (instruments.md §24): three subscales, each sum x 2, no total.

Commonly described as public domain (Lovibond), UNVERIFIED: definition only.
"""

from __future__ import annotations

from .base import (
    PRORATE,
    Band,
    ChangeRule,
    Instrument,
    Licence,
    MissingRule,
    ResponseScale,
    ScoreRule,
    ids,
    items_on_scale,
)

S_ITEMS = (
    "instruments.md §24 [S:1][S:2]: ePPOC DASS page; measurely.com.au (21 items 0-3; depression 3, 5, 10, 13, "
    "16, 17, 21; anxiety 2, 4, 7, 9, 15, 19, 20; stress 1, 6, 8, 11, 12, 14, 18; each subscale = sum x 2)"
)
S_MISSING = (
    "instruments.md §24 [S:1]: 'at least 6 of 7 items should be complete for each sub-scale'; the prorating "
    "method is not stated (UNVERIFIED): mean of the 6 items x 7 x 2"
)
S_BANDS = (
    "instruments.md §24 [S:2][S:3]: Lovibond SH, Lovibond PF. Manual for the DASS (2nd ed., 1995), DASS-42 metric; "
    "stress mild 15-18 as published by Lovibond (the ePPOC wiki's 14-18 overlaps normal)"
)
S_CHANGE = "instruments.md §24 [S:1]: ePPOC: change >= 5 points coupled with a move to a different severity band"

SCALE = ResponseScale(0, 3)
DEPRESSION = ids(3, 5, 10, 13, 16, 17, 21)
ANXIETY = ids(2, 4, 7, 9, 15, 19, 20)
STRESS = ids(1, 6, 8, 11, 12, 14, 18)
ONE_MISSING = MissingRule(1, PRORATE, S_MISSING, evidence="unverified")


def _bands(cuts: tuple[int, int, int, int]) -> tuple[Band, ...]:
    """Half-open bands from the lower bounds of mild..extremely severe (prorated scores can be fractional)."""
    edges = (0, *cuts, 42)
    names = (
        ("normal", "Normal"), ("mild", "Mild"), ("moderate", "Moderate"),
        ("severe", "Severe"), ("extremely_severe", "Extremely severe"),
    )  # fmt: skip
    return tuple(
        Band(name, label, edges[i], edges[i + 1], i, S_BANDS, max_inclusive=i == 4)
        for i, (name, label) in enumerate(names)
    )


DASS21 = Instrument(
    key="dass21",
    version="Lovibond1995-21",
    name="Depression Anxiety Stress Scales, 21 items",
    short_name="DASS-21",
    citation="Lovibond SH, Lovibond PF. Manual for the Depression Anxiety Stress Scales, 2nd ed. Sydney: Psychology Foundation; 1995",
    reference="instruments.md §24",
    licence=Licence(
        status="unverified",
        holder="S. H. Lovibond and P. F. Lovibond (Psychology Foundation of Australia)",
        url="https://www2.psy.unsw.edu.au/dass/",
        item_text_bundled=False,
        note="Commonly described as public domain; not verified. Ship the definition; the clinic imports the wording.",
        source="instruments.md §24 and §27.2 (licence UNVERIFIED)",
        evidence="unverified",
    ),
    direction="higher_is_worse",
    items=items_on_scale(range(1, 22), SCALE, source=S_ITEMS),
    scores=(
        ScoreRule(
            id="depression",
            label="depression",
            role="subscale",
            items=DEPRESSION,
            aggregate="sum",
            multiplier=2,
            missing=ONE_MISSING,
            range=(0, 42),
            source=S_ITEMS,
            bands=_bands((10, 14, 21, 28)),
        ),
        ScoreRule(
            id="anxiety",
            label="anxiety",
            role="subscale",
            items=ANXIETY,
            aggregate="sum",
            multiplier=2,
            missing=ONE_MISSING,
            range=(0, 42),
            source=S_ITEMS,
            bands=_bands((8, 10, 15, 20)),
        ),
        ScoreRule(
            id="stress",
            label="stress",
            role="subscale",
            items=STRESS,
            aggregate="sum",
            multiplier=2,
            missing=ONE_MISSING,
            range=(0, 42),
            source=S_ITEMS,
            bands=_bands((15, 19, 26, 34)),
        ),
    ),
    primary=None,
    change=tuple(
        ChangeRule(
            id=f"{scale}_eppoc",
            score=scale,
            kind="clinically_significant",
            improvement="decrease",
            points=5,
            requires_band_change=True,
            source=S_CHANGE,
        )
        for scale in ("depression", "anxiety", "stress")
    ),
    policy_notes=(
        "Scores are in the DASS-42 metric (sum x 2) so that Lovibond's bands apply.",
        "One missing item per subscale is replaced by the mean of the other 6; the subscale is then not an even "
        "number and bands are applied as half-open intervals (e.g. normal depression is < 10).",
        "Each subscale is reported on its own; there is no total.",
    ),
    unverified=("Prorating method for one missing item.", "Licence ('public domain')."),
)

INSTRUMENTS = (DASS21,)
