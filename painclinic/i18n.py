"""Which of the interface's languages a patient's page is shown in.

The clinicians' pages are always in ``settings.LANGUAGE_CODE`` (English); a page a patient opens
by link (the questionnaire, the daily diary) is rendered in the patient's language when the
interface has it (settings.LANGUAGES), else in English.
"""

from __future__ import annotations

from django.conf import settings

# How a language may be written in the record today: ``Patient.preferred_language`` is free text
# ("English", "Dutch", "Nederlands", "nl", "nl-BE"), so both names and codes are read.
_NAMES = {
    "english": "en-gb",
    "engels": "en-gb",
    "dutch": "nl",
    "nederlands": "nl",
    "flemish": "nl",
    "vlaams": "nl",
}


def supported_language(value: str | None) -> str:
    """The interface language code for ``value`` (a language code or a language's name, any
    case): one of the codes in ``settings.LANGUAGES``; the default language (en-gb) for anything
    the interface does not speak or for nothing at all.

    >>> supported_language("Nederlands"), supported_language("nl-BE"), supported_language("Swedish")
    ('nl', 'nl', 'en-gb')
    """
    default = settings.LANGUAGE_CODE
    text = (value or "").strip().lower().replace("_", "-")
    if not text:
        return default
    codes = [code for code, _name in settings.LANGUAGES]
    if text in codes:
        return text
    if text in _NAMES:
        return _NAMES[text]
    # "nl-be" -> "nl", "en" / "en-us" -> the English the interface has.
    base = text.split("-")[0]
    for code in codes:
        if code.split("-")[0] == base:
            return code
    for code, name in settings.LANGUAGES:
        if name.lower() == text:
            return code
    return default
