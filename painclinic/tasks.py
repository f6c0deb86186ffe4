"""Infrastructure tasks."""

from __future__ import annotations

import socket
import time

from celery import shared_task


@shared_task(name="painclinic.health_ping", acks_late=False, ignore_result=False)
def health_ping() -> dict:
    """A trivial task that proves a worker takes jobs and answers. Idempotent by nature."""
    return {"worker": socket.gethostname(), "at": time.time()}
