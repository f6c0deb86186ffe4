"""A patient identifier is one patient whatever its case: "demo-jannick" is Jannick. Ana, who
may see Jannick, is told who already has the number; Charlie, in another team, is not."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from painclinic.models import Team, User
from patients import services
from patients.models import Patient
from tests.factories import PatientFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def _registration(team, lead, **changes):
    data = {
        "identifier": "demo-jannick",
        "given_name": "Jan",
        "family_name": "Vries",
        "date_of_birth": "1986-05-02",
        "sex": "male",
        "preferred_language": "en-gb",
        "primary_condition": "MG30.04",
        "team": team.pk,
        "lead_clinician": lead.pk,
        "referral_date": (date.today() - timedelta(days=3)).isoformat(),
        "referral_source": "gp",
        "referral_reason": "Low back pain",
    }
    data.update(changes)
    return data


def test_the_database_refuses_an_identifier_differing_only_in_case(jannick):
    with pytest.raises(IntegrityError), transaction.atomic():
        PatientFactory(identifier="demo-JANNICK")


def test_ana_who_sees_jannick_is_told_his_record_exists(client, ana, north, jannick):
    client.force_login(ana)
    response = client.post(reverse("patients:register"), _registration(north, ana))
    assert response.status_code == 400
    errors = response.context["form"].errors["identifier"]
    assert "Jannick de Vries" in errors[0]
    assert "DEMO-JANNICK" in errors[0]
    assert Patient.objects.filter(identifier__iexact="demo-jannick").count() == 1
    assert 'value="demo-jannick"' in response.content.decode()  # what was typed is kept


def test_charlie_in_another_team_gets_a_neutral_message(client, charlie, south, jannick):
    client.force_login(charlie)
    response = client.post(reverse("patients:register"), _registration(south, charlie))
    assert response.status_code == 400
    content = response.content.decode()
    assert "already in use" in content
    assert "Jannick" not in content
    assert "de Vries" not in content


def test_editing_an_identifier_to_another_patients_in_other_case_is_refused(
    client, ana, jannick, susan
):
    client.force_login(ana)
    url = reverse("patients:edit", kwargs={"patient_id": susan.pk})
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(identifier="demo-jannick", interpreter_needed="")
    data["date_of_birth"] = susan.date_of_birth.isoformat()
    response = client.post(url, data)
    assert response.status_code == 400
    assert "Jannick de Vries" in response.context["form"].errors["identifier"][0]
    susan.refresh_from_db()
    assert susan.identifier == "DEMO-SUSAN"


def test_the_service_refuses_too(ana, north, jannick):
    with pytest.raises(ValidationError, match="already in use"):
        services.patient_register(
            actor=ana,
            team=north,
            lead_clinician=ana,
            patient_data={
                "identifier": "Demo-Jannick",
                "given_name": "J",
                "family_name": "V",
                "date_of_birth": date(1986, 1, 1),
                "sex": "male",
                "primary_condition": "MG30.04",
            },
            referral_date=date.today(),
            referral_source="gp",
            referral_reason="x",
        )


def test_usernames_and_team_names_are_unique_whatever_their_case(ana, north):
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(username="ANA")
    with pytest.raises(IntegrityError), transaction.atomic():
        TeamFactory(name=north.name.upper())
    assert User.objects.filter(username__iexact="ana").count() == 1
    assert Team.objects.filter(name__iexact=north.name).count() == 1
