"""``python manage.py ome [--table cdc2022|opioids_aware] < medications.json``.

Reads ``{"medications": [...]}`` (or the bare list; an optional ``"table"`` in the object) from
standard input and prints the core's result (``medicines.core.ome.OmeResult.as_dict``) as JSON, so
a pharmacist or researcher can check a figure outside the browser. Bad input exits 2 with
``{"error": ..., "field": ...}`` naming the field. Signs and stores nothing: it runs without a
secret key (settings.COMMANDS_WITHOUT_SECRET) and without a database.
"""

from __future__ import annotations

import json
import sys

from django.conf import settings
from django.core.management.base import BaseCommand

from medicines.core.ome import MedicationInputError, ome_payload
from medicines.core.products import TABLES

EXIT_BAD_INPUT = 2


class Command(BaseCommand):
    help = (
        "Daily oral morphine equivalents: JSON medications on stdin, the total with one line per "
        "medication, warnings and co-prescriptions as JSON on stdout."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--table",
            choices=sorted(TABLES),
            help="conversion table (default: the payload's 'table', else the clinic's OME_TABLE)",
        )

    def handle(self, *args, table: str | None, **options) -> None:
        try:
            payload = json.loads(sys.stdin.read())
        except json.JSONDecodeError as exc:
            self._fail(f"malformed JSON: {exc}", "payload")
        if table is None and not (isinstance(payload, dict) and payload.get("table")):
            table = settings.OME_TABLE
        try:
            result = ome_payload(payload, table)
        except MedicationInputError as exc:
            self._fail(exc.message, exc.field)
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))

    def _fail(self, message: str, field: str) -> None:
        sys.stderr.write(f"{field}: {message}\n")
        self.stdout.write(json.dumps({"error": message, "field": field}, ensure_ascii=False))
        sys.exit(EXIT_BAD_INPUT)
