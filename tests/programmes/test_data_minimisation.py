"""What the programme admin sees of a participant (issue #9, data minimisation). The suitability
screening holds clinical judgements: Ana, Susan's clinician, records it from Susan's record;
Priya, who runs the programme and is on nobody's care team, sees only "suitable / not suitable /
discuss at MDT". A participant's own scores are for the care team (and its team lead, Bob)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from programmes import policy, services
from programmes.models import Direction, ProgrammeMeasure, SuitabilityScreening
from tests.programmes.conftest import enrol

pytestmark = pytest.mark.django_db

CAUTIONS = {
    "screened_on": date.today().isoformat(),
    "readiness": "ready",
    "practical_barriers": "Works Tuesday mornings",
    "acute_psychiatric_need": "True",
    "severe_cognitive_impairment": "False",
    "profound_disability_or_fatigue": "False",
    "litigation_pending": "False",
}


def test_only_someone_who_gives_clinical_care_to_the_patient_records_the_screening(
    susan_referred, priya, dina, ana, bob
):
    assert not policy.may_record_screening(priya, susan_referred.patient)  # programme admin
    assert not policy.may_record_screening(dina, susan_referred.patient)  # not on the care team
    assert policy.may_record_screening(ana, susan_referred.patient)  # Susan's clinician
    assert policy.may_record_screening(bob, susan_referred.patient)  # leads Susan's team
    with pytest.raises(ValidationError, match="clinician on the patient's care team"):
        services.screening_record(
            actor=priya,
            enrolment=susan_referred,
            data={"readiness": "ready"},
            screened_on=date.today(),
        )
    assert not SuitabilityScreening.objects.exists()


def test_the_programme_admin_is_not_offered_the_clinical_screening_form(
    client, susan_referred, priya
):
    client.force_login(priya)
    url = reverse("programmes:enrolment", args=[susan_referred.pk])
    page = client.get(url).content.decode()
    assert "Acute psychiatric need" not in page
    assert "cognitive impairment" not in page
    assert "care team records it from the patient" in page
    posted = client.post(reverse("programmes:screening", args=[susan_referred.pk]), CAUTIONS)
    assert posted.status_code == 400
    assert not SuitabilityScreening.objects.exists()


def test_ana_screens_from_susans_record_and_priya_sees_discuss_at_mdt_only(
    client, susan_referred, susan, ana, priya, bob
):
    client.force_login(ana)
    url = reverse("programmes:refer", kwargs={"patient_id": susan.pk})
    assert "Record the suitability screening" in client.get(url).content.decode()
    screen = reverse("programmes:refer_screening", args=[susan.pk, susan_referred.pk])
    assert client.post(screen, CAUTIONS).status_code == 302
    screening = SuitabilityScreening.objects.get()
    assert screening.acute_psychiatric_need
    assert screening.screened_by == ana

    client.force_login(priya)
    page = client.get(reverse("programmes:enrolment", args=[susan_referred.pk])).content.decode()
    assert "Discuss at MDT" in page
    assert "psychiatric" not in page
    assert "psychosis" not in page
    assert "Works Tuesday mornings" in page  # logistics: what running the cohort needs

    client.force_login(bob)
    page = client.get(reverse("programmes:enrolment", args=[susan_referred.pk])).content.decode()
    assert "acute psychiatric need" in page.lower()


def test_a_screening_form_with_a_caution_left_unanswered_keeps_what_was_typed(
    client, susan_referred, susan, ana
):
    client.force_login(ana)
    screen = reverse("programmes:refer_screening", args=[susan.pk, susan_referred.pk])
    partial = {k: v for k, v in CAUTIONS.items() if k != "severe_cognitive_impairment"}
    response = client.post(screen, partial)
    assert response.status_code == 400
    page = response.content.decode()
    assert "This field is required." in page
    assert "Works Tuesday mornings" in page
    assert not SuitabilityScreening.objects.exists()


def test_a_participants_own_scores_are_for_the_care_team(
    client, cohort, susan_referred, pmp, ana, priya, bob
):
    measure = ProgrammeMeasure.objects.create(
        programme=pmp, instrument_key="pcs", label="PCS", direction=Direction.HIGHER_IS_WORSE
    )
    enrolment = enrol(susan_referred, cohort, priya)
    services.outcome_record(
        actor=ana,
        enrolment=enrolment,
        measure=measure,
        time_point="pre",
        value=31,
        recorded_on=date.today(),
    )
    url = reverse("programmes:enrolment", args=[enrolment.pk])
    client.force_login(bob)
    assert "PCS · Pre-programme: 31" in client.get(url).content.decode()
    client.force_login(priya)
    page = client.get(url).content.decode()
    assert "Pre-programme: 31" not in page
    assert "shown to their care team" in page
    with pytest.raises(ValidationError, match="only to their care team"):
        services.outcome_record(
            actor=priya,
            enrolment=enrolment,
            measure=measure,
            time_point="post",
            value=20,
            recorded_on=date.today(),
        )
    posted = client.post(
        reverse("programmes:outcome", args=[enrolment.pk]),
        {"measure": measure.pk, "time_point": "post", "value": "20", "recorded_on": date.today()},
    )
    assert posted.status_code == 400
    assert enrolment.outcomes.count() == 1


def test_a_clinician_who_does_not_run_programmes_cannot_open_the_cohort_pages(
    client, cohort, dina, ana
):
    for user in (dina, ana):
        client.force_login(user)
        assert client.get(reverse("programmes:outcomes", args=[cohort.pk])).status_code == 403
        assert client.get(reverse("programmes:outcomes_csv", args=[cohort.pk])).status_code == 403
