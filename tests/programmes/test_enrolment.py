"""The enrolment state machine: referred → screened → offered → enrolled → completed |
withdrawn (reason), dated and audited."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from painclinic.models import AuditAction, AuditEvent
from programmes import services
from programmes.models import EnrolmentStateChange
from tests.programmes.conftest import attend, enrol, north_patient

pytestmark = pytest.mark.django_db


def test_susan_goes_from_referral_to_completion_with_a_dated_history(
    susan_referred, full_cohort, priya, ana, susan
):
    enrolment = enrol(susan_referred, full_cohort, priya)
    assert enrolment.state == "enrolled"
    assert enrolment.cohort == full_cohort
    attend(enrolment, full_cohort.sessions.all()[:6], priya)  # half of 12: the default rule
    services.enrolment_transition(
        actor=priya, enrolment=enrolment, to_state="completed", changed_on=date.today()
    )
    steps = list(
        EnrolmentStateChange.objects.filter(enrolment=enrolment).values_list(
            "from_state", "to_state"
        )
    )
    assert steps == [
        ("", "referred"),
        ("referred", "screened"),
        ("screened", "offered"),
        ("offered", "enrolled"),
        ("enrolled", "completed"),
    ]
    events = AuditEvent.objects.filter(
        patient=susan, actor=priya, object_type="programmes.enrolment"
    )
    assert events.filter(action=AuditAction.CHANGE).count() == 3
    # The screening is the clinician's entry.
    assert AuditEvent.objects.filter(
        patient=susan, actor=ana, action=AuditAction.CREATE, object_type__contains="screening"
    ).exists()


def test_steps_cannot_be_skipped(susan_referred, cohort, priya):
    with pytest.raises(ValidationError, match="referred cannot become enrolled"):
        services.enrolment_transition(
            actor=priya, enrolment=susan_referred, to_state="enrolled", changed_on=date.today()
        )
    with pytest.raises(ValidationError, match="Record the suitability screening"):
        services.enrolment_transition(
            actor=priya, enrolment=susan_referred, to_state="screened", changed_on=date.today()
        )


def test_withdrawal_needs_a_reason_and_is_final(susan_referred, priya, cohort):
    with pytest.raises(ValidationError, match=services.WITHDRAWAL_NEEDS_REASON):
        services.enrolment_transition(
            actor=priya, enrolment=susan_referred, to_state="withdrawn", changed_on=date.today()
        )
    done = services.enrolment_transition(
        actor=priya,
        enrolment=susan_referred,
        to_state="withdrawn",
        changed_on=date.today(),
        reason="declined",
    )
    assert done.withdrawal_reason == "declined"
    with pytest.raises(ValidationError, match="withdrawn cannot become"):
        services.enrolment_transition(
            actor=priya, enrolment=done, to_state="screened", changed_on=date.today()
        )


def test_an_under_18_cannot_be_offered_an_adult_place(pmp, cohort, ana, priya, north):
    teenager = north_patient(ana, north, date_of_birth=date.today() - timedelta(days=17 * 365))
    enrolment = services.enrolment_refer(
        actor=ana, patient=teenager, programme=pmp, referred_on=date.today()
    )
    screening = services.screening_record(
        actor=ana, enrolment=enrolment, data={"readiness": "ready"}, screened_on=date.today()
    )
    assert screening.decision == "not_eligible"
    with pytest.raises(ValidationError, match=services.NOT_ELIGIBLE):
        services.enrolment_transition(
            actor=priya,
            enrolment=enrolment,
            to_state="offered",
            changed_on=date.today(),
            cohort=cohort,
        )


def test_a_full_cohort_refuses_another_enrolment(susan_referred, cohort, priya, ana, pmp, north):
    cohort.capacity = 1
    cohort.save()
    enrol(susan_referred, cohort, priya)
    other = services.enrolment_refer(
        actor=ana, patient=north_patient(ana, north), programme=pmp, referred_on=date.today()
    )
    with pytest.raises(ValidationError, match="full"):
        enrol(other, cohort, priya)


def test_a_second_open_referral_to_the_same_programme_is_refused(susan_referred, ana, susan, pmp):
    with pytest.raises(ValidationError, match=services.ALREADY_REFERRED):
        services.enrolment_refer(actor=ana, patient=susan, programme=pmp, referred_on=date.today())
