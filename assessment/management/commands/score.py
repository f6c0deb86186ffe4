"""``python manage.py score KEY < answers.json``: score one administration from the command line.

Reads one JSON object from standard input (``{"answers": {"1": 3, "2": null, ...}}``, or the bare
answers object), prints the ``cli.score_payload`` JSON on standard output. Exit 2 on malformed
JSON or on a payload the library refuses (``{"error": ...}``); an unscorable questionnaire is a
result (``"scorable": false`` with its reason), exit 0. ``gas`` and ``rci`` take their own inputs.
"""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from assessment.instruments import cli

EXIT_BAD_INPUT = 2


class Command(BaseCommand):
    help = "Score one administration: JSON answers on stdin, JSON score on stdout."

    def add_arguments(self, parser) -> None:
        parser.add_argument("key", help="instrument key (e.g. tsk11, phq9) or method (gas, rci)")

    def handle(self, *args, key: str, **options) -> None:
        try:
            payload = json.loads(sys.stdin.read())
        except json.JSONDecodeError as exc:
            self._fail({"error": f"malformed JSON: {exc}", "field": "payload"})
        # The bare answers object is accepted too: data managers pipe exports row by row.
        if (
            isinstance(payload, dict)
            and key not in cli.METHODS
            and "answers" not in payload
            and "error" not in payload
        ):
            payload = {"answers": payload}
        result = cli.score_payload(key, payload)
        if "error" in result:
            self._fail(result)
        self.stdout.write(json.dumps(result, ensure_ascii=False, sort_keys=True))

    def _fail(self, result: dict) -> None:
        self.stdout.write(json.dumps(result, ensure_ascii=False, sort_keys=True))
        raise CommandError(result["error"], returncode=EXIT_BAD_INPUT)
