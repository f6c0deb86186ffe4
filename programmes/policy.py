"""The access policy, programme (PMP) level, and what a PMP page may show or let a user do with a
participant's CLINICAL data (issue #6, issue #9 data minimisation).

One policy in three modules, one per layer (painclinic/access.py says which question lives where).
The clinical level is decided in patients/access.py; this module adds the programme level on top
and combines the two (``access_level``), so each rule lives in one place:

- a programme admin runs the PMP cohorts of their team(s) (team leads of the programme's team may
  run them too): ``programmes_run_by``; they see the patients referred to or enrolled in those
  programmes at the PMP level (``patients_in_programmes_of``), never the clinical record;
- a patient may be referred only to a programme of a team holding one of their episodes
  (``programmes_open_to_referral``);

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

from django.db.models import Exists, OuterRef, QuerySet

from painclinic.access import AccessLevel, can_run_programmes, may_give_clinical_care
from patients.access import patients_visible_to
from patients.models import Patient
from programmes.models import Enrolment, Programme


def programmes_run_by(user: Any) -> QuerySet[Programme]:
    """The PMP programmes a user may run: those of a team the user is a member of."""
    if not can_run_programmes(user):
        return Programme.objects.none()
    return Programme.objects.filter(team__memberships__user=user).distinct()


def programmes_open_to_referral(patient: Patient) -> QuerySet[Programme]:
    """The programmes a patient may be referred to: those run by a team holding one of the
    patient's episodes. A referral shows the patient's identity to the programme's team, so another
    team's programme is out of reach (issue #15: the referral form offered every team's
    programme; cross-team referral would need an explicit, audited agreement between teams)."""
    return Programme.objects.filter(team__episodes__patient=patient).distinct()


def patients_in_programmes_of(user: Any) -> QuerySet[Patient]:
    """Patients referred to or enrolled in a programme the user runs (PMP-level reach)."""
    if not can_run_programmes(user):
        return Patient.objects.none()
    return Patient.objects.filter(
        Exists(
            Enrolment.objects.filter(
                patient=OuterRef("pk"), programme__team__memberships__user=user
            )
        )
    )


def access_level(user: Any, patient: Patient) -> AccessLevel:
    """CLINICAL when the clinical rules allow (patients.access); PMP for a patient in a programme
    the user runs; NONE otherwise."""
    if patients_visible_to(user).filter(pk=patient.pk).exists():
        return AccessLevel.CLINICAL
    if patients_in_programmes_of(user).filter(pk=patient.pk).exists():
        return AccessLevel.PMP
    return AccessLevel.NONE


def can_view_pmp(user: Any, patient: Patient) -> bool:
    return access_level(user, patient) >= AccessLevel.PMP


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
    """May this user give clinical care at all? The one rule lives in painclinic.access."""
    return may_give_clinical_care(user)


def may_see_clinical(user: Any, patient) -> bool:
    """The user has the patient's clinical record open (``access_level``)."""
    return access_level(user, patient) >= AccessLevel.CLINICAL


def may_record_screening(user: Any, patient) -> bool:
    return gives_clinical_care(user) and may_see_clinical(user, patient)


def clinically_visible(user: Any, patient_ids: Iterable[Any]) -> set[Any]:
    """The ids among ``patient_ids`` whose clinical record the user may see: the one-query form
    of ``access_level(user, p) == CLINICAL`` for a whole cohort (the clinical level is exactly
    ``patients_visible_to``)."""
    ids = list(patient_ids)
    if not ids:
        return set()
    return set(patients_visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
