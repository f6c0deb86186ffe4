"""The one rule for plausible dates (painclinic/validators.py): a birth in 1800 or next year, a
referral in 1800 or a review in 1999 are typos, refused with a message that says what to check."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from painclinic.validators import (
    past_clinical_date,
    planned_clinical_date,
    validate_birth_date,
    validate_history_date,
)

TODAY = date(2026, 6, 15)
BORN = date(1986, 3, 1)


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (date(2026, 6, 16), "cannot be in the future"),
        (date(1899, 12, 31), "before 1 Jan 1900 is not plausible"),
    ],
)
def test_a_birth_date_outside_1900_to_today_is_refused(day, message):
    with pytest.raises(ValidationError, match=message):
        validate_birth_date(day, today=TODAY)


def test_plausible_birth_dates_and_blank_pass():
    for day in (date(1900, 1, 1), BORN, TODAY, None):
        assert validate_birth_date(day, today=TODAY) is None  # no error: accepted


@pytest.mark.parametrize(
    ("day", "kwargs", "message"),
    [
        (date(1800, 1, 1), {}, "The referral date before 1 Jan 2000 is outside the clinic"),
        (date(2026, 7, 1), {}, "cannot be in the future"),
        (date(1980, 1, 1), {"born": BORN}, "before the patient's date of birth \\(1 Mar 1986\\)"),
        (
            date(2026, 1, 1),
            {"not_before": date(2026, 2, 1), "not_before_label": "the referral"},
            "cannot be before the referral \\(1 Feb 2026\\)",
        ),
    ],
)
def test_a_past_clinical_event_outside_its_window_is_refused(day, kwargs, message):
    with pytest.raises(ValidationError, match=message):
        past_clinical_date(day, what="The referral date", today=TODAY, **kwargs)


def test_a_past_clinical_event_accepts_datetimes_and_the_plausible():
    assert past_clinical_date(datetime(2026, 6, 1, 10, 0), today=TODAY) is None
    assert past_clinical_date(date(2000, 1, 1), born=BORN, today=TODAY) is None
    assert past_clinical_date(None) is None


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (date(1999, 5, 1), "before 1 Jan 2000 is outside the clinic's records"),
        (TODAY + timedelta(days=3 * 365), "more than two years ahead"),
    ],
)
def test_a_planned_date_far_off_is_refused(day, message):
    with pytest.raises(ValidationError, match=message):
        planned_clinical_date(day, what="The next review", today=TODAY)


def test_a_planned_date_within_two_years_passes():
    assert planned_clinical_date(TODAY + timedelta(days=700), today=TODAY) is None


def test_pain_onset_may_predate_the_clinic_but_not_the_birth():
    assert validate_history_date(date(1995, 1, 1), born=BORN, today=TODAY) is None
    with pytest.raises(ValidationError, match="Pain onset cannot be before the date of birth"):
        validate_history_date(date(1980, 1, 1), born=BORN, what="Pain onset", today=TODAY)


def test_called_with_the_value_only_each_is_a_field_validator():
    from django import forms

    field = forms.DateField(validators=[past_clinical_date])
    with pytest.raises(ValidationError):
        field.clean("1800-01-01")


@pytest.mark.parametrize(
    ("form_path", "field", "validator"),
    [
        ("assessment.forms.SessionStartForm", "date", past_clinical_date),
        ("treatment.forms.GoalReviewForm", "review_date", past_clinical_date),
        ("treatment.forms.PacingPlanForm", "start_date", planned_clinical_date),
        ("treatment.forms.PacingLogForm", "day", planned_clinical_date),
        ("treatment.forms.PacingScheduleChangeForm", "effective_from", planned_clinical_date),
        ("sced.forms.StudyForm", "start_date", planned_clinical_date),
    ],
)
def test_the_other_apps_simple_date_fields_use_the_same_rule(form_path, field, validator):
    from importlib import import_module

    module, name = form_path.rsplit(".", 1)
    form_class = getattr(import_module(module), name)
    assert validator in form_class.base_fields[field].validators
