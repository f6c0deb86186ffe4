"""A goal's target date is a planned date: the clinic's one rule (painclinic/validators.py)
applies to the goal form and to the service behind it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from tests.treatment.factories import goal_for
from treatment.forms import GoalForm
from treatment.models import Goal


@pytest.mark.django_db
def test_a_target_three_years_ahead_is_a_typo_in_the_form_and_in_the_service(ana, jannick):
    far = date.today() + timedelta(days=3 * 365)
    form = GoalForm({"patient_words": "Back to work", "by_when": far.isoformat()})
    assert not form.is_valid()
    assert "more than two years ahead" in str(form.errors["by_when"])
    with pytest.raises(ValidationError, match="more than two years ahead"):
        goal_for(jannick, ana, by_when=far)
    assert not Goal.objects.exists()
    assert goal_for(jannick, ana, by_when=date.today() + timedelta(days=84)).pk
