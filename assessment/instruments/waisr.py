"""Working Alliance Inventory, Short Revised, client form (Hatcher & Gillaspy 2006; instruments.md §19).

Restricted: copyright, permission needed (holder and terms UNVERIFIED). Definition only.
"""

from __future__ import annotations

from .base import Instrument, Licence, ResponseScale, ScoreRule, ids, items_on_scale, no_missing

S_ITEMS = (
    "instruments.md §19 [S:1][S:2][S:3]: Hatcher RL, Gillaspy JA. Psychother Res 2006;16(1):12-25, "
    "doi:10.1080/10503300500352500 (12 items 1-5, no reverse items; Task 1, 2, 10, 12; Bond 3, 5, 7, 9; "
    "Goal 4, 6, 8, 11; subscale sums 4-20, total 12-60)"
)
S_MISSING = "instruments.md §19: no missing rule found; policy: not scorable"

SCALE = ResponseScale(
    1, 5, {1: "Seldom", 2: "Sometimes", 3: "Fairly often", 4: "Very often", 5: "Always"}
)
ALL_REQUIRED = no_missing(S_MISSING)
# Reports often give the mean per item (the 1-5 metric): "subscale sums 4-20 (or means 1-5)"
# (instruments.md §19 [S:1][S:2]); it is printed beside each sum.
ITEM_MEAN = ("item_mean",)

WAISR = Instrument(
    key="waisr",
    version="Hatcher2006",
    name="Working Alliance Inventory, Short Revised (client)",
    short_name="WAI-SR",
    citation="Hatcher RL, Gillaspy JA. Psychother Res 2006;16(1):12-25, doi:10.1080/10503300500352500",
    reference="instruments.md §19",
    licence=Licence(
        status="restricted",
        holder="UNVERIFIED (sources differ; one names the Society for Psychotherapy Research)",
        url="https://doi.org/10.1080/10503300500352500",
        item_text_bundled=False,
        note="Copyright; permission needed. Ship as a definition only.",
        source="instruments.md §19 [S:4] and §27.2",
        evidence="unverified",
    ),
    direction="higher_is_better",
    items=items_on_scale(range(1, 13), SCALE, source=S_ITEMS),
    scores=(
        ScoreRule(
            id="total",
            label="total",
            role="total",
            items=ids(*range(1, 13)),
            aggregate="sum",
            missing=ALL_REQUIRED,
            range=(12, 60),
            source=S_ITEMS,
            report=ITEM_MEAN,
        ),
        ScoreRule(
            id="task",
            label="task",
            role="subscale",
            items=ids(1, 2, 10, 12),
            aggregate="sum",
            missing=ALL_REQUIRED,
            range=(4, 20),
            source=S_ITEMS,
            report=ITEM_MEAN,
        ),
        ScoreRule(
            id="bond",
            label="bond",
            role="subscale",
            items=ids(3, 5, 7, 9),
            aggregate="sum",
            missing=ALL_REQUIRED,
            range=(4, 20),
            source=S_ITEMS,
            report=ITEM_MEAN,
        ),
        ScoreRule(
            id="goal",
            label="goal",
            role="subscale",
            items=ids(4, 6, 8, 11),
            aggregate="sum",
            missing=ALL_REQUIRED,
            range=(4, 20),
            source=S_ITEMS,
            report=ITEM_MEAN,
        ),
    ),
    primary="total",
    policy_notes=(
        "No bands: a vendor's 12-35 weak / 36-47 moderate / 48-60 strong is a convention, not a clinical rule. "
        "Track the trend; a sudden drop signals a rupture.",
        "Not scored if any item is missing (no rule found).",
        "Each sum is shown with its mean per item (1-5), the metric most reports use.",
    ),
    unverified=("Licence holder and terms.",),
)

INSTRUMENTS = (WAISR,)
