"""Time every chart and PDF of a patient, cold and warm, and count the chart drawings (prints
figures; asserts nothing). Issue #16: "charts cached per data hash; PDFs <= 1 s warm".

    python manage.py seed_demo && python manage.py seed_clinical_demo
    python manage.py charts_benchmark --runs 5

Uses Django's test client as the clinician ``ana`` on the demo Jannick (or ``--patient <id>``).
"cold" is the first request with an empty chart cache in this process (with ``--warm-up``: after
what a gunicorn worker does at start); "warm" is the median of the next ``--runs``. Wall time and this process's CPU time are both printed: on a shared machine
the wall time also holds the time spent waiting for a core. Audit events written by the run stay
in the log (they are real views).
"""

from __future__ import annotations

import statistics
import time
from contextlib import contextmanager, suppress

from django.conf import settings
from django.core.cache import InvalidCacheBackendError, caches
from django.core.management.base import BaseCommand, CommandError
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from assessment import charts as assessment_charts
from assessment.selectors import signed_results
from medicines import charts as medicines_charts
from painclinic.models import User
from painclinic.warmup import warm_up_web_process
from patients.models import Patient
from treatment import charts as treatment_charts

RENDERERS = [
    (treatment_charts, ("gas_chart", "exposure_chart", "hierarchy_chart", "pacing_chart")),
    (medicines_charts, ("ome_chart", "ome_outcomes_chart")),
    (assessment_charts, ("render_measure_chart",)),
]


@contextmanager
def counted_renderers():
    """Count every call of a chart renderer (the module attribute is wrapped, then restored)."""
    calls = [0]
    saved = []
    for module, names in RENDERERS:
        for name in names:
            real = getattr(module, name)

            def counting(*args, _real=real, **kwargs):
                calls[0] += 1
                return _real(*args, **kwargs)

            saved.append((module, name, real))
            setattr(module, name, counting)
    try:
        yield calls
    finally:
        for module, name, real in saved:
            setattr(module, name, real)


def _clear_chart_cache() -> None:
    with suppress(InvalidCacheBackendError):  # a tree before the chart cache: none to clear
        caches["charts"].clear()


class Command(BaseCommand):
    help = "Time a patient's charts and PDFs cold and warm; count chart drawings."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--runs", type=int, default=5)
        parser.add_argument("--patient", default="", help="patient id (default: demo Jannick)")
        parser.add_argument("--user", default="ana")
        parser.add_argument(
            "--warm-up",
            action="store_true",
            help="first do what a gunicorn worker does at start (painclinic/warmup.py)",
        )

    def handle(self, *args, runs: int, patient: str, user: str, warm_up: bool, **options) -> None:
        if warm_up:
            wall, cpu = time.perf_counter(), time.process_time()
            warm_up_web_process()
            self.stdout.write(
                f"warm-up as a gunicorn worker at start: {(time.perf_counter() - wall) * 1000:.0f}"
                f" / {(time.process_time() - cpu) * 1000:.0f} ms"
            )
        if "testserver" not in settings.ALLOWED_HOSTS:
            settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        try:
            clinician = User.objects.get(username=user)
            who = (
                Patient.objects.get(pk=patient)
                if patient
                else Patient.objects.get(identifier="DEMO-JANNICK")
            )
        except (User.DoesNotExist, Patient.DoesNotExist):
            raise CommandError("run `manage.py seed_demo` and `seed_clinical_demo` first") from None
        client = Client(secure=True)
        client.force_login(clinician)
        session = client.session
        session["painclinic_login_at"] = time.time()
        # A clinician with an authenticator is asked for a code: the session names it, as
        # django_otp.login() does after a right code.
        device = TOTPDevice.objects.filter(user=clinician, confirmed=True).first()
        if device is not None:
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        kw = {"patient_id": who.pk}
        urls = [
            ("GAS chart", reverse("treatment:gas_chart", kwargs=kw)),
            ("exposure sessions chart", reverse("treatment:exposure_chart", kwargs=kw)),
            ("exposure hierarchy chart", reverse("treatment:hierarchy_chart", kwargs=kw)),
        ]
        urls += [
            (
                f"pacing chart {n}",
                reverse("treatment:pacing_chart", kwargs={**kw, "pacing_id": plan_id}),
            )
            for n, plan_id in enumerate(who.pacing_plans.values_list("pk", flat=True), 1)
        ]
        urls += [
            ("OME chart", reverse("medicines:ome_chart", kwargs=kw)),
            ("OME and outcomes chart", reverse("medicines:ome_outcomes_chart", kwargs=kw)),
        ]
        urls += [
            (f"{key} chart (PNG)", reverse("assessment:chart", kwargs={**kw, "key": key}))
            for key in sorted(signed_results(who))[:3]
        ]
        urls += [
            ("summary PDF", reverse("treatment:summary_pdf", kwargs=kw)),
            ("GP letter PDF", reverse("treatment:gp_letter_pdf", kwargs=kw)),
            ("flare-up plan PDF", reverse("treatment:flare_up_pdf", kwargs=kw)),
        ]
        _clear_chart_cache()
        self.stdout.write(
            f"patient {who.pk}; {runs} warm runs; ms = wall / CPU of this process; "
            "drawn = chart renderer calls"
        )
        with counted_renderers() as calls:
            for label, url in urls:
                rows = []
                for _ in range(runs + 1):
                    before = calls[0]
                    wall, cpu = time.perf_counter(), time.process_time()
                    response = client.get(url)
                    rows.append(
                        (
                            (time.perf_counter() - wall) * 1000,
                            (time.process_time() - cpu) * 1000,
                            calls[0] - before,
                        )
                    )
                    if response.status_code != 200:
                        self.stdout.write(f"{label}: {url} answered {response.status_code}")
                        break
                if len(rows) < runs + 1:
                    continue
                cold, warm = rows[0], rows[1:]
                self.stdout.write(
                    f"{label:26s} cold {cold[0]:7.0f} / {cold[1]:5.0f} ms (drawn {cold[2]})   "
                    f"warm median {statistics.median(r[0] for r in warm):7.0f} / "
                    f"{statistics.median(r[1] for r in warm):5.0f} ms "
                    f"(drawn {sum(r[2] for r in warm)} in {runs})"
                )
