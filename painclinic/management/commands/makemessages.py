"""``manage.py makemessages`` with the project's defaults (README "Translations").

Django's command, with what it must never read (the virtualenv, collected static files, test
artefacts, node modules, the test suite) ignored, file-only locations (``#: path``, no line
numbers, so a change elsewhere in a file does not touch the catalogue), obsolete entries
dropped and no fuzzy guesses. tests/painclinic/test_translations.py runs it into a copy to prove the catalogue is
current.
"""

from __future__ import annotations

from django.core.management.commands import makemessages

IGNORE = [".venv", "venv", "staticfiles", "test-artifacts", "node_modules", "tests"]


class Command(makemessages.Command):
    # No fuzzy matching: with a few translated strings among many untranslated ones, msgmerge
    # would guess a translation for new strings from unrelated ones ("Questionnaire definitions
    # are for clinicians." -> the Dutch of "Questionnaires from your clinician"). A new or
    # reworded string comes in empty, and the translation tests name it.
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]

    def handle(self, *args, **options):
        options["ignore_patterns"] = [*(options.get("ignore_patterns") or []), *IGNORE]
        if options.get("add_location") is None:
            options["add_location"] = "file"
        options["no_obsolete"] = True
        return super().handle(*args, **options)
