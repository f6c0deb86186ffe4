"""Co-prescriptions to warn about with an opioid (shared/reference/medication.md §4)."""

from __future__ import annotations

from dataclasses import dataclass

BENZODIAZEPINE = "benzodiazepine"
Z_DRUG = "z_drug"
GABAPENTINOID = "gabapentinoid"
OTHER_CNS_DEPRESSANT = "other_cns_depressant"

CLASS_NAMES = {
    BENZODIAZEPINE: "a benzodiazepine",
    Z_DRUG: "a Z-drug (benzodiazepine-like sleeping tablet)",
    GABAPENTINOID: "a gabapentinoid",
    OTHER_CNS_DEPRESSANT: "another sedating medicine",
}

CLASS_MESSAGES = {
    # Boxed warning: co-prescribe only if alternatives are inadequate, lowest dose and duration,
    # warn about sedation and slow breathing [FDA16 V]; UK: only if no alternative [MHRA20b V].
    BENZODIAZEPINE: (
        "Opioid with a benzodiazepine: risk of fatal breathing problems. Co-prescribe only if "
        "there is no alternative, at the lowest dose for the shortest time; offer naloxone; "
        "taper the benzodiazepine gradually.",
        ("FDA16 V", "MHRA20b V", "CDC22-X S"),
    ),
    Z_DRUG: (
        "Opioid with a Z-drug (benzodiazepine-like): risk of fatal breathing problems. "
        "Co-prescribe only if there is no alternative.",
        ("MHRA20b V",),
    ),
    GABAPENTINOID: (
        "Opioid with a gabapentinoid: risk of serious breathing problems, higher over 65, "
        "with kidney impairment or lung disease.",
        ("FDA19g V", "MHRA21p V"),
    ),
    OTHER_CNS_DEPRESSANT: (
        "Opioid with another sedating medicine: added sedation and slowed breathing.",
        ("FDA16 V", "FDA19g V"),
    ),
}

# Generic names -> class. Benzodiazepines, Z-drugs and gabapentinoids are named in the sources;
# the "other" list follows FDA's CNS-depressant examples (anti-anxiety drugs, antidepressants,
# antihistamines) [FDA19g V] plus antipsychotics, muscle relaxants, barbiturates [U].
CLASSES: dict[str, str] = {
    **dict.fromkeys(
        (
            "diazepam",
            "lorazepam",
            "clonazepam",
            "temazepam",
            "alprazolam",
            "nitrazepam",
            "oxazepam",
            "chlordiazepoxide",
            "midazolam",
            "lormetazepam",
        ),
        BENZODIAZEPINE,
    ),
    **dict.fromkeys(("zopiclone", "zolpidem", "zaleplon", "eszopiclone"), Z_DRUG),
    **dict.fromkeys(("pregabalin", "gabapentin"), GABAPENTINOID),
    **dict.fromkeys(
        (
            "amitriptyline",
            "nortriptyline",
            "mirtazapine",
            "trazodone",
            "dosulepin",
            "promethazine",
            "hydroxyzine",
            "chlorphenamine",
            "quetiapine",
            "olanzapine",
            "baclofen",
            "methocarbamol",
            "cyclobenzaprine",
            "tizanidine",
            "phenobarbital",
            "buspirone",
        ),
        OTHER_CNS_DEPRESSANT,
    ),
}


def drug_class(name: str) -> str | None:
    """The class of a free-text medicine, by its first word (generic name), or None."""
    words = name.strip().lower().replace(",", " ").split()
    return CLASSES.get(words[0]) if words else None


@dataclass(frozen=True)
class CoPrescription:
    drug_class: str
    class_name: str
    medicines: tuple[str, ...]
    opioids: tuple[str, ...]
    message: str
    sources: tuple[str, ...]

    def as_dict(self) -> dict:
        return {
            "class": self.drug_class,
            "class_name": self.class_name,
            "medicines": list(self.medicines),
            "opioids": list(self.opioids),
            "message": self.message,
            "sources": list(self.sources),
        }


def co_prescriptions(opioids: list[str], others: list[str]) -> list[CoPrescription]:
    """One warning per class present alongside at least one opioid."""
    if not opioids:
        return []
    found: dict[str, list[str]] = {}
    for name in others:
        cls = drug_class(name)
        if cls:
            found.setdefault(cls, []).append(name)
    return [
        CoPrescription(
            cls,
            CLASS_NAMES[cls],
            tuple(found[cls]),
            tuple(opioids),
            CLASS_MESSAGES[cls][0],
            CLASS_MESSAGES[cls][1],
        )
        for cls in CLASS_NAMES
        if cls in found
    ]
