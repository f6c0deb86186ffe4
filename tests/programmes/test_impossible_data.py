"""Programme data that cannot be true is refused with a clear message, through the pages, the
services and the models (so the admin site cannot go around it), and nothing typed is lost
(issue #9): sessions outside the cohort's dates, attendance at a session still to come, a
completer who attended nothing, a PCS of 75 or -5 or dated tomorrow, a measure whose instrument
matches nothing in the library, a reliability of 1.7."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.forms import modelform_factory
from django.urls import reverse

from programmes import services
from programmes.forms import CohortForm, OutcomeForm, SessionForm
from programmes.models import (
    Attendance,
    Direction,
    ProgrammeMeasure,
    ProgrammeSession,
)
from tests.programmes.conftest import attend, enrol

pytestmark = pytest.mark.django_db

TOMORROW = date.today() + timedelta(days=1)


def _sessions(cohort, priya, first_date, weeks=1):
    return services.sessions_add(
        actor=priya,
        cohort=cohort,
        first_date=first_date,
        length="am",
        hours=None,
        components=["education"],
        weeks=weeks,
    )


# --- Sessions and the cohort's dates ---------------------------------------------------------


def test_a_session_outside_the_cohorts_dates_is_refused_everywhere(cohort, priya):
    with pytest.raises(ValidationError, match="within the cohort's dates"):
        _sessions(cohort, priya, cohort.start_date - timedelta(days=1))
    # A weekly repeat that runs past the end is refused whole: nothing half-written.
    with pytest.raises(ValidationError, match="outside them"):
        _sessions(cohort, priya, cohort.end_date - timedelta(weeks=1), weeks=3)
    assert not cohort.sessions.exists()
    session = ProgrammeSession(
        cohort=cohort, date=cohort.end_date + timedelta(days=3), length="am", hours=3
    )
    with pytest.raises(ValidationError) as raised:
        session.full_clean()
    assert "date" in raised.value.message_dict


def test_the_session_form_says_why_and_keeps_what_was_typed(client, cohort, priya):
    client.force_login(priya)
    late = (cohort.end_date + timedelta(days=7)).isoformat()
    response = client.post(
        reverse("programmes:sessions_add", args=[cohort.pk]),
        {
            "first_date": late,
            "length": "am",
            "components": ["education"],
            "title": "Pacing",
            "weeks": 1,
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "within the cohort" in page
    assert f'value="{late}"' in page
    assert 'value="Pacing"' in page
    assert not cohort.sessions.exists()
    form = SessionForm(cohort=cohort)
    assert form.fields["first_date"].widget.attrs["max"] == cohort.end_date.isoformat()


def test_moving_a_cohorts_dates_cannot_strand_its_sessions(cohort, priya):
    _sessions(cohort, priya, cohort.start_date)
    cohort.start_date += timedelta(days=1)
    with pytest.raises(ValidationError, match="1 session of the timetable falls outside"):
        cohort.full_clean()


def test_a_cohort_needs_at_least_one_place(pmp):
    form = CohortForm(
        {
            "name": "Tiny",
            "start_date": date.today(),
            "end_date": date.today() + timedelta(weeks=6),
            "venue": "Gym",
            "capacity": 0,
        }
    )
    assert not form.is_valid()
    assert "capacity" in form.errors


# --- Attendance, GCQ-S and completion ---------------------------------------------------------


def test_attendance_and_gcqs_at_a_session_still_to_come_are_refused(
    client, cohort, susan_referred, priya
):
    enrolment = enrol(susan_referred, cohort, priya)
    (later,) = _sessions(cohort, priya, TOMORROW)
    with pytest.raises(ValidationError, match="has not happened yet"):
        services.attendance_record(actor=priya, session=later, marks={enrolment: True})
    with pytest.raises(ValidationError, match="has not happened yet"):
        services.climate_record(
            actor=priya,
            session=later,
            enrolment=enrolment,
            answers={str(n): 3 for n in range(1, 13)},
        )
    client.force_login(priya)
    url = reverse("programmes:attendance", args=[cohort.pk, later.pk])
    assert "has not happened yet" in client.get(url).content.decode()
    assert client.post(url, {"attended": [enrolment.pk]}).status_code == 400
    assert not Attendance.objects.exists()


def test_completion_needs_the_programmes_share_of_the_sessions(
    full_cohort, susan_referred, priya, pmp
):
    """Default rule: at least half of the timetable (6 of 12). 0 of 12 was a completer."""
    enrolment = enrol(susan_referred, full_cohort, priya)
    sessions = list(full_cohort.sessions.all())

    def complete():
        return services.enrolment_transition(
            actor=priya, enrolment=enrolment, to_state="completed", changed_on=date.today()
        )

    with pytest.raises(ValidationError, match=r"Attended 0 of 12 sessions: .* at least 6"):
        complete()
    attend(enrolment, sessions[:5], priya)
    with pytest.raises(ValidationError, match="Attended 5 of 12"):
        complete()
    attend(enrolment, sessions[5:6], priya)
    assert complete().state == "completed"


def test_the_cohort_page_states_the_completion_rule(client, full_cohort, priya):
    client.force_login(priya)
    page = client.get(reverse("programmes:cohort", args=[full_cohort.pk])).content.decode()
    assert "attending at least 50% of the sessions: 6 of 12" in page


def test_a_programme_can_set_a_stricter_completion_rule(full_cohort, susan_referred, priya, pmp):
    pmp.completion_min_percent = 75
    pmp.save()
    enrolment = enrol(susan_referred, full_cohort, priya)
    attend(enrolment, list(full_cohort.sessions.all())[:8], priya)
    with pytest.raises(ValidationError, match="at least 9 \\(75%\\)"):
        services.enrolment_transition(
            actor=priya, enrolment=enrolment, to_state="completed", changed_on=date.today()
        )
    pmp.completion_min_percent = 0
    with pytest.raises(ValidationError):
        pmp.full_clean()


# --- Scores and measures against the instrument library -----------------------------------------


@pytest.fixture
def pcs(pmp):
    return ProgrammeMeasure.objects.create(
        programme=pmp, instrument_key="pcs", label="PCS", direction=Direction.HIGHER_IS_WORSE
    )


@pytest.mark.parametrize("value", [75, -5, 52.5])
def test_a_score_outside_the_instruments_range_is_refused(
    cohort, susan_referred, priya, ana, pcs, value
):
    enrolment = enrol(susan_referred, cohort, priya)
    with pytest.raises(ValidationError, match="A PCS score runs from 0 to 52"):
        services.outcome_record(
            actor=ana,
            enrolment=enrolment,
            measure=pcs,
            time_point="pre",
            value=value,
            recorded_on=date.today(),
        )
    assert not enrolment.outcomes.exists()


def test_a_score_dated_in_the_future_is_refused(cohort, susan_referred, priya, ana, pcs):
    enrolment = enrol(susan_referred, cohort, priya)
    with pytest.raises(ValidationError, match="cannot be in the future"):
        services.outcome_record(
            actor=ana,
            enrolment=enrolment,
            measure=pcs,
            time_point="pre",
            value=20,
            recorded_on=TOMORROW,
        )
    form = OutcomeForm(
        {"measure": pcs.pk, "time_point": "pre", "value": 20, "recorded_on": TOMORROW},
        measures=ProgrammeMeasure.objects.all(),
    )
    assert not form.is_valid()
    assert "recorded_on" in form.errors


def test_the_score_form_says_why_and_keeps_what_was_typed(
    client, cohort, susan_referred, priya, bob, pcs
):
    enrolment = enrol(susan_referred, cohort, priya)
    client.force_login(bob)
    response = client.post(
        reverse("programmes:outcome", args=[enrolment.pk]),
        {"measure": pcs.pk, "time_point": "pre", "value": "75", "recorded_on": date.today()},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "A PCS score runs from 0 to 52; 75 is outside it." in page
    assert 'value="75"' in page


def test_a_measure_is_an_instrument_of_the_library_with_a_real_reliability(pmp):
    def measure(**fields):
        base = {
            "programme": pmp,
            "instrument_key": "pcs",
            "label": "PCS",
            "direction": Direction.HIGHER_IS_WORSE,
        }
        return ProgrammeMeasure(**{**base, **fields})

    with pytest.raises(ValidationError) as raised:
        measure(instrument_key="pcs_total").full_clean()
    assert "instrument_key" in raised.value.message_dict
    # FABQ has subscales only: no total for the cohort outcomes to compare.
    with pytest.raises(ValidationError):
        measure(instrument_key="fabq").full_clean()
    for bad in (1.7, 1.0, 0.0, -0.2):
        with pytest.raises(ValidationError, match="between 0 and 1"):
            measure(reliability=bad, sd=9.9).full_clean()
    with pytest.raises(ValidationError, match="greater than 0"):
        measure(sd=0, reliability=0.8).full_clean()
    measure(sd=9.9, reliability=0.85).full_clean()
    # The admin's form offers the library as a choice list, not a free-text box.
    form_class = modelform_factory(ProgrammeMeasure, fields=["instrument_key", "reliability"])
    choices = dict(form_class().fields["instrument_key"].choices)
    assert choices["pcs"] == "PCS"
    assert "fabq" not in choices
    # And a write that skips validation altogether still cannot store 1.7.
    with pytest.raises(IntegrityError), transaction.atomic():
        measure(reliability=1.7).save()


def test_outcome_windows_beyond_a_year_are_refused_by_the_service(pmp, priya):
    with pytest.raises(ValidationError):
        services.programme_windows_update(actor=priya, programme=pmp, data={"follow_up_weeks": 400})
    pmp.refresh_from_db()
    assert pmp.follow_up_weeks == 12


# --- Dates that cannot be -------------------------------------------------------------------


def test_programme_dates_must_be_plausible(pmp, susan, ana, priya):
    form = CohortForm(
        {
            "name": "Old",
            "start_date": "1800-01-06",
            "end_date": "1800-03-30",
            "venue": "Gym",
            "capacity": 8,
        }
    )
    assert not form.is_valid()
    assert "outside the clinic" in str(form.errors["start_date"])
    form = CohortForm(
        {
            "name": "Endless",
            "start_date": date.today(),
            "end_date": date.today() + timedelta(weeks=60),
            "venue": "Gym",
            "capacity": 8,
        }
    )
    assert not form.is_valid()
    assert "at most a year" in str(form.errors["end_date"])
    with pytest.raises(ValidationError, match="outside the clinic"):
        services.enrolment_refer(
            actor=ana, patient=susan, programme=pmp, referred_on=date(1999, 12, 31)
        )
    with pytest.raises(ValidationError, match="cannot be in the future"):
        services.enrolment_refer(actor=ana, patient=susan, programme=pmp, referred_on=TOMORROW)


def test_a_step_cannot_be_dated_in_the_future_nor_completion_before_the_start(
    full_cohort, jannick, pmp, ana, priya
):
    referral = services.enrolment_refer(
        actor=ana,
        patient=jannick,
        programme=pmp,
        referred_on=full_cohort.start_date - timedelta(weeks=4),
    )
    enrolment = enrol(referral, full_cohort, priya)
    attend(enrolment, full_cohort.sessions.all(), priya)
    with pytest.raises(ValidationError, match="cannot be in the future"):
        services.enrolment_transition(
            actor=priya, enrolment=enrolment, to_state="completed", changed_on=TOMORROW
        )
    with pytest.raises(ValidationError, match="before the cohort starts"):
        services.enrolment_transition(
            actor=priya,
            enrolment=enrolment,
            to_state="completed",
            changed_on=full_cohort.start_date - timedelta(days=1),
        )
