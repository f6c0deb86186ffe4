"""``manage.py bench_run``: drive the running servers of ``scripts/bench.sh`` and print the table.

Run by ``make bench`` (which seeds, starts gunicorn, the floor server and a Celery worker, and
stops them afterwards); prints figures, asserts nothing (shared machines are noisy).
"""

from __future__ import annotations

import math
import random
import time
from datetime import date
from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.models import Max, Q
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from demo.bench import load
from painclinic.middleware import SESSION_LOGIN_AT_KEY
from painclinic.models import User
from patients.models import OPEN_STATUSES, Episode
from sced.models import AnalysisRun, Measure, Measurement, Study
from treatment.models import Goal, TreatmentPlan


def _session_for(user: User) -> str:
    """A logged-in (and, for users who must use MFA, second-factor verified) DB session."""
    engine = import_module(settings.SESSION_ENGINE)
    store = engine.SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store[SESSION_LOGIN_AT_KEY] = time.time()
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    store["otp_device_id"] = device.persistent_id
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


class Command(BaseCommand):
    help = "Load the running bench servers (wrk + saves) and print p50/p95/p99, req/s, ratios."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, required=True)
        parser.add_argument("--bare-port", type=int, required=True)
        parser.add_argument("--seconds", type=int, default=10)
        parser.add_argument("--saves", type=int, default=40, help="saves per save path and level")
        parser.add_argument("--connections", default="1,8")

    def handle(self, *args, host: str, port: int, bare_port: int, seconds: int, saves: int,
               connections: str, **options) -> None:  # fmt: skip
        if not load.wrk_available():
            raise CommandError("wrk is not installed (apt-get install wrk)")
        levels = [int(c) for c in connections.split(",")]
        ana, bob = User.objects.get(username="ana"), User.objects.get(username="bob")
        cookies = {u.username: _session_for(u) for u in (ana, bob)}
        episodes = list(
            Episode.objects.filter(lead_clinician=ana, sced_studies__isnull=False)
            .values_list("patient_id", "pk")
            .distinct()[:400]
        )
        if not episodes:
            raise CommandError("no seeded patients for ana: run bench_seed first")
        patients = [p for p, _ in episodes]
        studies = {
            s.episode.patient_id: s
            for s in Study.objects.filter(episode__lead_clinician=ana).select_related("episode")[
                :400
            ]
        }

        def each(name: str, per=None) -> list[str]:
            return [reverse(name, args=[p] + ([per(p)] if per else [])) for p in patients[:200]]

        pages = [
            ("caseload", "ana", [reverse("caseload")] + [f"{reverse('caseload')}?page={i}" for i in (2, 3)]),
            ("patient list", "ana", [reverse("patients:list")]),
            ("record", "ana", each("patients:detail")),
            ("profile", "ana", each("assessment:profile")),
            ("treatment", "ana", each("treatment:overview")),
            ("SCED results", "ana",
             [reverse("sced:study_detail", args=[p, studies[p].pk]) for p in patients[:200] if p in studies]),
            ("team review", "bob", [reverse("team:dashboard")]),
            ("audit log", "bob", [reverse("audit_log")]),
        ]  # fmt: skip
        bare = ("bare view (floor)", "ana", ["/bench/bare/", "/bench/bare/?page=2"])
        out = self.stdout.write
        out(f"database: {Episode.objects.count():,} episodes, "
            f"{Measurement.objects.count():,} SCED values; {seconds} s per run, wrk 1 thread")  # fmt: skip

        queries = self._query_counts(pages, {"ana": ana, "bob": bob})
        results: dict[tuple[str, int], load.Result] = {}
        base = f"http://{host}:{port}"
        for c in levels:
            r = load.run_wrk(bare[0], f"http://{host}:{bare_port}", bare[2], cookies["ana"],
                             connections=c, seconds=seconds)  # fmt: skip
            results[(bare[0], c)] = r
            for label, who, paths in pages:
                results[(label, c)] = load.run_wrk(
                    label, base, paths, cookies[who], connections=c, seconds=seconds
                )
                waited = load.drain(host, port)
                if waited > 1:
                    out(
                        f"  {label}, {c} conn: the server needed {waited:.0f} s to finish the run's backlog"
                    )
        load.drain(host, port)
        save_results, analysis = self._saves(host, port, cookies["ana"], patients, studies,
                                             levels, saves)  # fmt: skip

        floor = {c: results[(bare[0], c)].p50 for c in levels}
        head = (
            "| page | queries | "
            + " | ".join(f"{c} conn p50 / p95 / p99 ms | {c} conn req/s" for c in levels)
            + " | app/bare p50 (1 conn) |"
        )
        out("")
        out(head)
        out("|" + "---|" * (head.count("|") - 1))
        for label, _who, _paths in [bare, *pages]:
            cells = []
            for c in levels:
                r = results[(label, c)]
                err = f" ({r.errors} errors)" if r.errors else ""
                if r.requests == 0:
                    cells.append(f"no response within {seconds} s | 0")
                    continue
                cells.append(
                    f"{r.p50:.1f} / {r.p95:.1f} / {r.p99:.1f} (n={r.requests}){err} | {r.rps:.1f}"
                )
            first = results[(label, levels[0])]
            ratio = (
                first.p50 / floor[levels[0]] if floor[levels[0]] and first.requests else math.nan
            )
            out(
                f"| {label} | {queries.get(label, '4*')} | "
                + " | ".join(cells)
                + f" | {ratio:.1f}x |"
            )
        for label, c, r in save_results:
            err = f" ({r.errors} failed)" if r.errors else ""
            out(f"| save: {label} ({r.requests} saves) | - | " + " | ".join(
                f"{r.p50:.1f} / {r.p95:.1f} / {r.p99:.1f}{err} | {r.rps:.1f}" if cc == c else "- | -"
                for cc in levels
            ) + " | - |")  # fmt: skip
        out("")
        out("* floor: session, user, COUNT, page of 50 (not captured: served by its own settings)")
        out("queries: in-process count of the page's first URL; a negative number is a status")
        if analysis:
            out(f"save -> SCED analysis visible (real worker, {len(analysis)} saves, 1 at a time): "
                f"p50 {load.percentile(analysis, 50):.0f} ms, p95 {load.percentile(analysis, 95):.0f} ms, "
                f"max {analysis[-1]:.0f} ms")  # fmt: skip

    def _query_counts(self, pages, users) -> dict[str, int]:
        counts: dict[str, int] = {}
        if "testserver" not in settings.ALLOWED_HOSTS:
            settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        for label, who, paths in pages:
            client = Client()
            cookie = _session_for(users[who]).split("=", 1)[1]
            client.cookies[settings.SESSION_COOKIE_NAME] = cookie
            client.get(paths[0])
            with CaptureQueriesContext(connection) as captured:
                response = client.get(paths[0])
            counts[label] = len(captured) if response.status_code == 200 else -response.status_code
        return counts

    def _saves(self, host, port, cookie, patients, studies, levels, count):
        out: list[tuple[str, int, load.Result]] = []
        today = date.today().isoformat()
        goals = {
            g.episode.patient_id: g
            for g in Goal.objects.filter(episode__patient_id__in=patients).select_related("episode")
        }
        plans = {
            p.episode.patient_id: p
            # Open episodes only: a discharged episode's plan is refused by design (a 400 the
            # bench counted as a failed save).
            for p in TreatmentPlan.objects.filter(
                episode__patient_id__in=patients, episode__status__in=OPEN_STATUSES
            ).select_related("episode")
        }  # fmt: skip
        with_study = [p for p in patients if p in studies]
        measure_of = {m.study_id: m.pk for m in Measure.objects.filter(study__in=studies.values())}
        next_session = {
            row["measure_id"]: row["m"] + 1
            for row in Measurement.objects.filter(measure_id__in=measure_of.values())
            .values("measure_id").annotate(m=Max("session"))
        }  # fmt: skip

        last_run: dict[tuple[int, int], tuple[int, int]] = {}

        def measurement(t: int, i: int) -> tuple[str, dict[str, str]]:
            p = with_study[(t * 37 + i) % len(with_study)]
            study = studies[p]
            m = measure_of[study.pk]
            session = next_session[m]
            next_session[m] = session + 1
            last_run[(t, i)] = (
                study.pk,
                AnalysisRun.objects.filter(study=study).aggregate(m=Max("id"))["m"] or 0,
            )
            return reverse("sced:measurement_add", args=[p, study.pk]), {
                "entry-measure": str(m), "entry-session": str(session),
                "entry-value": str(random.randint(1, 8)), "entry-confirm_outside_plan": "on",
            }  # fmt: skip

        def review(t: int, i: int) -> tuple[str, dict[str, str]]:
            p = [p for p in patients if p in goals][(t * 37 + i) % len(goals)]
            g = goals[p]
            return reverse("treatment:goal_review", args=[p, g.pk]), {
                "review_date": today, "attained_level": "0", "note": "Bench review",
            }  # fmt: skip

        version = {p: plan.version for p, plan in plans.items()}

        def plan(t: int, i: int) -> tuple[str, dict[str, str]]:
            p = [p for p in patients if p in plans][(t * 37 + i) % len(plans)]
            episode_id = plans[p].episode_id
            v = version[p]
            version[p] = v + 1
            return reverse("treatment:plan_edit", args=[p, episode_id]), {
                "version": str(v), "formulation": f"Fear of movement keeps the patient inactive ({v}).",
                "change_reason": "Bench: reviewed", "focus_areas": "Pacing",
            }  # fmt: skip

        paths = [("measurement", measurement), ("goal review", review), ("plan", plan)]
        for label, make in paths:
            for c in levels:
                r, _ = load.run_saves(label, make, host=host, port=port, cookie=cookie,
                                      connections=c, count=count)  # fmt: skip
                out.append((label, c, r))

        # Save -> analysis visible, one save at a time on an idle worker: first let the worker
        # finish the analyses the saves above queued (bounded wait).
        deadline = time.monotonic() + 180
        while (
            time.monotonic() < deadline
            and AnalysisRun.objects.filter(
                Q(state__in=("queued", "running"))
                | Q(state="done", plots_state__in=("pending", "drawing"))
            ).exists()
        ):
            time.sleep(0.5)

        def wait_for_analysis(t: int, i: int) -> float | None:
            study_id, before = last_run[(t, i)]
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                if AnalysisRun.objects.filter(
                    study_id=study_id, id__gt=before, state="done"
                ).exists():
                    return 0.0
                time.sleep(0.01)
            return None

        def measurement_on_idle_worker(t: int, i: int) -> tuple[str, dict[str, str]]:
            # Untimed: the previous save's graphs (drawn after its statistics, issue #16) are
            # finished first, so each save meets an idle worker as this measure intends.
            deadline = time.monotonic() + 30
            while (
                time.monotonic() < deadline
                and AnalysisRun.objects.filter(
                    state="done", plots_state__in=("pending", "drawing")
                ).exists()
            ):
                time.sleep(0.05)
            return measurement(t, i)

        _, analysis = load.run_saves("measurement", measurement_on_idle_worker, host=host, port=port,
                                     cookie=cookie, connections=1, count=min(count, 20),
                                     after=wait_for_analysis)  # fmt: skip
        return out, analysis
