"""Ana teaches Jannick at a contact: she ticks the topics she covered, with whether he could
explain each back in his own words, notes a misconception, and codes the behaviour-change
techniques she used. His education page then shows what was delivered, where each topic stands
and what is left of the curriculum."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from education import selectors, services
from education.models import ContactEducation
from painclinic.models import AuditAction, AuditEvent
from patients.models import Contact
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def _contact(patient) -> Contact:
    return Contact.objects.filter(episode__patient=patient).first()


def _url(patient, contact):
    return reverse("education:contact", kwargs={"patient_id": patient.pk, "contact_id": contact.pk})


def test_the_curriculum_and_the_taxonomy_are_seeded_from_the_reference(topics, bct):
    assert len(selectors.curriculum()) == 10
    assert {"hurt_not_harm", "fear_avoidance", "pacing", "medication", "pmp_rationale"} <= set(
        topics
    )
    techniques = selectors.techniques()
    assert len(techniques) == 93
    assert len({t.group_number for t in techniques}) == 16
    assert bct("4.3").label == "Re-attribution"
    assert bct("8.7").label == "Graded tasks"
    assert bct("8.7").pain_relevant
    assert sum(t.pain_relevant for t in techniques) == 20
    assert not bct("10.11").pain_relevant


def test_ana_records_three_topics_and_two_techniques_and_the_record_shows_them(
    client, jannick, ana, topics, bct
):
    contact = _contact(jannick)
    client.force_login(ana)
    response = client.post(
        _url(jannick, contact),
        {
            f"topic_{topics['neurophysiology'].pk}": "on",
            f"check_{topics['neurophysiology'].pk}": "understood",
            f"topic_{topics['hurt_not_harm'].pk}": "on",
            f"check_{topics['hurt_not_harm'].pk}": "partly",
            f"misc_{topics['hurt_not_harm'].pk}": "Thinks every twinge means his disc is slipping",
            f"topic_{topics['pacing'].pk}": "on",
            f"check_{topics['pacing'].pk}": "not_yet",
            "techniques": [bct("4.3").pk, bct("8.7").pk],
        },
    )
    assert response.status_code == 302
    record = ContactEducation.objects.get(contact=contact)
    assert record.recorded_by == ana
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, patient=jannick, object_id=str(record.pk)
    ).exists()

    page = client.get(reverse("education:patient", kwargs={"patient_id": jannick.pk}))
    html = page.content.decode()
    assert "Thinks every twinge means his disc is slipping" in html
    assert "4.3 Re-attribution" in html
    assert "8.7 Graded tasks" in html
    covered = {row.topic.slug: row.last_check for row in page.context["covered"]}
    assert covered == {
        "neurophysiology": "understood",
        "hurt_not_harm": "partly",
        "pacing": "not_yet",
    }
    assert len(page.context["left"]) == 7
    assert topics["sleep"] in page.context["left"]
    assert {row.topic.slug for row in page.context["needs_practice"]} == {"hurt_not_harm", "pacing"}
    assert contact not in page.context["contacts_open"]


def test_a_later_contact_updates_where_the_topic_stands(jannick, ana, topics):
    first = _contact(jannick)
    later = ContactFactory(episode=first.episode, date=first.date + timedelta(days=1))
    pacing = topics["pacing"]
    services.contact_education_record(
        actor=ana,
        patient=jannick,
        contact=first,
        topics={pacing.pk: ("not_yet", "")},
        technique_ids=[],
    )
    services.contact_education_record(
        actor=ana,
        patient=jannick,
        contact=later,
        topics={pacing.pk: ("understood", "")},
        technique_ids=[],
    )
    row = selectors.patient_education(jannick)["covered"][0]
    assert (row.topic, row.times, row.last_check) == (pacing, 2, "understood")


def test_a_ticked_topic_without_its_check_is_refused_and_everything_typed_stays(
    client, jannick, ana, topics, bct
):
    pacing = topics["pacing"]
    client.force_login(ana)
    response = client.post(
        _url(jannick, _contact(jannick)),
        {
            f"topic_{pacing.pk}": "on",
            f"misc_{pacing.pk}": "Rests for days after a good day",
            "techniques": [bct("1.4").pk],
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "could explain back" in html
    assert "Rests for days after a good day" in html
    assert f'value="{bct("1.4").pk}"' in html
    assert "checked" in html
    assert not ContactEducation.objects.exists()


def test_an_empty_form_says_what_is_missing(client, jannick, ana):
    client.force_login(ana)
    response = client.post(_url(jannick, _contact(jannick)), {})
    assert response.status_code == 400
    assert "Tick at least one topic or one technique." in response.content.decode()


def test_a_contact_is_recorded_once_and_never_overwritten(client, jannick, ana, topics):
    contact = _contact(jannick)
    sleep = topics["sleep"]
    services.contact_education_record(
        actor=ana,
        patient=jannick,
        contact=contact,
        topics={sleep.pk: ("partly", "")},
        technique_ids=[],
    )
    with pytest.raises(ValidationError):
        services.contact_education_record(
            actor=ana,
            patient=jannick,
            contact=contact,
            topics={sleep.pk: ("understood", "")},
            technique_ids=[],
        )
    client.force_login(ana)
    response = client.post(
        _url(jannick, contact), {f"topic_{sleep.pk}": "on", f"check_{sleep.pk}": "understood"}
    )
    assert response.status_code == 400
    assert ContactEducation.objects.get().topics_covered.get().understanding == "partly"


def test_another_patients_contact_is_not_found_under_jannick(client, jannick, susan, ana):
    client.force_login(ana)
    her_contact = ContactFactory(episode=susan.episodes.get())
    assert client.get(_url(jannick, her_contact)).status_code == 404


def test_a_retired_topic_leaves_the_form_but_stays_on_old_records(
    client, jannick, ana, bob, topics
):
    metaphors = topics["metaphors"]
    services.contact_education_record(
        actor=ana,
        patient=jannick,
        contact=_contact(jannick),
        topics={metaphors.pk: ("understood", "")},
        technique_ids=[],
    )
    services.topic_retire(actor=bob, topic=metaphors)
    later = ContactFactory(episode=_contact(jannick).episode)
    client.force_login(ana)
    form_page = client.get(_url(jannick, later))
    assert metaphors not in form_page.context["form"].topics
    education = selectors.patient_education(jannick)
    assert [row.topic for row in education["covered_retired"]] == [metaphors]
    assert metaphors not in education["left"]
    with pytest.raises(ValidationError):
        services.contact_education_record(
            actor=ana,
            patient=jannick,
            contact=later,
            topics={metaphors.pk: ("understood", "")},
            technique_ids=[],
        )


def test_a_programme_admin_cannot_record_education_even_through_the_service(jannick, priya, topics):
    with pytest.raises(ValidationError):
        services.contact_education_record(
            actor=priya,
            patient=jannick,
            contact=_contact(jannick),
            topics={topics["sleep"].pk: ("understood", "")},
            technique_ids=[],
        )
    assert not ContactEducation.objects.exists()


def test_the_patient_page_links_to_the_education_record(client, jannick, ana):
    client.force_login(ana)
    page = client.get(reverse("patients:detail", kwargs={"patient_id": jannick.pk}))
    assert reverse("education:patient", kwargs={"patient_id": jannick.pk}) in page.content.decode()
