"""The clinic's licensed questionnaire wording, and the language of a self-report link (issue #14).

Bob leads the North team and uploads the wording the clinic holds a licence for; Ana sends
Jannick a link in his language, and is refused (nothing created) when a questionnaire in it has
no wording in that language. Every wording here is invented: no licensed text is in the repo.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessment import selectors, services
from assessment.instruments import get
from assessment.models import ItemText, PatientLink
from painclinic.models import AuditEvent
from tests.assessment.factories import made_up_wording

pytestmark = pytest.mark.django_db

TSK11_ROWS = "\n".join(f"{i}, Verzonnen vraag {i}" for i in range(1, 12))


def _session(patient, actor, keys):
    return services.session_start(
        actor=actor,
        patient=patient,
        episode=patient.episodes.get(),
        time_point="first_visit",
        instrument_keys=list(keys),
    )


def _dutch(patient):
    patient.preferred_language = "nl"
    patient.save(update_fields=["preferred_language"])
    return patient


# --- upload, replace, retire -------------------------------------------------------------------


def test_bob_uploads_dutch_wording_and_it_is_audited(bob):
    text = services.item_text_upload(
        actor=bob,
        instrument_key="tsk11",
        language="nl",
        licence_reference="Licence 2026-17, signed 1 Dec 2026",
        items_text=TSK11_ROWS,
        instructions="Verzonnen instructie.",
        options_text="1, Helemaal oneens\n4, Helemaal eens",
    )
    assert text.is_active
    assert (text.instrument_key, text.instrument_version) == ("tsk11", get("tsk11").version)
    assert text.items["11"] == "Verzonnen vraag 11"
    assert text.option_labels == {"*": {"1": "Helemaal oneens", "4": "Helemaal eens"}}
    assert text.uploaded_by == bob
    event = AuditEvent.objects.get(object_type="assessment.itemtext", object_id=str(text.pk))
    assert (event.action, event.actor) == ("create", bob)


def test_a_bad_upload_writes_nothing_and_names_each_field(bob):
    with pytest.raises(ValidationError) as refused:
        services.item_text_upload(
            actor=bob,
            instrument_key="tsk11",
            language="fr",
            licence_reference="  ",
            items_text=TSK11_ROWS.replace("5, Verzonnen vraag 5\n", "") + "\n12, Extra",
        )
    errors = refused.value.message_dict
    assert set(errors) == {"language", "licence_reference", "items"}
    assert "Items missing: 5. Every item of the questionnaire needs its wording." in errors["items"]
    assert "Not items of this questionnaire: 12." in errors["items"]
    assert not ItemText.objects.exists()
    assert not AuditEvent.objects.filter(object_type="assessment.itemtext").exists()


def test_a_newer_upload_replaces_the_active_one_and_keeps_it_as_history(bob):
    first = made_up_wording("pcs", language="nl", by=bob, licence="Licence A")
    second = made_up_wording("pcs", language="nl", by=bob, licence="Licence B")
    first.refresh_from_db()
    assert (first.is_active, first.replaced_by, first.retired_by) == (False, second, bob)
    assert second.is_active
    assert selectors.item_texts_for(["pcs"], "nl")["pcs"] == second
    assert [t.licence_reference for t in selectors.item_text_history(get("pcs"))] == [
        "Licence B",
        "Licence A",
    ]
    # English is another text: untouched by the Dutch upload
    english = made_up_wording("pcs", language="en-gb", by=bob)
    assert ItemText.objects.active().filter(instrument_key="pcs").count() == 2
    assert english.is_active


def test_retiring_withdraws_the_wording_for_new_links(bob, ana, jannick):
    made_up_wording("tsk11", by=bob)
    retired = services.item_text_retire(actor=bob, instrument_key="tsk11", language="en-gb")
    assert (retired.is_active, retired.retired_by, retired.replaced_by) == (False, bob, None)
    with pytest.raises(ValidationError) as refused:
        services.patient_link_issue(actor=ana, session=_session(jannick, ana, ["tsk11"]))
    assert refused.value.code == "wording_missing"
    with pytest.raises(ValidationError, match="no wording in this language to retire"):
        services.item_text_retire(actor=bob, instrument_key="tsk11", language="en-gb")


def test_a_clinician_cannot_upload_through_the_service(ana):
    with pytest.raises(PermissionDenied):
        services.item_text_upload(
            actor=ana,
            instrument_key="tsk11",
            language="nl",
            licence_reference="x",
            items_text=TSK11_ROWS,
        )


def test_wording_of_another_version_of_the_definition_does_not_count(bob):
    ItemText.objects.create(
        instrument_key="tsk11",
        instrument_version="an older version",
        language="nl",
        licence_reference="Old licence",
        items={str(i): "Oud" for i in range(1, 12)},
        uploaded_by=bob,
    )
    assert [d.key for d in selectors.instruments_without_wording(["tsk11"], "nl")] == ["tsk11"]


# --- the link's language and the refusal ------------------------------------------------------


def test_the_link_takes_the_patients_preferred_language(ana, jannick):
    _dutch(jannick)
    made_up_wording("tsk11", language="nl")
    link, _token = services.patient_link_issue(actor=ana, session=_session(jannick, ana, ["tsk11"]))
    assert link.language == "nl"


def test_the_clinician_may_choose_another_supported_language(ana, jannick):
    _dutch(jannick)
    made_up_wording("tsk11", language="en-gb")
    link, _token = services.patient_link_issue(
        actor=ana, session=_session(jannick, ana, ["tsk11"]), language="en-gb"
    )
    assert link.language == "en-gb"
    with pytest.raises(ValidationError) as refused:
        services.patient_link_issue(
            actor=ana, session=_session(jannick, ana, ["tsk11"]), language="fr"
        )
    assert refused.value.code == "unknown_language"


def test_english_wording_that_ships_with_the_definition_needs_no_upload(ana, jannick):
    link, _token = services.patient_link_issue(
        actor=ana, session=_session(jannick, ana, ["phq9", "gad7"])
    )
    assert link.language == "en-gb"


def test_a_refused_link_names_the_questionnaires_and_language_and_creates_nothing(ana, jannick):
    _dutch(jannick)
    made_up_wording("tsk11", language="nl")  # TSK-11 has Dutch wording, the others none
    session = _session(jannick, ana, ["tsk11", "pcs", "phq9"])
    events_before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.patient_link_issue(actor=ana, session=session)
    assert refused.value.code == "wording_missing"
    message = " ".join(refused.value.messages)
    assert "A self-report link in Nederlands cannot be issued" in message
    assert "PCS and PHQ-9 have no wording in Nederlands yet" in message
    assert "“Questionnaire wording” page" in message
    assert not PatientLink.objects.exists()
    assert AuditEvent.objects.count() == events_before


def test_the_refusal_is_shown_beside_the_language_with_the_choice_kept(client, ana, jannick):
    session = _session(jannick, ana, ["pcs"])
    client.force_login(ana)
    response = client.post(
        reverse("assessment:link_issue", args=[jannick.pk, session.pk]), {"language": "nl"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "PCS has no wording in Nederlands yet" in page
    assert '<option value="nl" selected>' in page
    assert "/p/" not in page
    assert not PatientLink.objects.exists()
    # Ana cannot upload: the page does not send her to the upload page
    assert reverse("assessment:item_texts") not in page


def test_the_session_page_offers_the_patients_language_first(client, ana, jannick):
    _dutch(jannick)
    session = _session(jannick, ana, ["phq9"])
    client.force_login(ana)
    page = client.get(reverse("assessment:session", args=[jannick.pk, session.pk])).content
    assert b'<option value="nl" selected>Nederlands</option>' in page


# --- the patient's page -------------------------------------------------------------------------


def test_the_patient_reads_the_dutch_wording_labels_and_stem(client, ana, bob, jannick):
    _dutch(jannick)
    services.item_text_upload(
        actor=bob,
        instrument_key="tsk11",
        language="nl",
        licence_reference="Licence NL",
        items_text=TSK11_ROWS,
        instructions="Verzonnen instructie voor de patiënt.",
        options_text="1, Verzonnen oneens\n4, Verzonnen eens",
    )
    _link, token = services.patient_link_issue(actor=ana, session=_session(jannick, ana, ["tsk11"]))
    response = client.get(reverse("assessment:link", args=[token]))
    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="nl">' in page
    assert response["Content-Language"] == "nl"
    assert "Verzonnen instructie voor de patiënt." in page
    assert "Verzonnen vraag 7" in page
    assert "1 – Verzonnen oneens" in page
    assert "Item 7" not in page  # the neutral label is replaced by the wording
    # a code without an uploaded label keeps the definition's anchor
    assert "2 – Somewhat disagree" in page


def test_the_clinicians_form_shows_the_clinics_english_wording(client, ana, jannick):
    made_up_wording("pcs")
    session = _session(jannick, ana, ["pcs"])
    client.force_login(ana)
    administration = session.administrations.get()
    page = client.get(
        reverse("assessment:administration", args=[jannick.pk, administration.pk])
    ).content.decode()
    assert "Made-up question 13 (en-gb)" in page


# --- the wording page ---------------------------------------------------------------------------


def test_the_wording_page_lists_every_questionnaire_with_its_licence_and_languages(client, bob):
    made_up_wording("pcs", language="nl", by=bob)
    client.force_login(bob)
    page = client.get(reverse("assessment:item_texts")).content.decode()
    for definition in (get("pcs"), get("tsk11"), get("phq9")):
        assert f'data-testid="wording-{definition.short_name}"' in page
    pcs_row = page.split('data-testid="wording-PCS"')[1].split("</tr>")[0]
    assert "Licence needed" in pcs_row
    assert "uploaded" in pcs_row
    assert "no wording" in pcs_row
    phq_row = page.split('data-testid="wording-PHQ-9"')[1].split("</tr>")[0]
    assert "included" in phq_row


def test_an_upload_with_mistakes_is_shown_again_with_what_was_typed(client, bob):
    client.force_login(bob)
    url = reverse("assessment:item_text", args=["tsk11"])
    typed = TSK11_ROWS.replace("9, Verzonnen vraag 9", "9, ")
    response = client.post(
        url, {"language": "nl", "licence_reference": "Licence 7", "items": typed}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Items without wording: 9." in page
    assert "Verzonnen vraag 10" in page  # the pasted rows are kept
    assert 'value="Licence 7"' in page
    assert not ItemText.objects.exists()


def test_bob_uploads_a_tab_separated_file(client, bob):
    client.force_login(bob)
    content = "\n".join(f"{i}\tVerzonnen, vraag {i}" for i in range(1, 12)).encode()
    response = client.post(
        reverse("assessment:item_text", args=["tsk11"]),
        {
            "language": "nl",
            "licence_reference": "Licence 8",
            "items_file": SimpleUploadedFile("tsk11-nl.tsv", content, "text/tab-separated-values"),
        },
    )
    assert response.status_code == 302
    assert ItemText.objects.get().items["3"] == "Verzonnen, vraag 3"


def test_a_file_that_is_not_text_is_refused_next_to_the_file(client, bob):
    client.force_login(bob)
    response = client.post(
        reverse("assessment:item_text", args=["tsk11"]),
        {
            "language": "nl",
            "licence_reference": "Licence 9",
            "items_file": SimpleUploadedFile("form.xlsx", b"PK\x03\x04\xff\xfe\x00"),
        },
    )
    assert response.status_code == 400
    assert "could not be read as text" in response.content.decode()
    assert not ItemText.objects.exists()


def test_bob_withdraws_a_wording_from_the_page(client, bob):
    made_up_wording("tsk11", language="nl", by=bob)
    client.force_login(bob)
    response = client.post(
        reverse("assessment:item_text_retire", args=["tsk11"]), {"language": "nl"}, follow=True
    )
    assert "withdrawn" in response.content.decode()
    assert not ItemText.objects.active().exists()


@pytest.mark.parametrize("persona", ["ana", "priya"])
def test_clinicians_and_programme_admins_may_not_upload(client, persona, ana, priya):
    client.force_login({"ana": ana, "priya": priya}[persona])
    for url in (
        reverse("assessment:item_texts"),
        reverse("assessment:item_text", args=["tsk11"]),
    ):
        assert client.get(url).status_code == 403, url
    response = client.post(
        reverse("assessment:item_text", args=["tsk11"]),
        {"language": "nl", "licence_reference": "x", "items": TSK11_ROWS},
    )
    assert response.status_code == 403
    assert not ItemText.objects.exists()


def test_the_sites_administrators_may_upload(client):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="clinic-admin", is_staff=True))
    assert client.get(reverse("assessment:item_texts")).status_code == 200
    assert client.get(reverse("assessment:item_text", args=["nosuch"])).status_code == 404


def test_the_wording_pages_speak_the_clinics_language(client, bob):
    from tests.assessment.plain_language import assert_plain_language
    from tests.test_page_language import VisibleText, faults_in

    made_up_wording("waisr", language="nl", by=bob)
    client.force_login(bob)
    for url in (
        reverse("assessment:item_texts"),
        reverse("assessment:item_text", args=["waisr"]),
        reverse("assessment:item_text", args=["phoda"]),
    ):
        html = client.get(url).content.decode()
        assert_plain_language(html, page=url)
        parser = VisibleText()
        parser.feed(html)
        assert faults_in(parser.chunks) == [], url  # no confidence mark, key or raw value
