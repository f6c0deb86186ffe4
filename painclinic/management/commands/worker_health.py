"""Print the health of the Celery workers; exit 1 when none answers (for compose health checks)."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from painclinic.selectors import worker_health


class Command(BaseCommand):
    help = "Ping the Celery workers and time one health task through the broker."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--timeout", type=float, default=5.0)

    def handle(self, *args, timeout: float, **options) -> None:
        health = worker_health(timeout=timeout)
        self.stdout.write(
            json.dumps(
                {
                    "mode": health.mode,
                    "ok": health.ok,
                    "workers": health.workers,
                    "round_trip_ms": None
                    if health.round_trip_ms is None
                    else round(health.round_trip_ms, 1),
                    "error": health.error,
                }
            )
        )
        if not health.ok:
            raise CommandError("no worker answered")
