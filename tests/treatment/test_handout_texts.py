"""Every fixed text of the patient's handout and summary (treatment/handout_texts.py) is plain
English at the clinic's reading level (settings.PATIENT_TEXT_MAX_GRADE, Flesch-Kincaid grade;
painclinic/readability.py), marked for translation, and free of clinicians' words and of words
that alarm or blame. ``manage.py handout_reading_levels`` prints the figures (issue #14)."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils.functional import Promise
from django.utils.translation import override

from painclinic.readability import reading_level
from treatment import handout_texts
from treatment.handout_texts import FIXED_TEXTS
from treatment.models import Intervention

# Clinicians' words, and words that alarm or blame, a patient must not read in our fixed texts.
# (The patient's own words and the clinician-edited safety-netting are theirs, not ours.)
NOT_FOR_PATIENTS = re.compile(
    r"\b(?:kinesiophobia|catastroph\w*|yellow flag|formulation|exposure|in vivo|hierarchy|"
    r"quota|baseline|score|scale|cognitive|behaviou?ral|sensiti[sz]ation|neurophysiolog\w*|"
    r"nocicep\w*|chronic|damage\w*|degenerat\w*|wear and tear|crumbl\w*|fail\w*|"
    r"non-?complian\w*|non-?adheren\w*|refus\w*|fault|blame\w*|lazy|should have|must not|"
    r"danger\w*|serious|severe|disabled|crippl\w*)\b",
    re.IGNORECASE,
)


@pytest.mark.parametrize("name", sorted(FIXED_TEXTS))
def test_each_fixed_text_is_at_or_below_the_clinics_reading_grade(name):
    with override("en"):
        level = reading_level(str(FIXED_TEXTS[name]))
    assert level.grade <= settings.PATIENT_TEXT_MAX_GRADE, (name, round(level.grade, 1))


def test_the_handouts_prose_read_together_is_plain_english_too():
    with override("en"):
        prose = "\n".join(str(t) for t in FIXED_TEXTS.values() if str(t).count(".") >= 2)
    level = reading_level(prose)
    assert level.counts.sentences >= 30  # the paragraphs, not only the headings
    assert level.grade <= settings.PATIENT_TEXT_MAX_GRADE
    assert level.ease >= 60  # Flesch's "plain English" band starts at 60


@pytest.mark.parametrize("name", sorted(FIXED_TEXTS))
def test_each_fixed_text_is_marked_for_translation_and_speaks_plainly(name):
    text = FIXED_TEXTS[name]
    assert isinstance(text, Promise), f"{name} is not marked with gettext_lazy"
    assert NOT_FOR_PATIENTS.findall(str(text)) == [], name


def test_every_curriculum_topic_and_every_intervention_has_patient_words():
    from education.seed import CURRICULUM

    assert set(handout_texts.TOPIC_WORDS) == {slug for slug, _title, _covers in CURRICULUM}
    assert set(handout_texts.INTERVENTION_WORDS) == set(Intervention)


def test_the_check_catches_a_clinicians_sentence():
    clinical = (
        "Kinesiophobia and catastrophizing maintain avoidance behaviour, reducing participation "
        "in occupational activities; graded exposure in vivo targets the feared stimuli."
    )
    assert reading_level(clinical).grade > settings.PATIENT_TEXT_MAX_GRADE
    assert NOT_FOR_PATIENTS.findall(clinical)


def test_the_command_prints_each_texts_figures_and_keeps_to_the_setting(settings):
    out = StringIO()
    call_command("handout_reading_levels", "--markdown", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("| text | sentences | words | syllables | FK grade")
    assert len([line for line in lines if line.startswith("| ") and "---" not in line]) == (
        len(FIXED_TEXTS) + 1
    )
    assert any(line.startswith("| PAIN_TEXT |") for line in lines)
    settings.PATIENT_TEXT_MAX_GRADE = 1  # a stricter clinic: the longer texts are refused
    with pytest.raises(CommandError, match="above grade 1"):
        call_command("handout_reading_levels", stdout=StringIO())


def test_every_fixed_text_is_printed_somewhere():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    sources = "".join(
        path.read_text(encoding="utf-8")
        for path in [
            *root.joinpath("templates", "treatment").glob("*.html"),
            root / "treatment" / "handouts.py",
        ]
    )
    unused = [
        name
        for name in FIXED_TEXTS
        if "[" not in name and f"texts.{name}" not in sources  # the dicts are read by key
    ]
    assert unused == []
