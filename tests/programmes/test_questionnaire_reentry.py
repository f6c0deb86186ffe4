"""A second GCQ-S for the same participant and session used to replace the first with the
form's defaults (every item preset to 0, so "required" checked nothing). No questionnaire or
score form presets an answer, and a second entry is an amendment with a reason, the earlier
version kept with who entered it, who changed it, when and why (issue #9)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from painclinic.models import AuditAction, AuditEvent
from programmes import services
from programmes.forms import ClimateForm, OutcomeForm, ScreeningForm
from programmes.models import (
    Direction,
    Enrolment,
    GroupClimateAmendment,
    OutcomeScoreAmendment,
    ProgrammeMeasure,
)
from tests.programmes.conftest import enrol

pytestmark = pytest.mark.django_db


def _gcqs(value: int) -> dict[str, int]:
    return {f"item_{n}": value for n in range(1, 13)}


@pytest.fixture
def susan_in(full_cohort, susan_referred, priya):
    return enrol(susan_referred, full_cohort, priya)


def test_no_questionnaire_or_score_form_presets_an_answer(susan_in, full_cohort):
    climate = ClimateForm(participants=Enrolment.objects.all())
    html = str(climate.as_p())
    assert not re.search(r'<option value="\d"[^>]* selected', html)
    assert all(climate[f"item_{n}"].value() in (None, "") for n in range(1, 13))
    screening = ScreeningForm()
    assert screening["readiness"].value() in (None, "")
    for caution in ("acute_psychiatric_need", "severe_cognitive_impairment"):
        assert screening[caution].value() is None
        assert screening.fields[caution].required
    assert OutcomeForm(measures=ProgrammeMeasure.objects.none())["time_point"].value() is None


def test_a_gcqs_with_unanswered_items_is_refused_and_keeps_the_answers_given(
    client, susan_in, full_cohort, priya
):
    session = full_cohort.sessions.first()
    client.force_login(priya)
    url = reverse("programmes:climate", args=[full_cohort.pk, session.pk])
    answers = {**_gcqs(5), "item_7": ""}
    response = client.post(url, {"enrolment": susan_in.pk, **answers})
    assert response.status_code == 400
    page = response.content.decode()
    assert "This field is required." in page
    assert '<option value="5" selected>' in page  # what was typed comes back
    assert not session.climate_ratings.exists()


def test_a_second_gcqs_for_the_same_session_needs_a_reason_and_keeps_the_first(
    client, susan_in, full_cohort, priya, bob
):
    session = full_cohort.sessions.first()
    url = reverse("programmes:climate", args=[full_cohort.pk, session.pk])
    client.force_login(priya)
    assert client.post(url, {"enrolment": susan_in.pk, **_gcqs(4)}).status_code == 302

    client.force_login(bob)
    page = client.get(url).content.decode()
    assert "Already recorded for this session" in page
    assert "entered by Priya Shah" in page
    refused = client.post(url, {"enrolment": susan_in.pk, **_gcqs(1)})
    assert refused.status_code == 400
    assert "already recorded for Susan" in refused.content.decode()
    assert session.climate_ratings.get().engaged == 4.0  # untouched

    amended = client.post(
        url, {"enrolment": susan_in.pk, **_gcqs(1), "reason": "Sheet of another participant"}
    )
    assert amended.status_code == 302
    rating = session.climate_ratings.get()
    assert rating.engaged == 1.0
    assert rating.recorded_by == bob
    old = GroupClimateAmendment.objects.get(rating=rating)
    assert old.old_answers == {str(n): 4 for n in range(1, 13)}
    assert old.old_engaged == 4.0
    assert (old.old_recorded_by, old.amended_by) == (priya, bob)
    assert old.reason == "Sheet of another participant"
    assert AuditEvent.objects.filter(
        actor=bob, action=AuditAction.CHANGE, object_type="programmes.groupclimaterating"
    ).exists()


def test_a_second_score_for_the_same_time_point_is_an_amendment_with_a_reason(
    susan_in, pmp, ana, bob
):
    measure = ProgrammeMeasure.objects.create(
        programme=pmp, instrument_key="pcs", label="PCS", direction=Direction.HIGHER_IS_WORSE
    )
    record = {"enrolment": susan_in, "measure": measure, "time_point": "pre"}
    services.outcome_record(actor=ana, value=30, recorded_on=date.today(), **record)
    with pytest.raises(ValidationError, match="already recorded"):
        services.outcome_record(actor=bob, value=12, recorded_on=date.today(), **record)
    assert susan_in.outcomes.get().value == 30
    services.outcome_record(
        actor=bob, value=12, recorded_on=date.today(), reason="Typo: 12 on the sheet", **record
    )
    score = susan_in.outcomes.get()
    assert (score.value, score.recorded_by) == (12, bob)
    old = OutcomeScoreAmendment.objects.get(score=score)
    assert (old.old_value, old.old_recorded_by, old.amended_by) == (30, ana, bob)
