"""Ana records a concern and her response through the pages: bad input re-displays with what she
typed and writes nothing; every change is audited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from painclinic.models import AuditEvent
from safety.models import RiskSignal, SafetyAssessment

pytestmark = pytest.mark.django_db


def test_a_clinicians_own_concern_raises_a_signal(client, jannick, ana):
    client.force_login(ana)
    url = reverse("safety:raise", kwargs={"patient_id": jannick.pk})
    assert client.post(url, {"note": "  "}).status_code == 400
    assert not RiskSignal.objects.exists()
    response = client.post(url, {"note": "Said in session he sometimes wishes he would not wake."})
    assert response.status_code == 302
    signal = RiskSignal.objects.get()
    assert signal.source == "clinician"
    assert signal.raised_by == ana
    assert signal.is_open
    assert AuditEvent.objects.filter(object_type="safety.risksignal", action="create").exists()
    page = client.get(reverse("caseload")).content.decode()
    assert "Self-harm risk — response needed" in page


def test_an_urgent_referral_without_where_and_when_keeps_what_was_typed(client, jannick, ana):
    client.force_login(ana)
    client.post(reverse("safety:raise", kwargs={"patient_id": jannick.pk}), {"note": "Worried."})
    url = reverse("safety:assessment", kwargs={"patient_id": jannick.pk})
    data = {
        "assessed_at": "2026-12-01T10:00",
        "discussed": "Went through what he said on Tuesday.",
        "outcome": "urgent_referral",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Went through what he said on Tuesday." in body
    assert "needs where to and when" in body
    assert not SafetyAssessment.objects.exists()
    assert RiskSignal.objects.get().is_open
    data |= {"referral_to": "Crisis team", "referral_when": "2026-12-01T10:30"}
    assert client.post(url, data).status_code == 302
    assert not RiskSignal.objects.get().is_open
