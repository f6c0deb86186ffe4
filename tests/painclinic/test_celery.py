"""Celery is wired for reliability, and a real worker on Redis answers the health task."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest
from django.conf import settings
from django.db import connection, transaction

from painclinic.celery import app as celery_app
from painclinic.tasks import health_ping


def test_late_ack_requeue_on_worker_loss_and_json_only():
    conf = celery_app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_serializer == "json"
    assert conf.accept_content == ["json"]
    # security.md J3: a redelivered long task would otherwise run twice.
    assert conf.broker_transport_options["visibility_timeout"] >= 2 * conf.task_time_limit


def test_tasks_know_how_to_wait_for_the_commit():
    assert hasattr(health_ping, "delay_on_commit")


@pytest.mark.django_db
def test_a_task_enqueued_in_a_rolled_back_transaction_never_runs(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        try:
            with transaction.atomic():
                health_ping.delay_on_commit()
                raise RuntimeError("the write failed")
        except RuntimeError:
            pass
    assert callbacks == []
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        health_ping.delay_on_commit()
    assert len(callbacks) == 1


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_on_redis_answers_the_health_page():
    if not settings.REDIS_URL:
        pytest.fail("REDIS_URL is not set: make test always runs with Redis")
    celery_app.conf.task_always_eager = False  # the autouse _eager_celery fixture puts it back
    queue = f"test-{uuid.uuid4().hex[:8]}"  # a developer's worker on the same Redis never takes it
    db = connection.settings_dict
    env = dict(
        os.environ,
        CELERY_QUEUE=queue,
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
    )
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "painclinic",
            "worker",
            "-Q",
            queue,
            "--pool",
            "solo",
            "-l",
            "warning",
            "--without-mingle",
            "--without-gossip",
            "-n",
            f"{queue}@%h",
        ],
        env=env,
    )
    try:
        reply = health_ping.apply_async(queue=queue).get(timeout=60)
        assert reply["worker"]
        from painclinic.selectors import worker_health

        settings_queue = settings.CELERY_TASK_DEFAULT_QUEUE
        settings.CELERY_TASK_DEFAULT_QUEUE = queue
        try:
            health = worker_health(timeout=20)
        finally:
            settings.CELERY_TASK_DEFAULT_QUEUE = settings_queue
        assert health.ok, health.error
        assert health.mode == "workers", health.error
        assert any(name.startswith(queue) for name in health.workers)
        assert health.round_trip_ms is not None
        assert health.round_trip_ms > 0
    finally:
        worker.terminate()
        worker.communicate(timeout=30)
