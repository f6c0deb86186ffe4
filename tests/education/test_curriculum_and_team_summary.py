"""Bob leads the North team. He keeps the clinic's pain-education curriculum (adds a topic,
moves one, retires one) and reads which behaviour-change techniques his team actually delivered
over a period, each as a share of the contacts with its interval, with a plain warning when the
contacts are too few to read a pattern into. Clinicians and programme admins are refused."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from education import selectors, services
from education.models import Topic
from painclinic.models import AuditAction, AuditEvent
from tests.factories import ContactFactory, EpisodeFactory, PatientFactory

pytestmark = pytest.mark.django_db


def test_bob_adds_a_topic_at_the_end_of_the_curriculum(client, bob):
    client.force_login(bob)
    response = client.post(
        reverse("education:curriculum"),
        {"title": "Work and pain", "summary": "Returning to work safely"},
    )
    assert response.status_code == 302
    topic = Topic.objects.get(title="Work and pain")
    assert list(selectors.curriculum())[-1] == topic
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, actor=bob).exists()


def test_a_duplicate_title_is_refused_and_the_form_keeps_what_was_typed(client, bob):
    client.force_login(bob)
    response = client.post(
        reverse("education:curriculum"),
        {"title": "hurt does NOT equal harm", "summary": "My own words"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "already has a topic" in html
    assert "My own words" in html
    assert Topic.objects.count() == 10


def test_bob_moves_a_topic_up_and_retires_another(client, bob, topics):
    client.force_login(bob)
    change = reverse("education:curriculum_change")
    client.post(change, {"topic": topics["sleep"].pk, "action": "up"})
    order = [t.slug for t in selectors.curriculum()]
    assert order.index("sleep") == order.index("flare_ups") - 1
    client.post(change, {"topic": topics["metaphors"].pk, "action": "retire"})
    assert topics["metaphors"] not in list(selectors.curriculum())
    assert Topic.objects.filter(pk=topics["metaphors"].pk).exists()  # never deleted
    client.post(change, {"topic": topics["metaphors"].pk, "action": "restore"})
    assert topics["metaphors"] in list(selectors.curriculum())


def test_a_forged_change_is_refused_without_an_error_page(client, bob):
    client.force_login(bob)
    response = client.post(reverse("education:curriculum_change"), {"topic": "x", "action": "drop"})
    assert response.status_code == 400


@pytest.mark.parametrize("url_name", ["curriculum", "techniques"])
def test_lead_pages_refuse_clinicians_and_programme_admins(client, ana, priya, url_name):
    for user in (ana, priya):
        client.force_login(user)
        assert client.get(reverse(f"education:{url_name}")).status_code == 403
    client.force_login(ana)
    assert client.post(reverse("education:curriculum"), {"title": "Mine"}).status_code == 403
    assert not Topic.objects.filter(title="Mine").exists()


def _coded(patient, clinician, codes, bct, on):
    episode = patient.episodes.get()
    contact = ContactFactory(episode=episode, clinician=clinician, date=on)
    services.contact_education_record(
        actor=clinician,
        patient=patient,
        contact=contact,
        topics={},
        technique_ids=[bct(code).pk for code in codes],
    )
    return contact


def test_bob_reads_the_techniques_his_team_delivered_in_the_period(
    client, bob, ana, jannick, susan, charlie, bct
):
    today = date.today()
    _coded(jannick, ana, ["4.3", "8.7"], bct, today - timedelta(days=3))
    _coded(susan, ana, ["8.7"], bct, today - timedelta(days=5))
    _coded(susan, ana, ["1.1"], bct, today - timedelta(days=400))  # outside the period
    # Another team's patient: never counted in Bob's summary.
    other = PatientFactory()
    EpisodeFactory(
        patient=other, team=charlie.teams.first(), lead_clinician=charlie, care_team=[charlie]
    )
    _coded(other, charlie, ["4.3"], bct, today - timedelta(days=1))

    client.force_login(bob)
    response = client.get(
        reverse("education:techniques"),
        {"start": (today - timedelta(days=30)).isoformat(), "end": today.isoformat()},
    )
    assert response.status_code == 200
    summary = response.context["summary"]
    assert (summary["contacts"], summary["patients"]) == (2, 2)
    counts = {row.technique.code: (row.contacts, row.patients) for row in summary["rows"]}
    assert counts == {"8.7": (2, 2), "4.3": (1, 1)}
    html = response.content.decode()
    assert "too few to read a pattern into" in html
    assert "100% (2 of 2)" in html


def test_a_period_that_ends_before_it_starts_is_explained(client, bob):
    client.force_login(bob)
    response = client.get(
        reverse("education:techniques"), {"start": "2026-03-01", "end": "2026-01-01"}
    )
    assert response.status_code == 400
    assert "after its end" in response.content.decode()
