"""Time the main pages in-process and count their queries (prints figures; asserts nothing).

    DATABASE_URL=postgres://... python manage.py seed_demo --patients 10000
    DATABASE_URL=postgres://... python manage.py bench_pages --runs 50

Uses Django's test client against the configured database, as the clinician `ana` and the team
lead `bob` of the demo data. Audit events written by the run stay in the log (they are real views).
Beside the wall time, the CPU time of this process per request (median): on a busy or slow machine
it moves less than the wall time, so it compares two revisions run one after the other better.
"""

from __future__ import annotations

import statistics
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from demo.management.commands.bench_run import _session_for
from painclinic.models import User
from patients.models import Patient


class Command(BaseCommand):
    help = (
        "Time the caseload, patient list, record, team review and audit log pages; print p50/p95, "
        "CPU and queries."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--runs", type=int, default=30)

    def handle(self, *args, runs: int, **options) -> None:
        if "testserver" not in settings.ALLOWED_HOSTS:
            settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        try:
            ana = User.objects.get(username="ana")
            bob = User.objects.get(username="bob")
            jannick = Patient.objects.get(identifier="DEMO-JANNICK")
        except (User.DoesNotExist, Patient.DoesNotExist):
            raise CommandError("run `manage.py seed_demo` first") from None
        self.stdout.write(
            f"database: {connection.vendor}; patients: {Patient.objects.count()}; runs: {runs}"
        )
        pages = [
            ("caseload (ana)", ana, reverse("caseload")),
            ("patient list (bob, whole team)", bob, reverse("patients:list")),
            ("patient list search (bob)", bob, reverse("patients:list") + "?q=walsh"),
            ("patient record (ana)", ana, reverse("patients:detail", args=[jannick.pk])),
            ("team review (bob)", bob, reverse("team:dashboard")),
            (
                "team review, not on track (bob)",
                bob,
                reverse("team:dashboard") + "?list=not_on_track",
            ),
            ("audit log (bob)", bob, reverse("audit_log")),
        ]
        for label, user, url in pages:
            # A logged-in, MFA-verified session as make bench uses (force_login leaves a team
            # lead at the second-factor step: the pages answered 302).
            client = Client(secure=True)
            name, value = _session_for(user).split("=", 1)
            client.cookies[name] = value
            client.get(url)  # warm-up
            timings, cpu = [], []
            for _ in range(runs):
                started, cpu_started = time.perf_counter(), time.process_time()
                response = client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - cpu_started) * 1000)
                if response.status_code != 200:
                    raise CommandError(f"{url} answered {response.status_code}")
            with CaptureQueriesContext(connection) as queries:
                client.get(url)
            timings.sort()
            p95 = timings[max(0, round(0.95 * len(timings)) - 1)]
            self.stdout.write(
                f"{label:34s} p50 {statistics.median(timings):7.1f} ms   p95 {p95:7.1f} ms   "
                f"cpu {statistics.median(cpu):6.1f} ms   queries {len(queries)}"
            )
