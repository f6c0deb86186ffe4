"""Jannick de Vries reads his questionnaire link and his daily diary in Dutch (issue #14,
"Licensed item text and languages").

Which strings a patient reads: everything marked in the pages a patient opens without an account
(PATIENT_FILES) and every Python message marked with the context "patient" (the link services'
messages). Three guards keep that set Dutch:

1. every such msgid in locale/nl/LC_MESSAGES/django.po has a Dutch msgstr, not fuzzy, with the
   same placeholders;
2. the catalogue is current: ``makemessages`` run on a copy of the source adds no patient msgid;
3. the pages themselves, rendered in Dutch, show none of the English msgids (a string that
   escaped marking, or a message built outside the page's language, shows up here).

A missing catalogue fails (polib raises); nothing here skips.
"""

from __future__ import annotations

import fnmatch
import re
import shutil
import subprocess
import sys
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from assessment import instruments
from assessment import services as assessment_services
from assessment.forms import AdministrationForm
from assessment.models import PatientLink
from sced import services as sced_services
from sced.models import DiaryLink
from tests.assessment.factories import made_up_wording
from tests.sced.conftest import make_study

ROOT = Path(settings.BASE_DIR)
CATALOGUE = ROOT / "locale" / "nl" / "LC_MESSAGES" / "django.po"
COMPILED = CATALOGUE.with_suffix(".mo")

# The pages a patient opens by link, without an account, and what they include.
PATIENT_FILES = [
    "templates/_patient_page_base.html",
    "templates/patient_link/*",
    "templates/sced_diary/*",
    "templates/assessment/_items.html",  # the questions on the link page
    "templates/safety/_crisis_contacts.html",  # on every patient page
    "safety/rules.py",  # the crisis contacts' wording
    "templates/500.html",  # the error pages a patient may meet too
    "templates/database_lost.html",
]
PATIENT_CONTEXT = "patient"  # pgettext_lazy("patient", …): the link services' messages
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+(?::[^}]*)?\}")

# Django's own form messages a diary page can show: Django's Dutch catalogue translates them.
DJANGO_MESSAGES = ["This field is required.", "Enter a number.", "Ensure this value is"]

pytestmark = pytest.mark.django_db


def _is_patient_facing(entry: polib.POEntry) -> bool:
    if entry.msgctxt == PATIENT_CONTEXT:
        return True
    return any(
        fnmatch.fnmatch(path, pattern)
        for path, _line in entry.occurrences
        for pattern in PATIENT_FILES
    )


def _patient_entries(po: polib.POFile) -> list[polib.POEntry]:
    return [e for e in po if not e.obsolete and _is_patient_facing(e)]


def _keys(po: polib.POFile) -> set[tuple[str | None, str]]:
    return {(e.msgctxt, e.msgid) for e in _patient_entries(po)}


# --- 1. every patient string has its Dutch ---------------------------------------------------


def test_every_patient_facing_string_has_a_dutch_translation():
    po = polib.pofile(str(CATALOGUE))  # no catalogue: OSError, the test fails
    entries = _patient_entries(po)
    assert len(entries) >= 50, "the patient pages' strings are not in the catalogue"
    untranslated = [e.msgid for e in entries if not e.translated()]
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    assert not untranslated, "Patient-facing strings without Dutch:\n" + "\n".join(untranslated)
    assert not fuzzy, "Patient-facing strings with a fuzzy (unchecked) Dutch:\n" + "\n".join(fuzzy)
    for e in entries:
        translations = [e.msgstr] if not e.msgid_plural else list(e.msgstr_plural.values())
        for text in translations:
            assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(e.msgid)), (
                f"placeholders differ: {e.msgid!r} -> {text!r}"
            )


def test_the_catalogue_is_compiled_for_the_pages():
    # The build compiles it (scripts/test.sh, run-demo.sh, Dockerfile: manage.py compilemessages).
    assert COMPILED.exists(), f"{COMPILED} is missing: run `python manage.py compilemessages`"
    with translation.override("nl"):
        assert translation.gettext("Send to my clinician") == "Versturen naar mijn behandelaar"


# --- 2. the catalogue is current ---------------------------------------------------------------


def test_makemessages_finds_no_patient_string_missing_from_the_catalogue(tmp_path):
    """``manage.py makemessages -l nl`` on a copy of the source (the real catalogue untouched):
    a patient string that was added or reworded without updating the catalogue is new there."""
    copy = tmp_path / "src"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(
            ".venv", ".git", "staticfiles", "test-artifacts", "node_modules", "tests", "media",
            "static", "*.mo", "__pycache__", ".*_cache", "db.sqlite3", ".broker", ".hypothesis",
        ),
    )  # fmt: skip
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "nl", "-v", "0"],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    fresh = _keys(polib.pofile(str(copy / CATALOGUE.relative_to(ROOT))))
    committed = _keys(polib.pofile(str(CATALOGUE)))
    assert len(fresh) >= 50
    new = sorted(msgid for _ctx, msgid in fresh - committed)
    assert not new, (
        "Patient-facing strings missing from locale/nl/LC_MESSAGES/django.po (run `manage.py "
        "makemessages -l nl`, translate, `manage.py compilemessages`):\n" + "\n".join(new)
    )


# --- 3. the pages, rendered in Dutch, show no English ------------------------------------------


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        self.parts += [v for k, v in attrs if k in ("title", "alt", "aria-label") and v]

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def _visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def _english_fragments(entries: list[polib.POEntry] | None = None) -> list[str]:
    """The English of every patient msgid (or of ``entries``), cut at its placeholders (the
    parts a page shows word for word), plus Django's own form messages."""
    fragments = set(DJANGO_MESSAGES)
    if entries is None:
        entries = _patient_entries(polib.pofile(str(CATALOGUE)))
    for entry in entries:
        parts = PLACEHOLDER.split(entry.msgid)
        for part in parts:
            part = " ".join(part.split()).strip(" :,.")
            # A fragment between placeholders is checked when it says something on its own
            # (two words or more); the "to" of "from %(lo)s to %(hi)s" is not.
            if re.search(r"[A-Za-z]{2,}", part) and (len(parts) == 1 or " " in part):
                fragments.add(part)
    return sorted(fragments)


def _english_on(
    html: str, instrument_text: list[str] = (), entries: list[polib.POEntry] | None = None
) -> list[str]:
    """The English patient strings on a page. ``instrument_text``: the questionnaire's own
    wording (name, instructions, items, answers), taken out first: it comes from the instrument
    library and the clinic's licensed item text in the link's language, not from this catalogue.
    ``entries``: the msgids to look for (default: the patient pages' set)."""
    text = _visible_text(html)
    for words in sorted(instrument_text, key=len, reverse=True):
        text = text.replace(" ".join(str(words).split()), " ")
    return [
        f for f in _english_fragments(entries) if re.search(rf"(?<!\w){re.escape(f)}(?!\w)", text)
    ]


def _assert_dutch(response, *dutch: str, instrument_text: list[str] = ()) -> None:
    html = response.content.decode()
    assert '<html lang="nl">' in html
    english = _english_on(html, instrument_text)
    assert not english, f"English on a Dutch page: {english}"
    text = _visible_text(html)
    for words in dutch:
        assert words in text


DUTCH_DAYS = ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"]
DUTCH_MONTHS = [
    "januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
    "oktober", "november", "december",
]  # fmt: skip


def _dutch_day(day) -> str:
    """A date as a Dutch reader expects it: "maandag 7 december 2026"."""
    return f"{DUTCH_DAYS[day.weekday()]} {day.day} {DUTCH_MONTHS[day.month - 1]} {day.year}"


@pytest.fixture
def dutch_jannick(jannick):
    # Jannick reads Dutch: his record's preferred language is a code from settings.LANGUAGES.
    jannick.preferred_language = "nl"
    jannick.save(update_fields=["preferred_language"])
    return jannick


def _questionnaire_link(patient, clinician, keys):
    session = assessment_services.session_start(
        actor=clinician,
        patient=patient,
        episode=patient.episodes.get(),
        time_point="first_visit",
        instrument_keys=keys,
    )
    if patient.preferred_language != settings.LANGUAGE_CODE:
        # A link is issued only in a language the questionnaires have wording in: the clinic's
        # (here made-up) upload under its licence.
        for key in keys:
            made_up_wording(key, language=patient.preferred_language)
    link, token = assessment_services.patient_link_issue(actor=clinician, session=session)
    return session, link, reverse("assessment:link", args=[token])


def _wording(key: str) -> list[str]:
    """What a questionnaire itself says on the page: its name, instructions, items, answers."""
    definition = instruments.get(key)
    form = AdministrationForm(definition=definition, initial_answers={}, prefix="x")
    out = [definition.name, definition.short_name, definition.instructions or ""]
    # The clinic's uploaded wording (tests.assessment.factories.made_up_wording) is the
    # questionnaire's own text too, not the catalogue's.
    out += [f"Made-up question {item.id} (nl)" for item in definition.items]
    out.append("Made-up instructions (nl).")
    for field in form.fields.values():
        out.append(str(field.label))
        out += [str(label) for _value, label in getattr(field, "choices", ())]
    return [w for w in out if w]


def test_the_questionnaire_link_pages_are_all_in_dutch(client, dutch_jannick, ana):
    """Every page and message of the self-report link. The link view takes the link's language
    (the patient's, set when it is issued); here the whole visit runs in Dutch."""
    session, _link, url = _questionnaire_link(dutch_jannick, ana, ["phq9"])
    phq = session.administrations.get()
    wording = _wording("phq9")
    with translation.override("nl"):
        _assert_dutch(
            client.get(url),
            "Vragenlijsten van uw behandelaar",
            "niet beantwoord",
            instrument_text=wording,
        )
        saved = client.post(url, {f"a{phq.pk}-item_1": "1"}, HTTP_HX_REQUEST="true")
        assert "Bewaard." in saved.content.decode()
        assert not _english_on(saved.content.decode())
        refused = client.post(url, {f"a{phq.pk}-item_1": "seven"})
        assert refused.status_code == 400
        _assert_dutch(refused, "Dit antwoord kon niet worden bewaard", instrument_text=wording)
        # Item 9 answered above 0: the prominent crisis contacts, in Dutch.
        risk = client.post(url, {f"a{phq.pk}-item_9": "1"}, HTTP_HX_REQUEST="true")
        assert "Als u nu in gevaar bent" in risk.content.decode()
        assert not _english_on(risk.content.decode())
        data = {f"a{phq.pk}-item_{i}": "0" for i in range(1, 10)}
        _assert_dutch(client.post(url, {**data, "send": "1"}), "Dank u wel", "Bel 999")
        used = client.get(url)
        assert used.status_code == 410
        _assert_dutch(used, "Deze antwoorden zijn al naar uw behandelaar gestuurd")

        _session, expired, expired_url = _questionnaire_link(dutch_jannick, ana, ["tsk11"])
        PatientLink.objects.filter(pk=expired.pk).update(
            expires_at=timezone.now() - timedelta(minutes=1)
        )
        _assert_dutch(client.get(expired_url), "Deze link is verlopen")


def test_the_diary_pages_follow_the_patients_language(client, dutch_jannick, ana):
    """No override here: the diary view reads Jannick's preferred language itself."""
    study = make_study(ana, dutch_jannick, start_date=timezone.localdate() - timedelta(days=4))
    sced_services.study_randomize(actor=ana, study=study, seed=5)
    _link, token = sced_services.diary_link_issue(actor=ana, study=study, days=14)
    url = reverse("sced:diary", args=[token])
    measure = study.measures.first()

    page = client.get(url)
    assert page["Content-Language"] == "nl"
    today = timezone.localdate()
    _assert_dutch(page, "Mijn dagboek", "Kies een getal van 0 tot en met 10", _dutch_day(today))
    for value in ("", "11"):  # missing, then out of range: Django's own messages, in Dutch
        refused = client.post(url, {f"diary-m{measure.pk}": value})
        assert refused.status_code == 400
        _assert_dutch(refused, "Mijn dagboek")
    _assert_dutch(client.post(url, {f"diary-m{measure.pk}": "4"}), "Dank u wel")
    _assert_dutch(client.get(url), "U hebt vandaag al ingevuld")

    expired, expired_token = sced_services.diary_link_issue(actor=ana, study=study)
    DiaryLink.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    _assert_dutch(client.get(reverse("sced:diary", args=[expired_token])), "Deze link is verlopen")

    later = make_study(ana, dutch_jannick, start_date=today + timedelta(days=3))
    sced_services.study_randomize(actor=ana, study=later, seed=5)
    _link, later_token = sced_services.diary_link_issue(actor=ana, study=later)
    _assert_dutch(
        client.get(reverse("sced:diary", args=[later_token])),
        "Nog niet",
        f"Uw dagboek begint op {_dutch_day(today + timedelta(days=3))}",
    )

    sced_services.study_close(actor=ana, study=study)
    _assert_dutch(client.get(url), "Dit dagboek is afgelopen")


def test_a_patient_who_reads_english_gets_english_and_an_unknown_link_is_english(
    client, jannick, ana
):
    jannick.preferred_language = "en-gb"
    jannick.save(update_fields=["preferred_language"])
    study = make_study(ana, jannick, start_date=timezone.localdate() - timedelta(days=4))
    sced_services.study_randomize(actor=ana, study=study, seed=5)
    _link, token = sced_services.diary_link_issue(actor=ana, study=study, days=14)
    page = client.get(reverse("sced:diary", args=[token])).content.decode()
    assert '<html lang="en-gb">' in page
    assert "My daily diary" in page
    unknown = client.get(reverse("sced:diary", args=["x" * 43]))
    assert unknown.status_code == 404
    assert "This link is not valid" in unknown.content.decode()


def test_the_checker_sees_english_that_escaped_translation():
    # The guard of test 3 itself: an English patient string on a page is found, Dutch is not.
    assert _english_on("<p>Send to my clinician</p>") == ["Send to my clinician"]
    assert _english_on('<p title="This link works until x">Versturen</p>') == [
        "This link works until"
    ]
    assert _english_on("<p>Versturen naar mijn behandelaar</p>") == []
