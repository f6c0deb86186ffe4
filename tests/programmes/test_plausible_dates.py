"""Programme dates follow the clinic's one rule (painclinic/validators.py): a cohort or a session
is planned at most two years ahead; a referral, screening, step or outcome score has happened
(not in the future, not before the clinic's records). Forms and services alike."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from painclinic.validators import planned_clinical_date
from programmes import services
from programmes.forms import CohortForm, SessionForm
from programmes.models import Cohort, ProgrammeSession

FAR = date.today() + timedelta(days=3 * 365)


@pytest.mark.django_db
def test_a_cohort_three_years_ahead_is_refused_by_the_form_and_the_service(pmp, priya):
    data = {
        "name": "Far away",
        "start_date": FAR,
        "end_date": FAR + timedelta(weeks=12),
        "venue": "Gym",
        "capacity": 8,
    }
    form = CohortForm(data)
    assert not form.is_valid()
    assert "more than two years ahead" in str(form.errors["start_date"])
    assert form["name"].value() == "Far away"  # what was typed is kept
    with pytest.raises(ValidationError, match="more than two years ahead"):
        services.cohort_create(actor=priya, programme=pmp, data=data)
    assert not Cohort.objects.filter(name="Far away").exists()


@pytest.mark.django_db
def test_a_session_uses_the_planned_date_rule_in_the_form_and_the_service(cohort, priya):
    assert planned_clinical_date in SessionForm.base_fields["first_date"].validators
    with pytest.raises(ValidationError, match="outside the clinic's records"):
        services.sessions_add(
            actor=priya,
            cohort=cohort,
            first_date=date(1999, 6, 1),
            length="am",
            hours=Decimal("3"),
            components=["education"],
        )
    assert not ProgrammeSession.objects.filter(date__year=1999).exists()


@pytest.mark.django_db
def test_a_step_dated_in_1999_is_outside_the_clinics_records(susan_referred, ana):
    with pytest.raises(ValidationError, match="outside the clinic's records"):
        services.screening_record(
            actor=ana, enrolment=susan_referred, data={}, screened_on=date(1999, 12, 31)
        )
