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
    assert 'value="SPRING COHORT"' in page
    assert "Outpatient gym, Level 3" in page
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


@pytest.mark.django_db
def test_the_admin_refuses_a_programme_named_again_in_capitals_and_keeps_the_form(
    client, django_user_model, pmp
):
    site_admin = django_user_model.objects.create_superuser(
        "admin", "", "correct horse battery staple"
    )
    client.force_login(site_admin)
    response = client.post(
        reverse("admin:programmes_programme_add"),
        {
            "name": pmp.name.upper(),
            "kind": pmp.kind,
            "team": pmp.team_id,
            "description": "Typed again",
            "pre_weeks_before": 6,
            "pre_weeks_after": 1,
            "post_weeks_around": 4,
            "follow_up_weeks": 12,
            "follow_up_weeks_around": 4,
            "completion_min_percent": 50,
            "measures-TOTAL_FORMS": 0,
            "measures-INITIAL_FORMS": 0,
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "This team already has a programme with that name." in page
    assert "Typed again" in page
    assert Programme.objects.filter(team=pmp.team).count() == 1
