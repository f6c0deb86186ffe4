from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings

from painclinic.celery import app as celery_app
from painclinic.tasks import health_ping


@dataclass(frozen=True)
class WorkerHealth:
    mode: str  # "in-process" or "workers"
    ok: bool
    workers: list[str]
    round_trip_ms: float | None
    error: str = ""


def worker_health(*, timeout: float = 3.0) -> WorkerHealth:
    """Ask the workers to answer, and time one real task through the broker (performance.md R7)."""
    if celery_app.conf.task_always_eager:
        started = time.perf_counter()
        health_ping.apply().get()
        return WorkerHealth(
            mode="in-process",
            ok=True,
            workers=[],
            round_trip_ms=(time.perf_counter() - started) * 1000,
        )
    try:
        replies = celery_app.control.inspect(timeout=min(timeout, 1.0)).ping() or {}
        started = time.perf_counter()
        health_ping.apply_async(queue=settings.CELERY_TASK_DEFAULT_QUEUE).get(timeout=timeout)
        elapsed = (time.perf_counter() - started) * 1000
    except Exception as exc:  # the broker or every worker is down: say so, do not crash
        return WorkerHealth(
            mode="workers",
            ok=False,
            workers=sorted(locals().get("replies", {}) or {}),
            round_trip_ms=None,
            error=f"{type(exc).__name__}: {exc}",
        )
    return WorkerHealth(mode="workers", ok=True, workers=sorted(replies), round_trip_ms=elapsed)
