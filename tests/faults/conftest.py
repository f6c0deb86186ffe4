"""The fault-injection suite's real services: a Redis of its own and real Celery workers.

Each test that stops, kills or restarts Redis starts its OWN redis-server (a free port from 6390,
append-only file in a temp dir, as in docker-compose.yml), never the shared one. Workers are real
`celery worker` processes in their own process group, so a test can SIGKILL a whole worker.
Nothing is mocked: the faults are real processes dying and real connections dropping.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import kombu.pools
import pytest
import redis
from django.conf import settings
from django.db import connection

from painclinic.celery import app as celery_app
from painclinic.celery import plots_queue
from painclinic.jobs import FAULT_INJECTION_JOB_SLEEP_ENV

if TYPE_CHECKING:
    from pathlib import Path


def _free_port(start: int = 6390, stop: int = 6490) -> int:
    for port in range(start, stop):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port for the test's own Redis")


@dataclass
class OwnRedis:
    """A redis-server started by the test, with AOF (appendfsync everysec) like production."""

    directory: Path
    port: int = field(default_factory=_free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=1)

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.directory),
                "--appendonly",
                "yes",
                "--appendfsync",
                "everysec",
                "--save",
                "",
                "--logfile",
                str(self.directory / "redis.log"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            with contextlib.suppress(redis.exceptions.ConnectionError):
                if self.client().ping():
                    return
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"own redis-server on {self.port} did not start")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Stop this test's Redis only (its own pid), SIGKILL by default: a crash."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(timeout=15)
        self.process = None


def point_celery_at(url: str) -> None:
    """This process's Celery app uses ``url`` as broker and result store from now on, as in
    production (one Redis for both), with fresh connection pools."""
    kombu.pools.reset()  # closes every pooled connection and empties kombu's pool registry
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    celery_app._backend_cache = None
    celery_app._local.__dict__.pop("backend", None)
    celery_app.conf.broker_url = url
    celery_app.conf.result_backend = url


@dataclass
class Worker:
    name: str
    process: subprocess.Popen

    def kill_whole_worker(self) -> None:
        """SIGKILL the main process and its pool children at once (the process group)."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=15)

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


@dataclass
class FaultStack:
    """Own Redis + workers on a queue of this test only."""

    redis: OwnRedis
    queue: str
    workers: list[Worker] = field(default_factory=list)

    def start_worker(self, label: str, *, job_sleep: float | None = None) -> Worker:
        db = connection.settings_dict
        env = dict(
            os.environ,
            REDIS_URL=self.redis.url,
            CELERY_QUEUE=self.queue,
            DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
        )
        env.pop(FAULT_INJECTION_JOB_SLEEP_ENV, None)
        if job_sleep is not None:
            env[FAULT_INJECTION_JOB_SLEEP_ENV] = str(job_sleep)
        name = f"{self.queue}-{label}@faults"
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "painclinic",
                "worker",
                "-Q",
                f"{self.queue},{plots_queue(self.queue)}",  # statistics, then plots
                "--pool",
                "prefork",  # as in production: the main process answers pings mid-job
                "--concurrency",
                "1",
                "-l",
                "warning",
                "--without-mingle",
                "--without-gossip",
                "-n",
                name,
            ],
            env=env,
            start_new_session=True,  # its own process group: killpg kills the whole worker
        )
        worker = Worker(name, process)
        self.workers.append(worker)
        deadline = time.monotonic() + 45
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"worker {name} exited with {process.returncode}")
            with contextlib.suppress(Exception):
                if celery_app.control.ping(destination=[name], timeout=0.5):
                    return worker
        worker.stop()
        raise RuntimeError(f"worker {name} did not answer within 45 s")


@pytest.fixture
def fault_stack(tmp_path, _eager_celery):
    """Own Redis (started), this process's Celery pointed at it, real sends (not eager)."""
    own = OwnRedis(directory=tmp_path)
    queue = f"faults-{uuid.uuid4().hex[:8]}"
    old = (
        settings.CELERY_BROKER_URL,
        celery_app.conf.task_default_queue,
        celery_app.conf.task_always_eager,
    )
    stack = FaultStack(redis=own, queue=queue)
    try:  # everything it started is stopped, even when the set-up itself fails
        own.start()
        point_celery_at(own.url)
        celery_app.conf.task_default_queue = queue
        celery_app.conf.task_always_eager = False
        yield stack
    finally:
        for worker in stack.workers:
            worker.stop()
        own.kill(signal.SIGTERM)
        point_celery_at(old[0])
        celery_app.conf.task_default_queue = old[1]
        celery_app.conf.task_always_eager = old[2]


def wait_until(predicate, *, timeout: float = 45.0, interval: float = 0.2) -> float:
    """Seconds until ``predicate()`` is true; fails the test after ``timeout``."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if predicate():
            return time.monotonic() - started
        time.sleep(interval)
    raise AssertionError(f"not reached within {timeout:.0f} s")
