"""What a PMP page may show or let a user do with a participant's CLINICAL data (issue #9, data
minimisation). Who may see a patient at all is decided in painclinic.access; this module only
combines those answers for the programme pages, so the rule lives in one place here.

- The suitability screening records clinical judgements (acute psychiatric need, severe
  cognitive impairment, profound disability or fatigue): it is entered by someone who gives
  clinical care and has the patient's clinical record open; others (the programme admin) see
  only "suitable / not suitable / discuss at MDT" (``suitability.ADMIN_SUMMARY``).
- A participant's own outcome scores are clinical: shown, entered and exported only for users
  with clinical access to that patient (the care team, or the team lead of its team); everyone
  who runs the programme sees the cohort's aggregate.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from painclinic import access

if TYPE_CHECKING:
    from collections.abc import Iterable

NOT_A_CLINICIAN = (
    "The suitability screening records clinical judgements: a clinician on the patient's care "
    "team records it."
)
NOT_ON_CARE_TEAM = (
    "A participant's own scores are entered and shown only to their care team; the programme "
    "pages show the cohort's summary."
)


def gives_clinical_care(user: Any) -> bool:
    """May this user give clinical care at all? The one rule lives in the access policy."""
    return access.may_give_clinical_care(user)


def may_see_clinical(user: Any, patient) -> bool:
    """The user has the patient's clinical record open (painclinic.access.access_level)."""
    return access.access_level(user, patient) >= access.AccessLevel.CLINICAL


def may_record_screening(user: Any, patient) -> bool:
    return gives_clinical_care(user) and may_see_clinical(user, patient)


def clinically_visible(user: Any, patient_ids: Iterable[Any]) -> set[Any]:
    """The ids among ``patient_ids`` whose clinical record the user may see: the one-query form
    of ``access_level(user, p) == CLINICAL`` for a whole cohort (the clinical level is exactly
    ``patients_visible_to``)."""
    ids = list(patient_ids)
    if not ids:
        return set()
    return set(access.patients_visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
