"""Work status and healthcare use at each time point (issue #14), entered by the clinician on the
session page and shown across time points on the profile."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from assessment import selectors, services
from assessment.models import (
    DAYS_OFF_RANGE,
    WORK_OTHER_NEEDS_WORDS,
    TimePoint,
    WorkAndHealthcareUse,
    WorkStatus,
)
from painclinic.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db
TODAY = date.today()

OFF_SICK = {
    "work_status": WorkStatus.OFF_SICK,
    "hours_per_week": "38",
    "days_off_for_pain_4_weeks": "20",
    "gp_visits_3_months": "4",
    "emergency_visits_3_months": "1",
    "hospital_admissions_3_months": "0",
    "scans_3_months": "2",
    "specialist_visits_3_months": "1",
}


def _session(patient, actor, time_point=TimePoint.FIRST_VISIT, on=TODAY):
    return services.session_start(
        actor=actor,
        patient=patient,
        episode=patient.episodes.first(),
        time_point=time_point,
        on=on,
        instrument_keys=["nrs"],
    )


def _url(session):
    return reverse(
        "assessment:work_and_healthcare",
        kwargs={"patient_id": session.patient_id, "session_id": session.pk},
    )


def test_ana_records_jannick_off_sick_at_his_first_visit(client, jannick, ana):
    session = _session(jannick, ana)
    client.force_login(ana)
    assert client.get(_url(session)).status_code == 200
    response = client.post(_url(session), OFF_SICK)
    assert response.status_code == 302
    record = selectors.work_and_healthcare_current(session)
    assert record.work_status == WorkStatus.OFF_SICK
    assert (record.hours_per_week, record.days_off_for_pain_4_weeks) == (38, 20)
    assert record.gp_visits_3_months == 4
    assert record.hospital_admissions_3_months == 0  # 0 is "none", kept apart from "not asked"
    event = AuditEvent.objects.filter(object_type="assessment.workandhealthcareuse").get()
    assert (event.action, event.patient_id, event.actor) == (AuditAction.CREATE, jannick.pk, ana)
    page = client.get(
        reverse("assessment:session", kwargs={"patient_id": jannick.pk, "session_id": session.pk})
    ).content.decode()
    assert "Employed, off sick" in page


def test_the_profile_shows_work_and_healthcare_across_time_points(client, jannick, ana):
    first = _session(jannick, ana, on=TODAY - timedelta(days=120))
    review = _session(jannick, ana, TimePoint.REVIEW, on=TODAY)
    services.work_and_healthcare_record(actor=ana, session=review, data={
        "work_status": WorkStatus.PART_TIME, "hours_per_week": 20, "gp_visits_3_months": 1,
    })  # fmt: skip
    services.work_and_healthcare_record(actor=ana, session=first, data={
        "work_status": WorkStatus.OFF_SICK, "days_off_for_pain_4_weeks": 20,
    })  # fmt: skip
    rows = selectors.work_and_healthcare_over_time(jannick)
    assert [row.session.time_point for row in rows] == [TimePoint.FIRST_VISIT, TimePoint.REVIEW]
    client.force_login(ana)
    page = client.get(
        reverse("assessment:profile", kwargs={"patient_id": jannick.pk})
    ).content.decode()
    section = page[page.index('data-testid="work-and-healthcare"') :]
    assert section.index("Employed, off sick") < section.index("Working part time")


def test_a_second_save_is_a_new_version_and_the_form_opens_with_it(client, jannick, ana):
    session = _session(jannick, ana)
    client.force_login(ana)
    client.post(_url(session), OFF_SICK)
    client.post(
        _url(session), OFF_SICK | {"work_status": WorkStatus.PART_TIME, "hours_per_week": "16"}
    )
    assert WorkAndHealthcareUse.objects.filter(session=session).count() == 2
    current = selectors.work_and_healthcare_current(session)
    assert (current.work_status, current.hours_per_week) == (WorkStatus.PART_TIME, 16)
    form = client.get(_url(session)).context["form"]
    assert form.initial["hours_per_week"] == 16


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"work_status": WorkStatus.OTHER}, "work_status_other", str(WORK_OTHER_NEEDS_WORDS)),
        (
            {"days_off_for_pain_4_weeks": "40"},
            "days_off_for_pain_4_weeks",
            "less than or equal to 28",
        ),
        ({"hours_per_week": "-3"}, "hours_per_week", "greater than or equal to 0"),
        ({"gp_visits_3_months": "²"}, "gp_visits_3_months", "Enter a whole number"),
        ({"work_status": WorkStatus.RETIRED}, "hours_per_week", "not in work (retired)"),
        ({"work_status": ""}, "work_status", "This field is required"),
    ],
)
def test_bad_input_is_refused_beside_its_field_and_what_was_typed_is_kept(
    client, jannick, ana, changes, field, message
):
    session = _session(jannick, ana)
    client.force_login(ana)
    response = client.post(_url(session), OFF_SICK | changes)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert any(message in error for error in errors[field]), errors
    scans = re.search(r'<input[^>]*name="scans_3_months"[^>]*>', response.content.decode())
    assert 'value="2"' in scans.group(0)  # what was typed in the other fields is still there
    assert not WorkAndHealthcareUse.objects.exists()


def test_the_service_refuses_what_the_form_refuses(jannick, ana):
    session = _session(jannick, ana)
    with pytest.raises(ValidationError) as refused:
        services.work_and_healthcare_record(
            actor=ana,
            session=session,
            data={"work_status": WorkStatus.FULL_TIME, "days_off_for_pain_4_weeks": 29},
        )
    assert refused.value.message_dict == {"days_off_for_pain_4_weeks": [str(DAYS_OFF_RANGE)]}
    with pytest.raises(ValidationError):
        services.work_and_healthcare_record(actor=ana, session=session, data={"work_status": "x"})
    assert not WorkAndHealthcareUse.objects.exists()


def test_a_discarded_session_takes_no_record(client, jannick, ana):
    session = _session(jannick, ana)
    services.session_discard(actor=ana, session=session)
    client.force_login(ana)
    response = client.post(_url(session), OFF_SICK)
    assert response.status_code == 400
    assert services.SESSION_DISCARDED in response.content.decode()
    assert not WorkAndHealthcareUse.objects.exists()


def test_the_access_suite_enumerates_the_new_page_as_a_patient_write(client, jannick, charlie):
    from painclinic import access
    from tests.test_access import patient_urls

    found = dict(patient_urls())
    assert found["assessment:work_and_healthcare"].callback.access_policy == access.PATIENT_WRITE
    session = _session(jannick, jannick.episodes.first().lead_clinician)
    client.force_login(charlie)
    assert client.get(_url(session)).status_code == 404
    assert client.post(_url(session), OFF_SICK).status_code == 404
    assert not WorkAndHealthcareUse.objects.exists()
