"""The patient's preferred language is one of the clinic's languages (issue #14); migration 0010
turned the free text of before into a code and kept whatever it could not map in words."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from patients.models import Patient

pytestmark = pytest.mark.django_db

migration = importlib.import_module("patients.migrations.0010_itemtext_preferred_language_code")


@pytest.mark.parametrize(
    ("typed", "code", "note"),
    [
        ("English", "en-gb", ""),
        ("Dutch", "nl", ""),
        (" nederlands ", "nl", ""),
        ("NL", "nl", ""),
        ("Swedish", "en-gb", "Swedish"),
        ("Polish (some English)", "en-gb", "Polish (some English)"),
        ("", "en-gb", ""),
    ],
)
def test_the_free_text_of_before_becomes_a_language_code_and_nothing_typed_is_lost(
    typed, code, note
):
    assert migration.language_code(typed) == (code, note)


def test_the_migration_rewrites_the_rows_and_can_be_rolled_back(jannick, susan):
    # Short values only: the column is already the 8-character code column here.
    Patient.objects.filter(pk=jannick.pk).update(preferred_language="Dutch")
    Patient.objects.filter(pk=susan.pk).update(preferred_language="Swedish")
    migration.to_codes(apps, None)
    rows = dict(Patient.objects.values_list("given_name", "preferred_language"))
    assert (rows["Jannick"], rows["Susan"]) == ("nl", "en-gb")
    assert Patient.objects.get(pk=susan.pk).language_note == "Swedish"
    migration.to_words(apps, None)
    rows = dict(Patient.objects.values_list("given_name", "preferred_language"))
    assert (rows["Jannick"], rows["Susan"]) == ("Dutch", "Swedish")


def test_the_record_shows_the_language_by_name_with_the_note(client, ana, jannick):
    jannick.preferred_language, jannick.language_note = "nl", "Frisian at home"
    jannick.save()
    client.force_login(ana)
    page = client.get(reverse("patients:detail", args=[jannick.pk])).content.decode()
    assert "Nederlands" in page
    assert "(Frisian at home)" in page


def test_the_edit_form_offers_only_the_clinics_languages(client, ana, jannick):
    client.force_login(ana)
    page = client.get(reverse("patients:edit", args=[jannick.pk])).content.decode()
    assert '<option value="nl">Nederlands</option>' in page
    assert '<option value="en-gb" selected>English</option>' in page
