"""The PGIC asks about change since care began: it is given at reviews, discharge and follow-up,
never at the first visit, and the profile shows the patient's category of change in words."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from assessment import services
from assessment.admin import BatteryForm
from assessment.models import AssessmentSession, TimePoint
from tests.assessment.factories import signed_result

pytestmark = pytest.mark.django_db


def test_a_first_visit_session_with_the_pgic_is_refused_with_the_reason(client, susan, ana):
    client.force_login(ana)
    url = reverse("assessment:sessions", kwargs={"patient_id": susan.pk})
    data = {
        "time_point": TimePoint.FIRST_VISIT,
        "date": "2026-01-05",
        "instruments": ["nrs", "pgic"],
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert "PGIC asks about change since care began" in response.content.decode()
    assert not AssessmentSession.objects.exists()
    with pytest.raises(ValidationError, match="not given at the first visit"):
        services.session_start(
            actor=ana,
            patient=susan,
            episode=susan.episodes.first(),
            time_point=TimePoint.FIRST_VISIT,
            instrument_keys=["pgic"],
        )


@pytest.mark.parametrize("time_point", [TimePoint.REVIEW, TimePoint.DISCHARGE, TimePoint.FOLLOW_UP])
def test_the_pgic_is_offered_at_every_later_time_point(client, susan, ana, time_point):
    client.force_login(ana)
    url = reverse("assessment:sessions", kwargs={"patient_id": susan.pk})
    response = client.post(
        url, {"time_point": time_point, "date": "2026-01-05", "instruments": ["pgic"]}
    )
    assert response.status_code == 302
    assert AssessmentSession.objects.get().administrations.get().instrument_key == "pgic"


def test_a_first_visit_battery_cannot_hold_the_pgic():
    form = BatteryForm(
        data={"name": "New patients", "time_point": TimePoint.FIRST_VISIT,
              "instrument_keys": '["nrs", "pgic"]', "active": True}
    )  # fmt: skip
    assert not form.is_valid()
    assert "not given at the first visit" in str(form.errors["instrument_keys"])
    review = BatteryForm(
        data={"name": "Review", "time_point": TimePoint.REVIEW,
              "instrument_keys": '["nrs", "pgic"]', "active": True}
    )  # fmt: skip
    assert review.is_valid(), review.errors


def test_susans_much_improved_is_shown_in_words_beside_her_other_outcomes(client, susan, ana):
    signed = signed_result(patient=susan, key="pgic", answers={"1": 2}, actor=ana)
    assert signed.session.time_point == TimePoint.REVIEW
    assert signed.band_label == "Much improved"
    assert not signed.band_policy  # the category is no clinic-policy cut-off
    client.force_login(ana)
    page = client.get(
        reverse("assessment:profile", kwargs={"patient_id": susan.pk})
    ).content.decode()
    row = page[page.index('data-domain="global_change"') :]
    row = row[: row.index("</tr>")]
    assert "PGIC" in row
    assert "Much improved" in row
    assert ">2<" not in row  # the code is not printed as a score


def test_the_session_page_shows_the_category_not_a_number(client, susan, ana):
    signed = signed_result(patient=susan, key="pgic", answers={"1": 6}, actor=ana)
    client.force_login(ana)
    url = reverse(
        "assessment:session", kwargs={"patient_id": susan.pk, "session_id": signed.session_id}
    )
    page = client.get(url).content.decode()
    row = page[page.index("<tbody>") : page.index("</tbody>")]
    assert "Much worse" in row
    assert "6 " not in row.replace("\n", " ")
