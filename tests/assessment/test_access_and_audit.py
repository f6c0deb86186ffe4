"""Access and audit of every assessment page: the pages are found by the leak matrix of
tests/test_access.py (which answers each persona for them, once), and the audit trail each page
leaves."""

from __future__ import annotations

import pytest
from django.urls import reverse

from painclinic.models import AuditAction, AuditEvent
from tests.assessment.access_kwargs import url_kwargs
from tests.test_access import patient_urls


def assessment_urls():
    return [(n, p) for n, p in patient_urls() if n.startswith("assessment:")]


def test_every_assessment_page_is_patient_scoped_or_public():
    names = {name for name, _ in assessment_urls()}
    assert {
        "assessment:sessions",
        "assessment:administration",
        "assessment:profile",
        "assessment:chart",
        "assessment:amend",
        "assessment:formulation",
    } <= names


@pytest.mark.django_db
def test_each_page_ana_opens_leaves_exactly_one_view_event(client, jannick, ana):
    known = {"patient_id": jannick.pk, **url_kwargs(jannick, ana)}
    client.force_login(ana)
    for name, pattern in assessment_urls():
        url = reverse(name, kwargs={k: known[k] for k in pattern.pattern.converters})
        before = AuditEvent.objects.count()
        response = client.get(url)
        if response.status_code == 405:
            continue
        events = list(AuditEvent.objects.order_by("id")[before:])
        assert [(e.action, e.patient_id, e.actor_id) for e in events] == [
            (AuditAction.VIEW, jannick.pk, ana.pk)
        ], name


@pytest.mark.django_db
def test_charlie_cannot_see_jannicks_chart_and_is_logged_as_denied(client, jannick, ana, charlie):
    known = url_kwargs(jannick, ana)
    client.force_login(charlie)
    url = reverse("assessment:chart", kwargs={"patient_id": jannick.pk, "key": known["key"]})
    assert client.get(url).status_code == 404
    assert AuditEvent.objects.filter(
        actor=charlie, action=AuditAction.DENIED, patient=jannick
    ).exists()


@pytest.mark.django_db
def test_an_administration_of_another_patient_is_404_through_jannicks_url(
    client, jannick, susan, ana
):
    known = url_kwargs(susan, ana)
    client.force_login(ana)
    url = reverse(
        "assessment:administration",
        kwargs={"patient_id": jannick.pk, "administration_id": known["administration_id"]},
    )
    assert client.get(url).status_code == 404
