"""The printable summary, GP letter and flare-up plan as PDF (WeasyPrint): same templates, same
access check, one EXPORT audit event, and no URL outside our own static files is ever fetched."""

from __future__ import annotations

import shutil
import socket
import subprocess

import pytest
from django.templatetags.static import static
from django.urls import reverse

from painclinic.models import AuditAction, AuditEvent
from tests.treatment.factories import episode_of, goal_for, plan_for, review_for
from treatment import documents, services
from treatment.models import DEFAULT_SETBACK_TEXT, SAFETY_NET_DEFAULT

PDFTOTEXT = shutil.which("pdftotext")


def url(name, patient, **kwargs):
    return reverse(f"treatment:{name}", kwargs={"patient_id": patient.pk, **kwargs})


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "document.pdf"
    path.write_bytes(data)
    out = subprocess.run(
        [PDFTOTEXT, "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return out.stdout


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a socket is recorded and fails."""
    attempts = []

    def refuse(address, *args, **kwargs):
        attempts.append(address)
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket, "create_connection", refuse)
    return attempts


@pytest.mark.django_db
def test_jannicks_clinician_summary_pdf_has_his_name_and_t_score_and_is_one_export(
    client, ana, jannick_profile, tmp_path, no_network
):
    patient = jannick_profile
    plan_for(patient, ana)
    review_for(goal_for(patient, ana), ana, level=1)  # one goal at +1: T = 60.0
    client.force_login(ana)
    since = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()

    response = client.get(url("clinician_summary_pdf", patient))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    assert response.content.startswith(b"%PDF")
    events = AuditEvent.objects.filter(id__gt=since)
    assert [(e.action, e.object_type) for e in events] == [
        (AuditAction.EXPORT, "treatment.clinician_summary_pdf")
    ]
    if PDFTOTEXT:
        text = pdf_text(response.content, tmp_path)
        assert "Jannick de Vries" in text
        assert "60.0" in text
        assert "Back to treatment" not in text  # the PDF frame has no buttons or navigation
    else:  # the same template, as HTML
        html = client.get(url("clinician_summary", patient)).content.decode()
        assert "Jannick de Vries" in html
        assert "60.0" in html
    assert no_network == []


@pytest.mark.django_db
def test_the_clinician_summary_inlines_its_charts_as_data_not_urls(client, ana, jannick_profile):
    from tests.treatment.factories import exposure_session_for, hierarchy_item_for

    review_for(goal_for(jannick_profile, ana), ana, level=1)
    exposure_session_for(hierarchy_item_for(jannick_profile, ana), ana)
    client.force_login(ana)
    html = client.get(url("clinician_summary", jannick_profile)).content.decode()
    assert 'src="data:image/svg+xml;base64,' in html  # the exposure chart
    # The GAS chart's title carries the method (T-score, rho): the patient reads the table.
    assert "gas.svg" not in html
    assert html.count("data:image/svg+xml") == 1
    letter = client.get(url("gp_letter", jannick_profile)).content.decode()
    # The letter says each goal's attainment in words (issue #14): no T-score chart.
    assert "data:image/svg+xml" not in letter
    assert "gas.svg" not in letter
    assert "somewhat better than expected" in letter


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "document"),
    [("gp_letter_pdf", "gp_letter_pdf"), ("flare_up_pdf", "flare_up_plan_pdf")],
)
def test_the_letter_and_the_flare_up_plan_are_pdfs_audited_once(
    client, ana, jannick_profile, tmp_path, name, document
):
    patient = jannick_profile
    plan_for(patient, ana)
    review_for(goal_for(patient, ana), ana, level=0)
    services.flare_up_plan_save(
        actor=ana,
        patient=patient,
        data={
            "triggers": "Long days at work",
            "early_signs": "Stiff back in the morning",
            "self_management": "Halve the quota for two days",
            "contacts": "The pain team",
            "opportunity_text": str(DEFAULT_SETBACK_TEXT),
            "safety_net": str(SAFETY_NET_DEFAULT),
        },
        expected_version=0,
    )
    client.force_login(ana)
    since = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    response = client.get(url(name, patient))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    events = AuditEvent.objects.filter(id__gt=since)
    assert [(e.action, e.object_type) for e in events] == [
        (AuditAction.EXPORT, f"treatment.{document}")
    ]
    if PDFTOTEXT:
        text = pdf_text(response.content, tmp_path)
        assert "Jannick" in text
        if name == "gp_letter_pdf":
            assert "(TSK-11): 33" in text
            assert "achieved as expected" in text  # the goal at 0, in words
        else:
            assert "Halve the quota" in text


@pytest.mark.django_db
def test_charlie_gets_no_pdf_and_nothing_is_rendered(client, charlie, jannick):
    client.force_login(charlie)
    for name in (
        "summary_pdf",
        "handout_pdf",
        "clinician_summary_pdf",
        "gp_letter_pdf",
        "flare_up_pdf",
    ):
        assert client.get(url(name, jannick)).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


@pytest.mark.django_db
def test_an_external_url_in_a_patients_words_is_not_fetched(
    client, ana, jannick_profile, no_network, monkeypatch
):
    patient = jannick_profile
    services.plan_save(
        actor=ana,
        episode=episode_of(patient),
        formulation='<img src="http://tracker.example/pixel.png"> fear of lifting',
        yellow_flags=[],
        focus_areas='<link rel="stylesheet" href="http://169.254.169.254/latest/meta-data">',
        interventions={},
        expected_version=0,
    )
    fetched = []
    real = documents.static_only_fetcher

    def spy(origin):
        fetcher = real(origin)
        fetched.append(fetcher)
        return fetcher

    monkeypatch.setattr(documents, "static_only_fetcher", spy)
    client.force_login(ana)
    # The clinicians' summary prints the formulation (the patient's documents do not).
    response = client.get(url("clinician_summary_pdf", patient))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert no_network == []
    (fetcher,) = fetched
    assert fetcher.refused == []  # escaped by the template: the words are text, not HTML


@pytest.mark.django_db
def test_the_fetcher_serves_our_static_css_and_refuses_everything_else(no_network):
    """Even if markup ever reached the PDF unescaped, nothing outside our static files is read."""
    css = static("css/treatment.css")
    html = f"""<html><head><link rel="stylesheet" href="{css}">
      <link rel="stylesheet" href="https://cdn.example/evil.css">
      <style>@import url("http://intranet.local/x.css");</style></head>
      <body><p>Jannick</p>
      <img src="http://tracker.example/pixel.png">
      <img src="file:///etc/passwd">
      <img src="/static/../painclinic/settings.py">
      <img src="https://other-host.example{css}">
      <img src="data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciLz4=">
      </body></html>"""
    fetcher = documents.static_only_fetcher("http://testserver")
    pdf = documents.html_to_pdf(html, base_url="http://testserver/p/", fetcher=fetcher)
    assert pdf.startswith(b"%PDF")
    assert no_network == []
    refused = " ".join(fetcher.refused)
    for bad in (
        "cdn.example",
        "intranet.local",
        "tracker.example",
        "/etc/passwd",
        "settings.py",
        "other-host.example",
    ):
        assert bad in refused, bad
    assert not any("treatment" in u and "testserver" in u for u in fetcher.refused)


def test_static_file_for_stays_inside_the_static_files():
    assert documents.static_file_for("/static/../manage.py") is None
    assert documents.static_file_for("/static/%2e%2e/manage.py") is None
    assert documents.static_file_for("/private-media/x.png") is None
    assert documents.static_file_for("/static/css/treatment.css") is not None
