"""Every SCED page is patient-scoped, so the leak matrix of tests/test_access.py answers each
member of the cast for it (once, for every app); here: the audit trail of the SCED pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from painclinic.models import AuditAction, AuditEvent
from tests.sced.access_kwargs import url_kwargs
from tests.test_access import patient_urls


def sced_urls():
    return [(n, p) for n, p in patient_urls() if n.startswith("sced:")]


def test_every_sced_page_is_patient_scoped():
    names = {n for n, _ in sced_urls()}
    assert {"sced:study_detail", "sced:plot_image", "sced:results_panel"} <= names
    # 18: the changing-criterion "change a criterion" form (issue #12) is patient-scoped too
    assert "sced:study_criterion_set" in names
    assert (
        len(names) == 22
    )  # + measure add and edit, stacked figure, criterion, session entry (#12)


@pytest.mark.django_db
def test_each_sced_page_view_writes_one_audit_event(client, jannick, ana):
    known = {"patient_id": jannick.pk, **url_kwargs(jannick, ana)}
    client.force_login(ana)
    for name, pattern in sced_urls():
        if name in ("sced:measurements_export",):
            continue  # audited as EXPORT, below
        url = reverse(name, kwargs={k: known[k] for k in pattern.pattern.converters})
        before = AuditEvent.objects.count()
        response = client.get(url)
        if response.status_code == 405:
            continue
        events = AuditEvent.objects.order_by("-pk")[: AuditEvent.objects.count() - before]
        assert [(e.action, e.patient_id) for e in events] == [(AuditAction.VIEW, jannick.pk)], name


@pytest.mark.django_db
def test_the_plot_is_served_only_through_the_access_check_and_audited(
    client, jannick, ana, charlie
):
    known = url_kwargs(jannick, ana)
    known.pop("measurement_id")
    known.pop("link_id")
    known.pop("measure_id", None)  # the measure-edit page's parameter (not in the plot URL)
    for fmt, content_type in (("png", "image/png"), ("svg", "image/svg+xml")):
        url = reverse(
            "sced:plot_image",
            kwargs={"patient_id": jannick.pk, **{**known, "fmt": fmt}},
        )
        client.force_login(ana)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == content_type
        assert AuditEvent.objects.filter(
            actor=ana, patient=jannick, action=AuditAction.VIEW, view_name="sced:plot_image"
        ).exists()
        client.force_login(charlie)
        assert client.get(url).status_code == 404
    client.force_login(ana)
    bad = reverse("sced:plot_image", kwargs={"patient_id": jannick.pk, **{**known, "fmt": "gif"}})
    assert client.get(bad).status_code == 404


@pytest.mark.django_db
def test_export_is_audited_as_an_export(client, jannick, ana):
    known = url_kwargs(jannick, ana)
    client.force_login(ana)
    url = reverse(
        "sced:measurements_export",
        kwargs={"patient_id": jannick.pk, "study_id": known["study_id"]},
    )
    response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().startswith("case,phase,values,mt")
    assert (
        AuditEvent.objects.filter(actor=ana, patient=jannick, action=AuditAction.EXPORT).count()
        == 1
    )
    assert not AuditEvent.objects.filter(
        actor=ana, patient=jannick, action=AuditAction.VIEW, view_name="sced:measurements_export"
    ).exists()
