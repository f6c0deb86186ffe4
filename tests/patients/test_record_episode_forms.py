"""The record loads the episode's status, review date and triage forms only when its closed
section is opened (issue #16: rendering them on every view of the record cost more than the rest
of its forms). The forms, their access and their audit are those the record used to show."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from painclinic.models import AuditAction, AuditEvent
from patients.models import Urgency


def _change_url(patient, episode):
    return reverse(
        "patients:episode_change", kwargs={"patient_id": patient.pk, "episode_id": episode.pk}
    )


@pytest.mark.django_db
def test_the_record_links_the_closed_section_to_its_forms_without_rendering_them(
    client, jannick, ana
):
    client.force_login(ana)
    episode = jannick.episodes.get()
    page = client.get(reverse("patients:detail", kwargs={"patient_id": jannick.pk}))
    html = page.content.decode()
    url = _change_url(jannick, episode)
    # htmx loads the forms when the section opens; without JavaScript the link opens them.
    assert f'hx-get="{url}"' in html
    assert 'hx-trigger="toggle once"' in html
    assert f'<a href="{url}">' in html
    assert "Change episode status, review date or triage" in html
    for name in ("change_status", "save_review", "save_triage"):
        assert f'name="{name}"' not in html
    assert 'name="record"' in html  # the contact form stays on the record


@pytest.mark.django_db
def test_the_section_answers_htmx_with_the_three_forms_as_the_record_showed_them(
    client, jannick, ana
):
    client.force_login(ana)
    episode = jannick.episodes.get()
    episode.next_review_due = date.today() + timedelta(days=30)
    episode.urgency = Urgency.SOON
    episode.save(update_fields=["next_review_due", "urgency"])
    response = client.get(_change_url(jannick, episode), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html  # the fragment only
    kwargs = {"patient_id": jannick.pk, "episode_id": episode.pk}
    for name, button in (
        ("episode_status", "change_status"),
        ("episode_review", "save_review"),
        ("episode_triage", "save_triage"),
    ):
        assert f'action="{reverse(f"patients:{name}", kwargs=kwargs)}"' in html
        assert f'name="{button}"' in html
    assert response.context["review_form"].initial["next_review_due"] == episode.next_review_due
    assert response.context["triage_form"].initial["urgency"] == Urgency.SOON
    # the edit tokens: a save from the section is checked against what it showed
    assert 'name="edit_token"' in html


@pytest.mark.django_db
def test_without_javascript_the_link_opens_a_page_with_the_forms(client, jannick, ana):
    client.force_login(ana)
    episode = jannick.episodes.get()
    response = client.get(_change_url(jannick, episode))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html
    assert "Jannick de Vries" in html
    assert 'name="change_status"' in html
    assert 'name="save_triage"' in html


@pytest.mark.django_db
def test_opening_the_section_is_audited_as_a_view_of_the_record(client, jannick, ana):
    client.force_login(ana)
    episode = jannick.episodes.get()
    before = AuditEvent.objects.filter(patient=jannick, actor=ana, action=AuditAction.VIEW).count()
    client.get(_change_url(jannick, episode), HTTP_HX_REQUEST="true")
    views = AuditEvent.objects.filter(patient=jannick, actor=ana, action=AuditAction.VIEW)
    assert views.count() == before + 1
    assert views.order_by("-id").first().view_name == "patients:episode_change"


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["charlie", "dina", "priya"])
def test_the_section_is_a_404_for_whom_the_record_is(client, jannick, persona, request):
    client.force_login(request.getfixturevalue(persona))
    episode = jannick.episodes.get()
    response = client.get(_change_url(jannick, episode), HTTP_HX_REQUEST="true")
    assert response.status_code == 404
    assert b"Jannick" not in response.content
    assert AuditEvent.objects.filter(patient=jannick, action=AuditAction.DENIED).exists()


@pytest.mark.django_db
def test_an_episode_of_another_patient_is_a_404(client, jannick, susan, ana, bob):
    client.force_login(bob)
    other = susan.episodes.first()
    response = client.get(_change_url(jannick, other), HTTP_HX_REQUEST="true")
    assert response.status_code == 404
