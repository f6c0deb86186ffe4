"""Programme and cohort names are natural keys compared whatever their case: "Spring cohort" and
"SPRING COHORT" are one cohort of a programme, "PMP" and "pmp" one programme of a team. The form
says so and keeps what was typed; the database refuses it too."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from programmes import services
from programmes.models import Cohort, Programme


@pytest.mark.django_db
def test_a_second_cohort_named_the_same_in_capitals_is_refused_and_the_form_kept(
    client, cohort, pmp, priya
):
    client.force_login(priya)
    start = date.today() + timedelta(weeks=4)
    response = client.post(
        reverse("programmes:cohort_create", args=[pmp.pk]),
        {
            "name": "SPRING COHORT",
            "start_date": start.isoformat(),
            "end_date": (start + timedelta(weeks=12)).isoformat(),
            "venue": "Outpatient gym, Level 3",
            "capacity": 8,
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "This programme already has a cohort with that name." in page
    assert 'value="SPRING COHORT"' in page and "Outpatient gym, Level 3" in page
    assert Cohort.objects.filter(programme=pmp).count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Cohort.objects.create(
            programme=pmp,
            name="spring COHORT",
            start_date=start,
            end_date=start + timedelta(weeks=12),
            venue="Gym",
            capacity=8,
            created_by=priya,
        )


@pytest.mark.django_db
def test_a_programme_name_is_once_per_team_whatever_the_case(pmp, priya):
    with pytest.raises(ValidationError, match="already has a programme with that name"):
        services.programme_create(actor=priya, team=pmp.team, name=pmp.name.upper(), kind=pmp.kind)
    with pytest.raises(IntegrityError), transaction.atomic():
        Programme.objects.create(team=pmp.team, name=pmp.name.lower(), kind=pmp.kind)
