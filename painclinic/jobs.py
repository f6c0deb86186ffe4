"""Enqueueing Celery jobs so that a broker outage never loses a saved record or its job.

Every enqueue path goes through :func:`enqueue_on_commit` (issue #15 "no lost jobs"): the job
is sent only after the transaction commits (security.md J1), and a broker that cannot be
reached is reported to the caller's ``on_failure`` instead of turning a committed save into a
500. The caller marks its job row (the database row is the source of truth, security.md J4) and
a periodic sweep sends it again. Bottom layer: no clinical imports.
"""

from __future__ import annotations

import logging
import os
import time
from functools import partial
from typing import TYPE_CHECKING, Any

from django.db import transaction
from kombu.exceptions import KombuError

from painclinic.celery import app

if TYPE_CHECKING:
    from collections.abc import Callable

logger = logging.getLogger(__name__)

# What a broker that is down, refusing or unreachable raises from apply_async (kombu wraps the
# redis-py errors in kombu.exceptions.OperationalError; a socket error can come through as is).
BROKER_ERRORS: tuple[type[BaseException], ...] = (KombuError, OSError)
try:  # redis-py's own errors, when kombu lets one through unwrapped
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    BROKER_ERRORS += (RedisConnectionError, RedisTimeoutError)
except ImportError:  # pragma: no cover - redis is in requirements.txt
    pass


def enqueue_now(
    task: Any,
    args: tuple = (),
    *,
    on_failure: Callable[[BaseException], None] | None = None,
    **options: Any,
) -> bool:
    """Send ``task`` now. True when the broker took it; False (after ``on_failure``) when not.

    No result subscription by default: the job's database row is the truth, and subscribing to
    the result backend of a Redis that is down retries for 20 s and then raises a RuntimeError
    ("the Celery application must be restarted"), measured with celery 5.7."""
    options.setdefault("ignore_result", True)
    try:
        task.apply_async(args, **options)
    except BROKER_ERRORS as exc:
        logger.warning("could not enqueue %s%r: %s: %s", task.name, args, type(exc).__name__, exc)
        if on_failure is not None:
            on_failure(exc)
        return False
    return True


def enqueue_on_commit(
    task: Any,
    args: tuple = (),
    *,
    on_failure: Callable[[BaseException], None] | None = None,
    **options: Any,
) -> None:
    """Send ``task`` once the current transaction commits (nothing when it rolls back)."""
    transaction.on_commit(partial(enqueue_now, task, args, on_failure=on_failure, **options))


def alive_workers(*, timeout: float = 1.0) -> set[str] | None:
    """The Celery nodes that answer a ping now; None when that cannot be known (eager mode, or
    the broker is down), so that a caller never takes "no answer" for "every worker is gone"."""
    if app.conf.task_always_eager:
        return None
    # Two pings, and a node counts as alive if it answered either: one late answer on a busy
    # machine must not restart a job that is running fine.
    alive: set[str] = set()
    for _ in range(2):
        try:
            replies = app.control.ping(timeout=timeout) or []
        except BROKER_ERRORS as exc:
            logger.warning("could not ping the workers: %s: %s", type(exc).__name__, exc)
            return None
        alive |= {name for reply in replies for name in reply}
    return alive


# --- fault injection (tests only) -------------------------------------------------------------
# The fault-injection suite (tests/faults/) must kill a worker while it is in the middle of a job;
# real jobs take a fraction of a second. The environment variable is set only on the worker
# processes those tests start; it is never set in settings, Compose or the Dockerfile.
FAULT_INJECTION_JOB_SLEEP_ENV = "PAINCLINIC_TEST_ONLY_JOB_SLEEP_SECONDS"


def fault_injection_pause_for_tests() -> None:
    """Sleep inside a running job when the test-only environment variable asks for it."""
    seconds = os.environ.get(FAULT_INJECTION_JOB_SLEEP_ENV, "")
    if seconds:
        time.sleep(min(float(seconds), 120.0))
