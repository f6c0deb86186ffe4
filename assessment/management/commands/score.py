"""``python manage.py score KEY < answers.json``: score one administration from the command line.

Reads one JSON object from standard input (``{"answers": {"1": 3, "2": null, ...}}``, or the bare
answers object), prints the ``payload.score_payload`` JSON on standard output. Exit 2 on malformed
JSON or on a payload the library refuses (``{"error": ...}``); an unscorable questionnaire is a
result (``"scorable": false`` with its reason), exit 0. ``gas`` and ``rci`` take their own inputs.

Change between two administrations: ``score change`` with ``{"instrument": "odi", "baseline": 46,
"follow_up": 24}`` (optional ``"score"``: a subscale), or ``score odi --change`` with
``{"baseline": 46, "follow_up": 24}``: the change, the percentage change, the band at each time
point and every change rule of the definition (``change.change_payload``).
"""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from assessment.instruments import payload as score_json

EXIT_BAD_INPUT = 2
CHANGE = "change"


class Command(BaseCommand):
    help = (
        "Score one administration: JSON answers on stdin, JSON score on stdout. "
        "'score change' (or 'score KEY --change') compares a baseline and a follow-up score."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "key", help="instrument key (e.g. tsk11, phq9), a method (gas, rci), or 'change'"
        )
        parser.add_argument(
            "--change",
            action="store_true",
            help="compare two administrations of KEY: {'baseline': .., 'follow_up': ..} on stdin",
        )

    def handle(self, *args, key: str, change: bool, **options) -> None:
        try:
            payload = json.loads(sys.stdin.read())
        except ValueError as exc:
            # JSONDecodeError is a ValueError; so is an integer of more than 4,300 digits, which
            # json.loads refuses with a bare ValueError (it printed a traceback before).
            self._fail({"error": f"malformed JSON: {exc}", "field": "payload"})
        if change:
            payload = self._change_payload(key, payload)
            key = CHANGE
        # The bare answers object is accepted too: data managers pipe exports row by row.
        if (
            isinstance(payload, dict)
            and key not in score_json.METHODS
            and "answers" not in payload
            and "error" not in payload
        ):
            payload = {"answers": payload}
        result = score_json.score_payload(key, payload)
        if "error" in result:
            self._fail(result)
        self.stdout.write(json.dumps(result, ensure_ascii=False, sort_keys=True))

    def _change_payload(self, key: str, payload: object) -> object:
        if key in score_json.METHODS:
            self._fail(
                {"error": f"--change takes an instrument key, not {key!r}", "field": "instrument"}
            )
        if not isinstance(payload, dict):
            return payload  # change_payload names the field
        given = payload.get("instrument", key)
        if given != key:
            self._fail(
                {
                    "error": f"the payload's instrument {given!r} differs from {key!r}",
                    "field": "instrument",
                }
            )
        return {**payload, "instrument": key}

    def _fail(self, result: dict) -> None:
        self.stdout.write(json.dumps(result, ensure_ascii=False, sort_keys=True))
        raise CommandError(result["error"], returncode=EXIT_BAD_INPUT)
