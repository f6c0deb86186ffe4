"""Only clinicians lead or join a care team (issue #9): Priya, the programme admin, is never offered
as lead clinician, a forged form naming her is refused, and the services refuse her too, because a
place on the care team opens the whole record."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from painclinic.access import clinical_staff, may_give_clinical_care
from painclinic.models import Discipline, Role
from patients import services
from patients.models import CareTeamMember, Patient
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _registration(north, lead, **changes):
    data = {
        "identifier": "NHS-943-476-5919",
        "given_name": "Maria",
        "family_name": "Lindqvist",
        "date_of_birth": "1971-05-02",
        "sex": "female",
        "gender": "",
        "phone": "",
        "email": "",
        "address": "",
        "gp_name": "Dr Osei",
        "gp_practice": "",
        "preferred_language": "en-gb",
        "language_note": "Swedish",
        "primary_condition": "MG30.00",
        "pain_onset": "2019-01-01",
        "team": north.pk,
        "lead_clinician": lead.pk,
        "referral_date": (date.today() - timedelta(days=3)).isoformat(),
        "referral_source": "gp",
        "referral_reason": "Widespread pain, poor sleep",
    }
    data.update(changes)
    return data


def test_the_rule_asks_for_a_clinical_role_and_a_clinical_discipline(ana, bob, priya, north):
    no_discipline = UserFactory(
        username="sam", role=Role.CLINICIAN, discipline=Discipline.OTHER, team=north
    )
    retired = UserFactory(username="ros", is_active=False, team=north)
    assert may_give_clinical_care(ana)
    assert may_give_clinical_care(bob)
    for user in (priya, no_discipline, retired):
        assert not may_give_clinical_care(user)
    assert set(clinical_staff(north)) == {ana, bob}


def test_priya_is_not_offered_as_lead_clinician_when_registering(client, priya, ana, north):
    client.force_login(priya)
    form = client.get(reverse("patients:register")).context["form"]
    offered = list(form.fields["lead_clinician"].queryset)
    assert priya not in offered
    assert ana in offered
    assert form.initial.get("lead_clinician") is None  # she is not preselected either


def test_a_forged_registration_naming_priya_is_refused_with_a_form_error(client, priya, north):
    client.force_login(priya)
    response = client.post(reverse("patients:register"), _registration(north, priya))
    assert response.status_code == 400
    assert response.context["form"].errors["lead_clinician"] == [
        "Choose a clinician of the team who gives clinical care."
    ]
    assert response.context["form"]["family_name"].value() == "Lindqvist"  # kept as typed
    assert not Patient.objects.filter(identifier="NHS-943-476-5919").exists()


def test_priya_registering_a_referral_for_ana_does_not_join_the_care_team(
    client, priya, ana, north
):
    client.force_login(priya)
    response = client.post(reverse("patients:register"), _registration(north, ana))
    assert response.status_code == 302, response.context["form"].errors
    patient = Patient.objects.get(identifier="NHS-943-476-5919")
    members = CareTeamMember.objects.filter(episode__patient=patient)
    assert list(members.values_list("user__username", flat=True)) == ["ana"]
    assert (
        client.get(reverse("patients:detail", kwargs={"patient_id": patient.pk})).status_code == 404
    )


def test_the_services_refuse_a_programme_admin_as_lead_or_care_team_member(
    priya, ana, bob, jannick, north
):
    episode = jannick.episodes.get()
    with pytest.raises(ValidationError, match="does not give clinical care"):
        services.patient_register(
            actor=priya,
            team=north,
            lead_clinician=priya,
            patient_data={"identifier": "X-1", "given_name": "A", "family_name": "B"},
            referral_date=date.today(),
            referral_source="gp",
            referral_reason="Pain",
        )
    with pytest.raises(ValidationError, match="does not give clinical care"):
        services.episode_open(
            actor=ana,
            patient=jannick,
            team=north,
            lead_clinician=priya,
            referral_date=date.today(),
            referral_source="gp",
            referral_reason="Relapse",
        )
    with pytest.raises(ValidationError, match="does not give clinical care"):
        services.care_team_add(actor=bob, episode=episode, member=priya)
    with pytest.raises(ValidationError, match="does not give clinical care"):
        services.patient_reassign(actor=bob, episode=episode, to_clinician=priya)
    assert not CareTeamMember.objects.filter(user=priya).exists()


def test_reassignment_offers_clinicians_only_and_refuses_a_forged_post(
    client, bob, ana, dina, priya, jannick
):
    url = reverse("team:reassign", kwargs={"patient_id": jannick.pk})
    client.force_login(bob)
    offered = list(client.get(url).context["reassign_form"].fields["to_clinician"].queryset)
    assert dina in offered
    assert bob in offered
    assert priya not in offered
    assert ana not in offered  # ana already leads
    response = client.post(url, {"to_clinician": priya.pk, "note": ""})
    assert response.status_code == 400
    assert response.context["reassign_form"].errors["to_clinician"] == [
        "Choose a clinician of the team who gives clinical care."
    ]
    assert jannick.episodes.get().lead_clinician == ana


def test_a_care_team_place_opens_the_record_only_while_its_holder_gives_clinical_care(
    client, ana, jannick
):
    url = reverse("patients:detail", kwargs={"patient_id": jannick.pk})
    client.force_login(ana)
    assert client.get(url).status_code == 200
    ana.role = Role.PROGRAMME_ADMIN  # e.g. changed in the admin; her old care-team row remains
    ana.save()
    assert client.get(url).status_code == 404


def test_a_treatment_plan_names_only_clinicians_as_deliverers(ana, priya, jannick):
    from treatment import selectors as treatment_selectors
    from treatment import services as treatment_services

    episode = jannick.episodes.get()
    CareTeamMember.objects.create(episode=episode, user=priya)  # e.g. a row from before the rule
    assert treatment_selectors.care_team_users(episode) == [ana]
    with pytest.raises(ValidationError, match="does not give clinical care"):
        treatment_services.plan_save(
            actor=ana,
            episode=episode,
            formulation="Fear of bending keeps him off work.",
            yellow_flags=["fear_of_movement"],
            focus_areas="Lifting at work.",
            interventions={"pain_education": priya},
            expected_version=0,
        )
