"""The access policy states who sees which patient twice: per patient (``patients_visible_to``,
for lookups) and as one set (``patients_listed_for``, for the patient list; issue #16). Both
must list the same patients for everyone: each care-team place, each team, a place whose holder
no longer gives clinical care, a break-glass grant (live, ended, expired) and an inactive account."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from painclinic.models import Discipline, Role
from patients.access import patients_listed_for, patients_visible_to
from patients.models import EmergencyAccess
from tests.factories import EpisodeFactory, PatientFactory


def _both(user):
    per_patient = set(patients_visible_to(user).values_list("pk", flat=True))
    as_set = set(patients_listed_for(user).values_list("pk", flat=True))
    return per_patient, as_set


@pytest.mark.django_db
def test_both_forms_of_the_policy_list_the_same_patients_for_everyone(
    jannick, susan, ana, dina, bob, charlie, fay, priya, north, south
):
    # South: a patient of Charlie's, one whose care team Dina (North) joined, one with two
    # episodes (the older one in North with Ana), one with no care team at all.
    EpisodeFactory(team=south, lead_clinician=charlie, care_team=[charlie])
    EpisodeFactory(team=south, lead_clinician=charlie, care_team=[charlie, dina])
    twice = PatientFactory()
    EpisodeFactory(patient=twice, team=north, lead_clinician=ana, care_team=[ana])
    EpisodeFactory(patient=twice, team=south, lead_clinician=charlie, care_team=[charlie])
    EpisodeFactory(team=south, lead_clinician=charlie, care_team=[])
    # Priya on a care team gives no clinical care: her place opens nothing (issue #9).
    EpisodeFactory(team=north, lead_clinician=ana, care_team=[ana, priya])
    # Break-glass grants: Charlie's live one on Jannick, Fay's ended one, Bob's expired one.
    now = timezone.now()
    EmergencyAccess.objects.create(
        user=charlie, patient=jannick, reason="On call", expires_at=now + timedelta(hours=1)
    )
    EmergencyAccess.objects.create(
        user=fay, patient=susan, reason="Cover", expires_at=now + timedelta(hours=1), ended_at=now
    )
    EmergencyAccess.objects.create(
        user=bob, patient=twice, reason="Cover", expires_at=now - timedelta(minutes=1)
    )

    seen = {}
    for user in (ana, dina, bob, charlie, fay, priya):
        per_patient, as_set = _both(user)
        assert per_patient == as_set, user.username
        seen[user.username] = as_set
    assert jannick.pk in seen["charlie"]  # the live grant counts
    assert susan.pk not in seen["fay"]  # the ended one does not
    assert seen["priya"] == set()
    assert len(seen["bob"]) == 4  # Jannick, Susan, the two-episode patient, Priya's episode's

    fay.discipline = Discipline.OTHER  # a team lead who gives no clinical care: her team only
    fay.save()
    per_patient, as_set = _both(fay)
    assert per_patient == as_set == seen["fay"]
    ana.role = Role.PROGRAMME_ADMIN  # her care-team places remain but open nothing
    ana.save()
    assert _both(ana) == (set(), set())
    bob.is_active = False
    bob.save()
    assert _both(bob) == (set(), set())
