"""Graded-exposure (in vivo) fidelity checklist (competence.md §3).

No widely adopted, validated graded-exposure fidelity scale for chronic pain was found [U]. The
checklist follows the method of GEXP20 [V]: essential elements per phase, each coded present or
absent, reported as the share of elements present. The preparation and education elements are
GEXP20's [V]; the exposure-session elements are the reference's suggested fields, derived from
GEXP20 and inhibitory-learning practice [U design]. An element that does not apply to the
session (e.g. education in a pure exposure session) is "not applicable" and leaves the
denominator. No pass mark is published [U]: the share is shown without a band.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .base import InvalidRating, Item, Result, Scale

if TYPE_CHECKING:
    from collections.abc import Mapping

PRESENT, ABSENT, NOT_APPLICABLE = "present", "absent", "na"

ITEMS = (
    # Preparation [GEXP20 V]
    Item("prep_concerns", "Concerns and fears about activities discussed", "Preparation"),
    Item("prep_threat", "Threat of daily activities rated (e.g. with photographs)", "Preparation"),
    Item("prep_hierarchy", "Fear hierarchy built from those ratings", "Preparation"),
    Item("prep_aim", "Aim of the session explained", "Preparation"),
    Item("prep_teamwork", "Good teamwork between therapist and patient", "Preparation"),
    # Education [GEXP20 V]
    Item("edu_pain_injury", "No clear link between pain and injury explained", "Education"),
    Item("edu_no_biomechanics", "Biomechanical explanations avoided", "Education"),
    Item("edu_not_pain_relief", "Pain reduction explained as not the goal", "Education"),
    Item("edu_test_beliefs", "Treatment explained as a test of the patient's beliefs", "Education"),
    Item("edu_biopsychosocial", "Biopsychosocial model explained", "Education"),
    Item("edu_involved", "Patient actively involved", "Education"),
    # Exposure sessions [U design: the reference's suggested fields]
    Item("exp_from_hierarchy", "Activity taken from the hierarchy, its threat rated", "Exposure"),
    Item("exp_prediction_before", "Patient's prediction rated before the activity", "Exposure"),
    Item("exp_as_planned", "Exposure done as planned", "Exposure"),
    Item("exp_safety_dropped", "Safety behaviours dropped", "Exposure"),
    Item("exp_outcome_discussed", "Outcome compared with the prediction", "Exposure"),
    Item("exp_home_practice", "Home practice agreed", "Exposure"),
)
OPTIONS = ((PRESENT, "Present"), (ABSENT, "Absent"), (NOT_APPLICABLE, "Not applicable"))


def score(values: Mapping[str, Any]) -> Result:
    allowed = {value for value, _ in OPTIONS}
    missing = [item.label for item in ITEMS if values.get(item.id) in (None, "")]
    if missing:
        raise InvalidRating(
            "Mark every element present, absent or not applicable; missing: " + ", ".join(missing)
        )
    wrong = [item.label for item in ITEMS if values[item.id] not in allowed]
    if wrong:
        raise InvalidRating("Unknown answer for: " + ", ".join(wrong))
    rated = [item for item in ITEMS if values[item.id] != NOT_APPLICABLE]
    if not rated:
        raise InvalidRating("At least one element must apply to the session.")
    present = sum(1 for item in rated if values[item.id] == PRESENT)
    share = 100 * present / len(rated)
    by_group: dict[str, str] = {}
    for group in dict.fromkeys(item.group for item in ITEMS):
        in_group = [i for i in rated if i.group == group]
        if in_group:
            got = sum(1 for i in in_group if values[i.id] == PRESENT)
            by_group[group] = f"{got} of {len(in_group)}"
    return Result(
        summary=f"{present} of {len(rated)} elements present ({share:.0f}%)",
        band="",
        parts={"Elements present": present, "Elements that applied": len(rated), **by_group},
        threshold_note=(
            "No validated fidelity scale or pass mark for graded exposure in chronic pain has "
            "been published: the share of essential elements present is a guide for "
            "supervision, not a pass or fail."
        ),
    )


EXPOSURE = Scale(
    key="exposure",
    name="Graded exposure fidelity checklist",
    use="A graded-exposure session (preparation, education or exposure).",
    items=ITEMS,
    options=OPTIONS,
    scorer=score,
    source="Essential elements per phase after the 2020 process evaluation of a graded "
    "exposure programme (BMC Health Serv Res 2020); Leeuw et al. 2008",
)
