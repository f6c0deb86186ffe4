"""``manage.py bench_seed --patients N``: the benchmark's data set (see demo/bench/seed.py).

Patients, episodes and contacts come from ``seed_demo`` (bulk), one illustrative patient from
``seed_clinical_demo`` (the real services), then ``demo.bench.seed`` copies that patient's
clinical rows onto every synthetic patient with ``bulk_create`` and runs VACUUM ANALYZE.
"""

from __future__ import annotations

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from demo.bench.seed import analyze, seed_depth


class Command(BaseCommand):
    help = "Seed the benchmark data set: N patients with assessments, plans, goals, SCED studies."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--patients", type=int, default=10_000)

    def handle(self, *args: object, patients: int, **options: object) -> None:
        started = time.perf_counter()
        call_command("seed_demo", patients=patients, verbosity=0)
        call_command("seed_clinical_demo", verbosity=0)
        counts = seed_depth(log=self.stdout.write)
        analyze()
        took = time.perf_counter() - started
        self.stdout.write(
            f"seeded in {took:.0f} s: " + ", ".join(f"{v:,} {k}" for k, v in counts.items())
        )
