"""Jannick de Vries reads Dutch, so his printed documents are Dutch too (issue #14, "Licensed
item text and languages"): the handout "Mijn plan om goed te leven met pijn", the summary
"Overzicht van mijn zorg" and his flare-up plan print in his preferred language, as page and as
PDF; Ana can still print them in the clinic's English (``?language=en-gb``). A patient who reads
English keeps English documents.

Which strings these documents print: every msgid of their templates and of the handout texts
(DOCUMENT_FILES), and the few they take from elsewhere (DOCUMENT_MSGIDS). The guards are those of
tests/painclinic/test_translations.py, reused: every such msgid has a checked Dutch msgstr with
the same placeholders, and a Dutch document shows none of their English.
"""

from __future__ import annotations

import fnmatch

import polib
import pytest
from django.urls import reverse
from django.utils import translation

from painclinic.models import AuditAction, AuditEvent
from tests.painclinic.test_translations import (
    CATALOGUE,
    PLACEHOLDER,
    _english_on,
    _visible_text,
)
from tests.treatment.test_handouts import (  # noqa: F401 (fixture)
    PDFTOTEXT,
    flare_up_for,
    jannick_with_a_plan,
    pdf_text,
)
from treatment import selectors, services
from treatment.models import DEFAULT_SETBACK_TEXT, SAFETY_NET_DEFAULT

# The patient's three documents: their templates (and the frame they share) and fixed texts.
DOCUMENT_FILES = [
    "templates/treatment/handout_print.html",
    "templates/treatment/_handout_*.html",
    "templates/treatment/summary_print.html",
    "templates/treatment/flare_up_print.html",
    "templates/treatment/_print_base.html",
    "treatment/handout_texts.py",
]


def _english(lazy) -> str:
    with translation.override("en-gb"):
        return str(lazy)


# What they print from elsewhere: the flare-up plan's default wording (treatment/models.py) and
# the patient's part of the medicines section (templates/medicines/_letter_section.html).
DOCUMENT_MSGIDS = [
    _english(DEFAULT_SETBACK_TEXT),
    _english(SAFETY_NET_DEFAULT),
    "Your medicines",
    "No medicines recorded.",
    "We agreed to lower your opioid dose slowly, by about %(p)s %% every %(d)s days, and to "
    "pause if withdrawal, pain or mood get worse.",
]

pytestmark = pytest.mark.django_db


def _document_entries() -> list[polib.POEntry]:
    po = polib.pofile(str(CATALOGUE))  # no catalogue: OSError, the test fails
    return [
        e
        for e in po
        if not e.obsolete
        and (
            e.msgid in DOCUMENT_MSGIDS
            or any(
                fnmatch.fnmatch(path, pattern)
                for path, _line in e.occurrences
                for pattern in DOCUMENT_FILES
            )
        )
    ]


def _english_in(html: str) -> list[str]:
    return _english_on(html, entries=_document_entries())


def url(name, patient, **query):
    path = reverse(f"treatment:{name}", kwargs={"patient_id": patient.pk})
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.fixture
def dutch_jannick(jannick_with_a_plan):  # noqa: F811 (the imported fixture)
    jannick_with_a_plan.preferred_language = "nl"
    jannick_with_a_plan.save(update_fields=["preferred_language"])
    return jannick_with_a_plan


# --- the catalogue ------------------------------------------------------------------------------


def test_every_string_of_the_patients_documents_has_a_checked_dutch_translation():
    entries = _document_entries()
    found = {e.msgid for e in entries}
    assert not [m for m in DOCUMENT_MSGIDS if m not in found], "msgids missing from the catalogue"
    assert len(entries) >= 80, "the documents' strings are not in the catalogue"
    untranslated = [e.msgid for e in entries if not e.translated()]
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    assert not untranslated, "Document strings without Dutch:\n" + "\n".join(untranslated)
    assert not fuzzy, "Document strings with a fuzzy (unchecked) Dutch:\n" + "\n".join(fuzzy)
    for e in entries:
        assert e.msgstr.strip() != e.msgid.strip(), f"left in English: {e.msgid!r}"
        assert sorted(PLACEHOLDER.findall(e.msgstr)) == sorted(PLACEHOLDER.findall(e.msgid)), (
            f"placeholders differ: {e.msgid!r} -> {e.msgstr!r}"
        )
        assert e.msgstr.count("%%") == e.msgid.count("%%")


def test_the_checker_finds_the_english_of_a_document_string():
    assert _english_in("<p>Summary of my care</p>") == ["Summary of my care"]
    assert _english_in("<p>Overzicht van mijn zorg</p>") == []


# --- the pages -----------------------------------------------------------------------------------


def _assert_dutch(response, *dutch: str) -> None:
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="nl">' in html
    assert response["Content-Language"] == "nl"
    english = _english_in(html)
    assert not english, f"English on a Dutch document: {english}"
    text = _visible_text(html)
    for words in dutch:
        assert words in text


def test_jannicks_handout_summary_and_flare_up_plan_are_dutch(client, ana, dutch_jannick):
    client.force_login(ana)
    _assert_dutch(
        client.get(url("handout", dutch_jannick)),
        "Mijn plan om goed te leven met pijn",
        "Wat we weten over uw pijn",
        "Pijn betekent niet altijd schade.",  # a topic he was taught, in his words
        "Lifting a crate of 10 kg",  # his own words stay his own
        "Bel 999 of ga naar de spoedeisende hulp",  # the default safety-netting, in Dutch
        "Bijna iedereen heeft na een pijnprogramma",  # the default setback words, in Dutch
    )
    _assert_dutch(
        client.get(url("summary", dutch_jannick)),
        "Overzicht van mijn zorg",
        "Uw vaste contactpersoon bij het pijnteam is",
        "Uw medicijnen",
    )
    _assert_dutch(
        client.get(url("flare_up_print", dutch_jannick)),
        "Mijn plan voor als de pijn opvlamt",
        "Long days at work",  # what Ana wrote with him is printed as written
        "Zoek meteen hulp als",
    )


def test_a_text_the_clinician_edited_is_printed_as_written(client, ana, dutch_jannick):
    # Ana rewrites the setback words with him, in Dutch: a new version of his plan.
    plan = selectors.current_flare_up_plan(dutch_jannick)
    services.flare_up_plan_save(
        actor=ana,
        patient=dutch_jannick,
        data={
            field: getattr(plan, field)
            for field in ("triggers", "early_signs", "self_management", "contacts", "safety_net")
        }
        | {"opportunity_text": "Een terugval is oefenen."},
        expected_version=plan.version,
        change_reason="In his own language",
    )
    client.force_login(ana)
    text = _visible_text(client.get(url("handout", dutch_jannick)).content.decode())
    assert "Een terugval is oefenen." in text
    assert "Bijna iedereen heeft na een pijnprogramma" not in text


def test_ana_can_print_them_in_english_and_an_unknown_language_is_ignored(
    client, ana, dutch_jannick
):
    client.force_login(ana)
    for name, title in (("handout", "My plan for living well with pain"),
                        ("summary", "Summary of my care"),
                        ("flare_up_print", "My flare-up plan")):  # fmt: skip
        english = client.get(url(name, dutch_jannick, language="en-gb")).content.decode()
        assert '<html lang="en-gb">' in english
        assert title in english
        assert "Mijn" not in _visible_text(english)
        # Anything but a code of settings.LANGUAGES is ignored: his Dutch.
        for asked in ("fr", "xx", "nl-be%3Cscript%3E", ""):
            _assert_dutch(client.get(url(name, dutch_jannick, language=asked)))
    # The English page's PDF button keeps the English.
    page = client.get(url("handout", dutch_jannick, language="en-gb")).content.decode()
    assert url("handout_pdf", dutch_jannick, language="en-gb") in page


def test_a_patient_who_reads_english_keeps_english_documents(client, ana, jannick_with_a_plan):  # noqa: F811
    assert jannick_with_a_plan.preferred_language == "en-gb"
    client.force_login(ana)
    handout = client.get(url("handout", jannick_with_a_plan)).content.decode()
    assert '<html lang="en-gb">' in handout
    assert "My plan for living well with pain" in handout
    summary = client.get(url("summary", jannick_with_a_plan)).content.decode()
    assert "Summary of my care" in summary
    assert "Overzicht" not in summary
    # No "in English" link on his record: his documents are English already.
    record = client.get(reverse("patients:detail", kwargs={"patient_id": jannick_with_a_plan.pk}))
    assert "?language=" not in record.content.decode()


def test_a_dutch_patients_record_offers_the_documents_in_english(client, ana, dutch_jannick):
    client.force_login(ana)
    record = client.get(reverse("patients:detail", kwargs={"patient_id": dutch_jannick.pk}))
    html = record.content.decode()
    assert '<html lang="en-gb">' in html  # the clinician's page stays in the clinic's language
    assert url("handout", dutch_jannick, language="en-gb") in html
    assert url("summary", dutch_jannick, language="en-gb") in html
    assert "Patient handout in English" in html


# --- the PDF -------------------------------------------------------------------------------------


def _pages_as_png(pdf: bytes, name: str) -> None:
    """Every page of the PDF as a PNG in test-artifacts/screenshots, for a person to look at."""
    import shutil
    import subprocess
    from pathlib import Path

    from django.conf import settings

    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, "pdftoppm (poppler-utils) is needed to render the PDFs"
    folder = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.pdf").write_bytes(pdf)
    subprocess.run(
        [pdftoppm, "-r", "80", "-png", str(folder / f"{name}.pdf"), str(folder / name)], check=True
    )


def test_the_dutch_handout_pdf_is_dutch_and_one_export(client, ana, dutch_jannick, tmp_path):
    assert PDFTOTEXT, "pdftotext (poppler-utils) is needed to read the PDFs"
    client.force_login(ana)
    since = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    response = client.get(url("handout_pdf", dutch_jannick))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    events = AuditEvent.objects.filter(id__gt=since)
    assert [(e.action, e.object_type) for e in events] == [
        (AuditAction.EXPORT, "treatment.handout_pdf")
    ]
    text = pdf_text(response.content, tmp_path)
    _pages_as_png(response.content, "handout_nl")  # to look at: test-artifacts/screenshots
    for words in ("Mijn plan om goed te leven met pijn", "Uw doelen, in uw eigen woorden",
                  "Lifting a crate of 10 kg", "Zoek meteen hulp als"):  # fmt: skip
        assert words in text
    assert not _english_in(text), _english_in(text)
    assert "Downloaden als pdf" not in text  # the page's buttons are not on paper

    summary = client.get(url("summary_pdf", dutch_jannick))
    assert "Overzicht van mijn zorg" in pdf_text(summary.content, tmp_path)
    english = client.get(url("handout_pdf", dutch_jannick, language="en-gb"))
    assert "My plan for living well with pain" in pdf_text(english.content, tmp_path)
