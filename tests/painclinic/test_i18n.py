"""Which language a patient's page is in (painclinic/i18n.py): the record's free text today
("Dutch", "Nederlands"), a language code later (the link's language), English otherwise."""

from __future__ import annotations

import pytest

from painclinic.i18n import supported_language


@pytest.mark.parametrize(
    ("recorded", "page"),
    [
        ("nl", "nl"),
        ("NL", "nl"),
        ("nl-BE", "nl"),
        ("nl_NL", "nl"),
        ("Dutch", "nl"),
        (" nederlands ", "nl"),
        ("Vlaams", "nl"),
        ("English", "en-gb"),
        ("en", "en-gb"),
        ("en-US", "en-gb"),
        ("en-gb", "en-gb"),
        # Languages the patient pages do not speak (yet) get the clinic's English.
        ("Swedish", "en-gb"),
        ("pl", "en-gb"),
        ("", "en-gb"),
        (None, "en-gb"),
    ],
)
def test_the_patients_recorded_language_picks_a_page_language(recorded, page):
    assert supported_language(recorded) == page


def test_every_answer_is_a_language_the_interface_has(settings):
    codes = {code for code, _name in settings.LANGUAGES}
    assert supported_language("Nederlands") in codes
    assert supported_language("Klingon") == settings.LANGUAGE_CODE
