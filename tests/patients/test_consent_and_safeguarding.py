"""Consent gates what leaves the clinic: Susan has not agreed to links by e-mail or text, so no
questionnaire or diary link is made for her; without consent to share with her GP, no letter is
written. A withdrawal is a new dated decision and blocks again. A safeguarding concern marks her
record and caseload row until it is closed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from assessment import services as assessment_services
from assessment.models import TimePoint
from painclinic.models import AuditAction, AuditEvent
from patients import services
from patients.models import ConsentRecord
from sced import services as sced_services
from tests.assessment.factories import made_up_wording
from tests.sced.conftest import make_study

pytestmark = pytest.mark.django_db

YESTERDAY = date.today() - timedelta(days=1)


def _withdraw(patient, actor, kind):
    return services.consent_record(
        actor=actor, patient=patient, kind=kind, state="withdrawn", decided_on=date.today()
    )


def _session(patient, actor):
    made_up_wording("tsk11")  # the clinic's wording, so only consent decides
    return assessment_services.session_start(
        actor=actor,
        patient=patient,
        episode=patient.episodes.first(),
        time_point=TimePoint.FIRST_VISIT,
        instrument_keys=["tsk11"],
    )


def test_a_self_report_link_needs_consent_and_a_withdrawal_blocks_it_again(client, ana, jannick):
    session = _session(jannick, ana)
    assert assessment_services.patient_link_issue(actor=ana, session=session)

    _withdraw(jannick, ana, "patient_links")
    assert ConsentRecord.objects.filter(patient=jannick, kind="patient_links").count() == 2
    with pytest.raises(ValidationError) as refused:
        assessment_services.patient_link_issue(actor=ana, session=session)
    assert refused.value.code == "consent_missing"

    client.force_login(ana)
    page = client.post(reverse("assessment:link_issue", args=[jannick.pk, session.pk]))
    assert page.status_code == 400
    content = page.content.decode()
    assert "no consent in force for questionnaire and diary links" in content
    assert reverse("patients:consent", args=[jannick.pk]) in content


def test_a_diary_link_needs_consent(ana, jannick):
    study = make_study(ana, jannick, start_date=timezone.localdate() - timedelta(days=4))
    sced_services.study_randomize(actor=ana, study=study, seed=5)
    _withdraw(jannick, ana, "patient_links")
    with pytest.raises(ValidationError) as refused:
        sced_services.diary_link_issue(actor=ana, study=study)
    assert refused.value.code == "consent_missing"
    services.consent_record(
        actor=ana, patient=jannick, kind="patient_links", state="given", decided_on=date.today()
    )
    assert sced_services.diary_link_issue(actor=ana, study=study)


def test_a_gp_letter_needs_consent_to_share_with_the_gp(client, ana, jannick):
    client.force_login(ana)
    assert client.get(reverse("treatment:gp_letter", args=[jannick.pk])).status_code == 200
    _withdraw(jannick, ana, "gp_sharing")
    exports = AuditEvent.objects.filter(patient=jannick, action=AuditAction.EXPORT).count()
    for name in ("treatment:gp_letter", "treatment:gp_letter_pdf"):
        refused = client.get(reverse(name, args=[jannick.pk]))
        assert refused.status_code == 403
        content = refused.content.decode()
        assert "no consent in force for sharing information with the GP" in content
        assert "Record consent" in content
    # Nothing left the clinic: no export is recorded for the refused letter.
    assert AuditEvent.objects.filter(patient=jannick, action=AuditAction.EXPORT).count() == exports


def test_consent_is_recorded_dated_and_audited_and_withdrawal_needs_consent_in_force(
    client, ana, susan
):
    client.force_login(ana)
    url = reverse("patients:consent", args=[susan.pk])
    page = client.get(url).content.decode()
    assert "Use of single-case data in anonymised research" in page
    refused = client.post(
        url, {"kind": "research", "state": "withdrawn", "decided_on": date.today().isoformat()}
    )
    assert refused.status_code == 400
    assert "no consent in force to withdraw" in refused.content.decode()
    done = client.post(
        url,
        {
            "kind": "research",
            "state": "given",
            "decided_on": YESTERDAY.isoformat(),
            "note": "Leaflet",
        },
    )
    assert done.status_code == 302
    assert services.consent_in_force(susan, "research")
    client.post(
        url, {"kind": "research", "state": "withdrawn", "decided_on": date.today().isoformat()}
    )
    assert not services.consent_in_force(susan, "research")
    assert ConsentRecord.objects.filter(patient=susan, kind="research").count() == 2
    assert (
        AuditEvent.objects.filter(
            patient=susan, action=AuditAction.CREATE, object_type="patients.consentrecord"
        ).count()
        == 2
    )
    assert "Withdrawn" in client.get(url).content.decode()


def test_a_safeguarding_concern_marks_the_record_until_closed(client, ana, susan):
    client.force_login(ana)
    url = reverse("patients:safeguarding", args=[susan.pk])
    missing = client.post(
        url,
        {
            "action": "raise",
            "raised_on": date.today().isoformat(),
            "raised_by": "Ana Costa (physiotherapist)",
            "category": "financial",
            "concern": "Son controls her money and her medicines.",
            "referred_to": "Northtown Adult Social Care",
        },
    )
    assert missing.status_code == 400
    assert "Give the date of the referral." in missing.content.decode()
    assert "Son controls her money" in missing.content.decode()
    raised = client.post(
        url,
        {
            "action": "raise",
            "raised_on": date.today().isoformat(),
            "raised_by": "Ana Costa (physiotherapist)",
            "category": "financial",
            "concern": "Son controls her money and her medicines.",
            "actions": "Discussed with Susan alone; she agreed to a referral.",
            "referred_to": "Northtown Adult Social Care",
            "referred_on": date.today().isoformat(),
            "reference": "ASC-2291",
        },
    )
    assert raised.status_code == 302
    record = client.get(reverse("patients:detail", args=[susan.pk])).content.decode()
    assert "Safeguarding concern" in record
    caseload = client.get(reverse("caseload")).content.decode()
    assert "Safeguarding concern" in caseload

    concern = susan.safeguarding_concerns.get()
    assert client.post(url, {"action": "close", "concern_id": concern.pk}).status_code == 400
    closed = client.post(
        url,
        {
            "action": "close",
            "concern_id": concern.pk,
            "closed_on": date.today().isoformat(),
            "closing_note": "Enquiry completed; appointeeship arranged.",
        },
    )
    assert closed.status_code == 302
    client.get(url)  # the success message is shown here
    assert "Safeguarding concern" not in client.get(reverse("caseload")).content.decode()
    assert AuditEvent.objects.filter(
        patient=susan, action=AuditAction.CHANGE, object_type="patients.safeguardingconcern"
    ).exists()
