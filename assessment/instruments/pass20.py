"""Pain Anxiety Symptoms Scale-20 (McCracken & Dhingra 2002; instruments.md §16).

Licence for the scale UNVERIFIED (the paper is CC-BY): definition only.
"""

from __future__ import annotations

from .base import (
    Instrument,
    Licence,
    Norm,
    ResponseScale,
    ScoreRule,
    ids,
    items_on_scale,
    no_missing,
)

S_ITEMS = (
    "instruments.md §16 [S:1][S:2]: McCracken LM, Dhingra L. Pain Res Manag 2002;7(1):45-50, "
    "doi:10.1155/2002/517163 (20 items 0-5; cognitive 1-5, escape/avoidance 6-10, fear 11-15, "
    "physiological anxiety 16-20; total 0-100)"
)
S_REVERSE = "instruments.md §16 [S:2]: no reverse items on the published PASS-20 form (SECONDARY)"
S_MISSING = "instruments.md §16: no missing rule found; policy: not scorable"
S_NORMS = "instruments.md §16 [S:2]: development sample n = 282 (PASS-20 form with norms table)"

SCALE = ResponseScale(0, 5, {0: "Never", 5: "Always"})
ALL_REQUIRED = no_missing(S_MISSING)
SUBSCALES = (
    ("cognitive", "cognitive", ids(1, 2, 3, 4, 5), 12.27, 6.73),
    ("escape_avoidance", "escape/avoidance", ids(6, 7, 8, 9, 10), 12.84, 6.11),
    ("fear", "fear", ids(11, 12, 13, 14, 15), 7.37, 6.38),
    ("physiological", "physiological anxiety", ids(16, 17, 18, 19, 20), 6.15, 5.69),
)

PASS20 = Instrument(
    key="pass20",
    version="McCracken2002",
    name="Pain Anxiety Symptoms Scale, 20 items",
    short_name="PASS-20",
    citation="McCracken LM, Dhingra L. Pain Res Manag 2002;7(1):45-50, doi:10.1155/2002/517163",
    reference="instruments.md §16",
    licence=Licence(
        status="unverified",
        holder="L. M. McCracken",
        url="https://doi.org/10.1155/2002/517163",
        item_text_bundled=False,
        note="The paper is open access (CC-BY); the licence for the scale itself is unverified.",
        source="instruments.md §16 [S:1] and §27.2",
        evidence="unverified",
    ),
    direction="higher_is_worse",
    items=items_on_scale(range(1, 21), SCALE, source=f"{S_ITEMS}; {S_REVERSE}"),
    scores=(
        ScoreRule(
            id="total",
            label="total",
            role="total",
            items=ids(*range(1, 21)),
            aggregate="sum",
            missing=ALL_REQUIRED,
            range=(0, 100),
            source=S_ITEMS,
        ),
        *(
            ScoreRule(
                id=key,
                label=label,
                role="subscale",
                items=items,
                aggregate="sum",
                missing=ALL_REQUIRED,
                range=(0, 25),
                source=S_ITEMS,
            )
            for key, label, items, _mean, _sd in SUBSCALES
        ),
    ),
    primary="total",
    norms=(
        Norm("total", "development sample (chronic pain)", 38.62, S_NORMS, sd=20.38, n=282),
        *(
            Norm(key, "development sample (chronic pain)", mean, S_NORMS, sd=sd, n=282)
            for key, _label, _items, mean, sd in SUBSCALES
        ),
    ),
    policy_notes=(
        "Not scored if any item is missing (no rule found).",
        "No cut-offs or MCID found.",
    ),
    unverified=(
        "'No reverse items' is from the published form, not the paper text.",
        "Licence for the scale.",
    ),
)

INSTRUMENTS = (PASS20,)
