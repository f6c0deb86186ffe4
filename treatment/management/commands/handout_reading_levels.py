"""Print the reading level of every fixed patient text (treatment/handout_texts.py): the
Flesch-Kincaid grade and the Flesch reading ease (painclinic/readability.py), against the clinic's
highest grade (settings.PATIENT_TEXT_MAX_GRADE). Exits 1 when a text is above it.

    python manage.py handout_reading_levels            # a table, hardest first
    python manage.py handout_reading_levels --markdown # the same as a Markdown table
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from painclinic.readability import reading_level
from treatment.handout_texts import FIXED_TEXTS


class Command(BaseCommand):
    help = "Reading level (Flesch-Kincaid grade, Flesch reading ease) of each fixed patient text."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--markdown", action="store_true", help="print a Markdown table")

    def handle(self, *args, markdown: bool = False, **options) -> None:
        limit = settings.PATIENT_TEXT_MAX_GRADE
        with translation.override("en"):  # the formulas are for English
            rows = [(name, reading_level(str(text))) for name, text in FIXED_TEXTS.items()]
            # The paragraphs (two sentences or more) read as one text: headings and labels
            # alone give figures that say little (one short line: a grade below zero).
            together = reading_level(
                "\n".join(str(t) for t in FIXED_TEXTS.values() if str(t).count(".") >= 2)
            )
        rows.sort(key=lambda row: (-row[1].grade, row[0]))
        if markdown:
            self.stdout.write("| text | sentences | words | syllables | FK grade | reading ease |")
            self.stdout.write("|---|---:|---:|---:|---:|---:|")
        for name, level in rows:
            c = level.counts
            if markdown:
                self.stdout.write(
                    f"| {name} | {c.sentences} | {c.words} | {c.syllables} "
                    f"| {level.grade:.1f} | {level.ease:.1f} |"
                )
            else:
                self.stdout.write(
                    f"{level.grade:5.1f} {level.ease:6.1f}  {c.sentences:2d} {c.words:3d} "
                    f"{c.syllables:3d}  {name}"
                )
        too_hard = [name for name, level in rows if level.grade > limit]
        c = together.counts
        self.stdout.write(
            f"{len(rows)} texts; highest grade {rows[0][1].grade:.1f} (the clinic's limit: {limit}); "
            f"the paragraphs together ({c.sentences} sentences, {c.words} words, {c.syllables} "
            f"syllables): grade {together.grade:.1f}, reading ease {together.ease:.1f}"
        )
        if too_hard:
            raise CommandError(f"above grade {limit}: {', '.join(too_hard)}")
