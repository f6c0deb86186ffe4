"""Bob asks the audit log "what did they look at?" (issue #9): one row per page in words, log-ins,
failed log-ins and log-outs of his team, search by patient name or identifier, and the filtered
log as CSV, the export itself audited."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.urls import reverse

from painclinic.audit_words import object_words, view_words
from painclinic.models import AuditAction, AuditEvent, Role
from tests.factories import ContactFactory
from tests.test_access import our_urls

PASSWORD = "correct horse battery staple"

pytestmark = pytest.mark.django_db


def _rows(client, **query):
    response = client.get(reverse("audit_log"), query)
    assert response.status_code == 200
    return response.context["page"].object_list


def test_an_admin_list_of_three_contacts_is_one_row_in_words(
    client, django_user_model, bob, jannick
):
    episode = jannick.episodes.get()
    ContactFactory.create_batch(2, episode=episode, clinician=episode.lead_clinician)
    site_admin = django_user_model.objects.create_superuser(
        "admin", "", PASSWORD, first_name="Site", last_name="Administrator", role=Role.TEAM_LEAD
    )
    client.force_login(site_admin)
    client.get(reverse("admin:patients_contact_changelist"))
    assert AuditEvent.objects.filter(actor=site_admin, patient=jannick).count() == 3
    client.force_login(bob)
    rows = _rows(client, patient="Jannick")
    assert len(rows) == 1
    row = rows[0]
    assert (row.who, row.actions, row.page) == (
        "Site Administrator",
        ["viewed"],
        "Admin: list of contacts",
    )
    assert row.patients == [jannick]
    assert row.records == ["3 contacts"]
    assert len(_rows(client, actor=site_admin.pk)) == 1  # Bob can pick the admin as "Who"
    page = client.get(reverse("audit_log")).content.decode()
    assert "Jannick de Vries (DEMO-JANNICK)" in page
    assert "patients.contact" not in page
    assert "patients:" not in page


def test_ana_opening_jannicks_record_reads_as_patient_record(client, ana, bob, jannick):
    client.force_login(ana)
    client.get(reverse("patients:detail", kwargs={"patient_id": jannick.pk}))
    client.force_login(bob)
    (row,) = _rows(client, actor=ana.pk, action=AuditAction.VIEW)
    assert (row.who, row.actions, row.page, row.patients) == (
        "Ana Costa",
        ["viewed"],
        "Patient record",
        [jannick],
    )


def test_a_page_and_the_charts_it_loads_are_one_row(client, ana, bob, jannick, susan):
    client.force_login(ana)
    client.get(reverse("assessment:profile", kwargs={"patient_id": jannick.pk}))
    for key in ("tsk11", "pcs", "phq9"):  # the page's chart images, each its own request
        client.get(reverse("assessment:chart", kwargs={"patient_id": jannick.pk, "key": key}))
    client.get(reverse("patients:detail", kwargs={"patient_id": susan.pk}))
    assert AuditEvent.objects.filter(actor=ana, action=AuditAction.VIEW).count() == 5
    client.force_login(bob)
    rows = _rows(client, actor=ana.pk, action=AuditAction.VIEW)
    assert [(r.page, r.parts, r.patients) for r in rows] == [
        ("Patient record", [], [susan]),
        ("Yellow-flag profile", ["Score chart (3)"], [jannick]),
    ]
    assert "with Score chart (3)" in client.get(reverse("audit_log")).content.decode()


def test_log_in_failed_log_in_and_log_out_filters_find_the_teams_events(client, ana, bob, charlie):
    client.post(reverse("login"), {"username": "ana", "password": "not her password"})
    client.post(reverse("login"), {"username": "ana", "password": PASSWORD})
    client.post(reverse("logout"))
    client.post(reverse("login"), {"username": "charlie", "password": PASSWORD})  # South team
    client.post(reverse("logout"))
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN).count() == 2

    client.force_login(bob)
    for action, who in (
        (AuditAction.LOGIN, "Ana Costa"),
        (AuditAction.LOGIN_FAILED, "ana"),
        (AuditAction.LOGOUT, "Ana Costa"),
    ):
        rows = [r for r in _rows(client, action=action) if r.who != "Bob Hughes"]
        assert [(r.who, r.actions) for r in rows] == [(who, [AuditAction(action).label])]
        assert rows[0].page in ("Log-in page", "Log out")
    # Filtering by person finds her failed log-in too (it has only the username typed).
    failed = _rows(client, actor=ana.pk, action=AuditAction.LOGIN_FAILED)
    assert len(failed) == 1


def test_search_by_patient_name_or_identifier(client, ana, bob, jannick, susan):
    client.force_login(ana)
    for patient in (jannick, susan):
        client.get(reverse("patients:detail", kwargs={"patient_id": patient.pk}))
    client.force_login(bob)
    assert [r.patients for r in _rows(client, patient="de vries")] == [[jannick]]
    assert [r.patients for r in _rows(client, patient="Susan Whitfield")] == [[susan]]
    assert [r.patients for r in _rows(client, patient="demo-jannick")] == [[jannick]]
    assert _rows(client, patient="Nobody") == []


def test_the_filtered_log_exports_as_csv_and_the_export_is_audited(
    client, ana, bob, dina, jannick, susan
):
    client.force_login(ana)
    client.get(reverse("patients:detail", kwargs={"patient_id": jannick.pk}))
    client.get(reverse("patients:detail", kwargs={"patient_id": susan.pk}))
    client.force_login(dina)
    assert client.get(reverse("audit_log_export")).status_code == 403
    client.force_login(bob)
    response = client.get(reverse("audit_log_export"), {"patient": "jannick"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(line["Who"], line["Action"], line["Page"], line["Patient"]) for line in lines] == [
        ("Ana Costa", "viewed", "Patient record", "Jannick de Vries")
    ]
    assert lines[0]["Patient identifier"] == "DEMO-JANNICK"
    export = AuditEvent.objects.latest("id")
    assert (export.action, export.actor, export.view_name) == (
        AuditAction.EXPORT,
        bob,
        "audit_log_export",
    )
    assert export.changed_fields == ["patient"]  # which filters were used
    (row,) = _rows(client, action=AuditAction.EXPORT)
    assert (row.who, row.page) == ("Bob Hughes", "Audit log exported as CSV")


def test_every_page_and_record_kind_has_words():
    for name, _pattern in our_urls():
        words = view_words(name)
        assert words, name
        assert not re.search(r"\w:\w|_", words), (name, words)
    assert view_words("admin:sced_measurement_change") == "Admin: measurement"
    assert object_words("patients.episode") == "episode of care"
    assert object_words("sced.measurement", 12) == "12 measurements"


def test_a_cell_that_looks_like_a_formula_is_exported_as_text():
    from patients.audit_views import _cell

    assert _cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert _cell("Jannick de Vries") == "Jannick de Vries"
