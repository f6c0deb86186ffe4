"""A PMP referral, offer or enrolment waits for an open red-flag referral's outcome unless a
clinician says why going ahead is safe; Priya (programme admin) learns only that the participant
needs clinical review before the next session, never why."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from assessment import red_flags
from assessment import services as assessment_services
from assessment.models import SafetyOverride
from programmes import services as programme_services

pytestmark = pytest.mark.django_db

CAUDA_EQUINA = {key: red_flags.ABSENT for key in red_flags.ITEM_KEYS} | {
    "saddle_numbness": red_flags.PRESENT
}


@pytest.fixture
def referred(jannick, ana):
    return assessment_services.red_flag_screen_record(
        actor=ana,
        episode=jannick.episodes.get(),
        data={
            **CAUDA_EQUINA,
            "screened_on": date.today(),
            "outcome": "referred",
            "referral_destination": "spinal_on_call",
            "referral_urgency": "emergency",
            "referral_date": date.today(),
        },
    )


def test_a_pmp_referral_needs_the_override_too(jannick, ana, referred, pmp):
    with pytest.raises(ValidationError):
        programme_services.enrolment_refer(
            actor=ana, patient=jannick, programme=pmp, referred_on=date.today()
        )
    programme_services.enrolment_refer(
        actor=ana,
        patient=jannick,
        programme=pmp,
        referred_on=date.today(),
        override_reason="Education-only sessions; no exercise until the outcome is known.",
    )
    assert SafetyOverride.objects.get().context == "pmp"


def test_the_programme_admin_sees_only_that_clinical_review_is_needed(
    client, susan, ana, priya, pmp, cohort
):
    from programmes.models import Enrolment

    enrolment = programme_services.enrolment_refer(
        actor=ana, patient=susan, programme=pmp, referred_on=date.today() - timedelta(days=3)
    )
    programme_services.screening_record(
        actor=ana, enrolment=enrolment, data={"readiness": "ready"}, screened_on=date.today()
    )
    assessment_services.red_flag_screen_record(
        actor=ana,
        episode=susan.episodes.get(),
        data={
            **CAUDA_EQUINA,
            "screened_on": date.today(),
            "outcome": "referred",
            "referral_destination": "ed",
            "referral_urgency": "emergency",
            "referral_date": date.today(),
        },
    )
    client.force_login(priya)
    page = client.get(reverse("programmes:enrolment", args=[enrolment.pk])).content.decode()
    assert "needs clinical review before the next session" in page
    assert "Emergency department" not in page
    assert "red-flag" not in page.lower()
    listed = client.get(reverse("programmes:cohort", args=[cohort.pk])).content.decode()
    assert "needs clinical review before the next session" in listed
    assert "Emergency department" not in listed
    response = client.post(
        reverse("programmes:transition", args=[enrolment.pk]),
        {
            "to_state": "offered",
            "changed_on": date.today().isoformat(),
            "cohort": cohort.pk,
            "override_reason": "I think it is fine",
        },
    )
    assert response.status_code == 400
    assert "needs clinical review before the next session" in response.content.decode()
    assert Enrolment.objects.get(pk=enrolment.pk).state == "screened"
    assert not SafetyOverride.objects.exists()
