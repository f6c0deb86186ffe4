"""Every list page that names patients audits each patient it showed (DESIGN.md: every access to
a patient's record is audited, list pages included): the caseload, the patient list (full page
and live search) and the team lead's dashboard write one VIEW per patient on the page."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from painclinic.models import AuditAction, AuditEvent
from tests.factories import EpisodeFactory

pytestmark = pytest.mark.django_db


def _long_active(lead, team, name):
    return EpisodeFactory(
        team=team,
        lead_clinician=lead,
        care_team=[lead],
        status="active",
        referral_date=date.today() - timedelta(weeks=20),
        status_since=date.today() - timedelta(weeks=16),
        patient__given_name=name,
        patient__family_name="Test",
    )


def _patients_viewed(user):
    return sorted(
        AuditEvent.objects.filter(actor=user, action=AuditAction.VIEW).values_list(
            "patient_id", flat=True
        )
    )


def test_anas_caseload_audits_each_patient_it_lists(client, ana, jannick, susan):
    client.force_login(ana)
    page = client.get(reverse("caseload"))
    assert page.status_code == 200
    shown = sorted(row["patient_id"] for row in page.context["rows"])
    assert shown == sorted([jannick.pk, susan.pk])
    assert _patients_viewed(ana) == shown


def test_the_patient_list_and_its_live_search_audit_each_patient_shown(client, ana, jannick, susan):
    client.force_login(ana)
    page = client.get(reverse("patients:list"))
    shown = sorted(p["id"] for p in page.context["page"])
    assert shown == sorted([jannick.pk, susan.pk])
    assert _patients_viewed(ana) == shown
    search = client.get(reverse("patients:list"), {"q": "Susan"}, HTTP_HX_REQUEST="true")
    assert [p["id"] for p in search.context["page"]] == [susan.pk]
    searched = AuditEvent.objects.filter(actor=ana, request_id=search["X-Request-ID"])
    assert [(e.action, e.patient_id) for e in searched] == [(AuditAction.VIEW, susan.pk)]


def test_the_team_dashboard_audits_each_patient_on_the_attention_lists(client, bob, ana, jannick):
    team = jannick.episodes.get().team
    olga = _long_active(ana, team, "Olga")
    piet = _long_active(ana, team, "Piet")
    client.force_login(bob)
    page = client.get(reverse("team:dashboard"))
    assert page.status_code == 200
    shown = {row.episode.patient_id for row in page.context["page"].object_list}
    assert {olga.patient_id, piet.patient_id} <= shown
    assert _patients_viewed(bob) == sorted(shown)  # one event per patient shown, no more
