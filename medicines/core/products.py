"""Conversion tables and opioid products as data (shared/reference/medication.md §1, §2).

A factor multiplies the daily dose (mg/day, or µg/h for a patch) into oral morphine equivalents
(OME, mg/day; the CDC calls them MME). Where a table lists fixed patch equivalences the table's own
lookup is used; where a table excludes or omits a drug the factor is absent with the table's
reason: "cannot compute", never 0 [CDC-MME-IG V].
"""

from __future__ import annotations

from dataclasses import dataclass, field

CDC2022 = "cdc2022"
OPIOIDS_AWARE = "opioids_aware"

MG = "mg"
UG_PER_H = "µg/h"
UNIT_ALIASES = {"mg": MG, "µg/h": UG_PER_H, "ug/h": UG_PER_H, "mcg/h": UG_PER_H, "μg/h": UG_PER_H}


@dataclass(frozen=True)
class Threshold:
    ome: float
    message: str
    source: str


@dataclass(frozen=True)
class Table:
    key: str
    name: str
    version: str
    source: str
    thresholds: tuple[Threshold, ...]


TABLES: dict[str, Table] = {
    CDC2022: Table(
        key=CDC2022,
        name="CDC 2022",
        version="MMWR Recomm Rep 2022;71(RR-3)",
        source="CDC22-IG",
        thresholds=(
            # CDC 2022 has no numeric cap (Rec 4) [CDC22-IG V]; 50 is its narrative guidepost for
            # pausing, reassessing and offering naloxone [CDC22-X S].
            Threshold(
                50,
                "At or above 50 MME a day: pause and reassess before any increase, add "
                "precautions and offer naloxone.",
                "CDC22-X S",
            ),
            # 90: CDC 2016 Rec 5 (avoid or carefully justify) [CDC16 S], kept as the US legacy tier.
            Threshold(
                90,
                "At or above 90 MME a day: avoid increasing the dose, or justify it carefully.",
                "CDC16 S",
            ),
        ),
    ),
    OPIOIDS_AWARE: Table(
        key=OPIOIDS_AWARE,
        name="Opioids Aware (Faculty of Pain Medicine)",
        version="table reviewed August 2020",
        source="OA",
        thresholds=(
            # Harm rises substantially above 120 mg/day with no added benefit [OA-KEY S];
            # OpenPrescribing counts >= 120 with the 2020 FPM table [V].
            Threshold(
                120,
                "At or above 120 mg oral morphine a day: harm rises with no added benefit; "
                "review and discuss tapering.",
                "OA-KEY S",
            ),
        ),
    ),
}

# Naloxone: CDC 2022 Rec 8 offers it at >= 50 MME/day or with a benzodiazepine [CDC22-X S]; the
# same tier is used under Opioids Aware as the design's alert tier [U design].
NALOXONE_OME = 50.0


@dataclass(frozen=True)
class Factor:
    """How one table converts one drug: a multiplier, a fixed lookup (patches), or a reason."""

    value: float | None = None
    lookup: dict[float, float] | None = None  # strength (µg/h) -> OME mg/day, per patch
    excluded_reason: str = ""
    source: str = ""

    @property
    def computable(self) -> bool:
        return self.value is not None or self.lookup is not None


@dataclass(frozen=True)
class Drug:
    key: str
    name: str
    factors: dict[str, Factor]
    warning: str = ""  # shown whenever the drug is on the list, whatever the table


NOT_IN_CDC = "not in the CDC 2022 table"
NOT_IN_OA = "not in the Opioids Aware table"

METHADONE_WARNING = (
    "Methadone: a single conversion factor misstates its risk (long, variable half-life; "
    "breathing slows later and for longer than pain relief). Do not use this figure to switch "
    "opioids; seek specialist advice."
)

DRUGS: dict[str, Drug] = {
    d.key: d
    for d in (
        Drug(
            "morphine",
            "Morphine",
            {CDC2022: Factor(1.0, source="CDC22-IG V"), OPIOIDS_AWARE: Factor(1.0, source="OA S")},
        ),
        Drug(
            "codeine",
            "Codeine",
            {CDC2022: Factor(0.15, source="CDC22-IG V"), OPIOIDS_AWARE: Factor(0.1, source="OA V")},
        ),
        Drug(
            "dihydrocodeine",
            "Dihydrocodeine",
            {
                CDC2022: Factor(excluded_reason=NOT_IN_CDC, source="CDC22-IG V"),
                OPIOIDS_AWARE: Factor(0.1, source="OA S"),
            },
        ),
        Drug(
            "tramadol",
            "Tramadol",
            # The tables differ (CDC 2016-era 0.1 [S]); overdose dose-response unknown [CDC22-IG V].
            {CDC2022: Factor(0.2, source="CDC22-IG V"), OPIOIDS_AWARE: Factor(0.1, source="OA S")},
        ),
        Drug(
            "tapentadol",
            "Tapentadol",
            {CDC2022: Factor(0.4, source="CDC22-IG V"), OPIOIDS_AWARE: Factor(0.4, source="OA S")},
        ),
        Drug(
            "oxycodone",
            "Oxycodone",
            {CDC2022: Factor(1.5, source="CDC22-IG V"), OPIOIDS_AWARE: Factor(1.5, source="OA S")},
        ),
        Drug(
            "hydromorphone",
            "Hydromorphone",
            {CDC2022: Factor(5.0, source="CDC22-IG V"), OPIOIDS_AWARE: Factor(5.0, source="OA S")},
        ),
        Drug(
            "hydrocodone",
            "Hydrocodone",
            {
                CDC2022: Factor(1.0, source="CDC22-IG V"),
                OPIOIDS_AWARE: Factor(excluded_reason=NOT_IN_OA, source="U"),
            },
        ),
        Drug(
            "oxymorphone",
            "Oxymorphone",
            {
                CDC2022: Factor(3.0, source="CDC22-IG V"),
                OPIOIDS_AWARE: Factor(excluded_reason=NOT_IN_OA, source="U"),
            },
        ),
        Drug(
            "fentanyl",
            "Fentanyl",
            {
                # µg/h x 2.4 [CDC22-IG V]; Opioids Aware gives fixed equivalences [OA S].
                CDC2022: Factor(2.4, source="CDC22-IG V"),
                OPIOIDS_AWARE: Factor(
                    lookup={12: 30, 25: 60, 50: 120, 75: 180, 100: 240}, source="OA S"
                ),
            },
        ),
        Drug(
            "buprenorphine",
            "Buprenorphine",
            {
                CDC2022: Factor(
                    excluded_reason="the CDC 2022 table excludes buprenorphine (a partial agonist "
                    "with a ceiling effect)",
                    source="CDC22-IG V",
                ),
                OPIOIDS_AWARE: Factor(
                    lookup={5: 12, 10: 24, 20: 48, 35: 84, 52.5: 126, 70: 168}, source="OA S"
                ),
            },
        ),
        Drug(
            "methadone",
            "Methadone",
            {
                # One factor (4.7) [CDC22-IG V]; CDC 2016 used dose-dependent factors
                # [CDC-MME-IG V]. The figure is shown with METHADONE_WARNING.
                CDC2022: Factor(4.7, source="CDC22-IG V"),
                OPIOIDS_AWARE: Factor(
                    excluded_reason="Opioids Aware gives no methadone equivalence (dose- and "
                    "duration-dependent; specialist advice)",
                    source="OA S",
                ),
            },
            warning=METHADONE_WARNING,
        ),
        Drug(
            "pethidine",
            "Pethidine",
            {
                # Nielsen's 0.1 [NIELSEN S] is a research synthesis, not either clinical table.
                CDC2022: Factor(excluded_reason=NOT_IN_CDC, source="CDC22-IG V"),
                OPIOIDS_AWARE: Factor(excluded_reason=NOT_IN_OA, source="U"),
            },
        ),
        Drug(
            "morphine_parenteral",
            "Morphine (injection)",
            {
                # Palliative charts use oral:SC 2:1 [SPCG S], ANZCA x3 [S]: neither clinic table.
                CDC2022: Factor(excluded_reason=NOT_IN_CDC, source="CDC22-IG V"),
                OPIOIDS_AWARE: Factor(excluded_reason=NOT_IN_OA, source="U"),
            },
        ),
    )
}

ORAL = "oral"
TRANSDERMAL = "transdermal"
SUBCUTANEOUS = "subcutaneous"


@dataclass(frozen=True)
class Product:
    """A prescribable opioid product. Strength is the opioid ingredient's only: combination
    products count the opioid alone [CDC22-IG V] (e.g. co-codamol 30/500: codeine 30 mg)."""

    key: str
    name: str
    drug: str
    route: str
    form: str
    unit: str
    max_strength: float  # plausible upper bound per unit, for input checks [U design]
    other_ingredients: tuple[str, ...] = field(default=())
    # Strengths of the opioid per tablet or capsule on the UK market (BNF, immediate and
    # modified release together) [U memory, check against the BNF]; used only to round a taper's
    # dose to whole tablets (taper.practical_dose). Empty: not known, no rounding to tablets.
    strengths: tuple[float, ...] = field(default=())

    @property
    def is_patch(self) -> bool:
        return self.unit == UG_PER_H


def _oral(key, name, drug, form="tablet or capsule", max_strength=200.0, other=(), strengths=()):
    return Product(key, name, drug, ORAL, form, MG, max_strength, tuple(other), tuple(strengths))


PRODUCTS: dict[str, Product] = {
    p.key: p
    for p in (
        _oral(
            "morphine_oral",
            "Morphine (oral)",
            "morphine",
            strengths=(5, 10, 15, 20, 30, 50, 60, 100, 200),
        ),
        _oral("morphine_oral_solution", "Morphine oral solution", "morphine", "oral solution"),
        _oral("codeine_oral", "Codeine (oral)", "codeine", max_strength=60, strengths=(15, 30, 60)),
        _oral(
            "co_codamol",
            "Co-codamol (codeine with paracetamol)",
            "codeine",
            max_strength=60,
            other=("paracetamol",),
        ),
        _oral(
            "dihydrocodeine_oral",
            "Dihydrocodeine (oral)",
            "dihydrocodeine",
            max_strength=120,
            strengths=(30, 60, 90, 120),
        ),
        _oral(
            "tramadol_oral",
            "Tramadol (oral)",
            "tramadol",
            max_strength=200,
            strengths=(50, 100, 150, 200),
        ),
        _oral(
            "tramadol_paracetamol",
            "Tramadol with paracetamol",
            "tramadol",
            max_strength=75,
            other=("paracetamol",),
        ),
        _oral(
            "tapentadol_oral",
            "Tapentadol (oral)",
            "tapentadol",
            max_strength=250,
            strengths=(50, 75, 100, 150, 200, 250),
        ),
        _oral(
            "oxycodone_oral",
            "Oxycodone (oral)",
            "oxycodone",
            max_strength=120,
            strengths=(5, 10, 15, 20, 30, 40, 60, 80, 120),
        ),
        _oral(
            "oxycodone_naloxone",
            "Oxycodone with naloxone",
            "oxycodone",
            max_strength=80,
            other=("naloxone",),
        ),
        _oral("hydromorphone_oral", "Hydromorphone (oral)", "hydromorphone", max_strength=64),
        _oral("hydrocodone_oral", "Hydrocodone (oral)", "hydrocodone", max_strength=120),
        _oral(
            "hydrocodone_paracetamol",
            "Hydrocodone with paracetamol",
            "hydrocodone",
            max_strength=10,
            other=("paracetamol",),
        ),
        _oral("oxymorphone_oral", "Oxymorphone (oral)", "oxymorphone", max_strength=40),
        _oral("methadone_oral", "Methadone (oral)", "methadone", max_strength=100),
        _oral("pethidine_oral", "Pethidine (oral)", "pethidine", max_strength=100),
        Product(
            "fentanyl_patch", "Fentanyl patch", "fentanyl", TRANSDERMAL, "patch", UG_PER_H, 100
        ),
        Product(
            "buprenorphine_patch",
            "Buprenorphine patch",
            "buprenorphine",
            TRANSDERMAL,
            "patch",
            UG_PER_H,
            70,
        ),
        Product(
            "morphine_injection",
            "Morphine injection",
            "morphine_parenteral",
            SUBCUTANEOUS,
            "injection",
            MG,
            200,
        ),
    )
}

# Names a free-text entry must not use: an opioid goes through the product list so that it counts.
OPIOID_NAMES = frozenset(
    {*DRUGS, "morphine", "co-codamol", "cocodamol", "zapain", "oxynorm", "oxycontin", "zomorph"}
    | {"mst", "targinact", "butrans", "durogesic", "palexia", "zydol", "fentanyl", "buprenorphine"}
)


def factor_for(drug: str, table: str) -> Factor:
    return DRUGS[drug].factors[table]
