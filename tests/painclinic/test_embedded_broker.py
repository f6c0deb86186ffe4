"""`make run` without Redis: jobs go through an embedded broker to a real worker, off the request
(issue #16). The same task code and settings (late ack, retries, JSON) as with Redis; only the
transport is kombu's filesystem one, in a folder the quick start owns."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

MAIN = Path(__file__).resolve().parents[2]

CLIENT = """
import django, json
django.setup()
from django.conf import settings
from painclinic.tasks import health_ping
assert settings.CELERY_BROKER_URL == "filesystem://", settings.CELERY_BROKER_URL
assert settings.CELERY_TASK_ALWAYS_EAGER is False
print(json.dumps(health_ping.apply_async(queue=settings.CELERY_TASK_DEFAULT_QUEUE).get(timeout=60)))
"""


def _env(broker: Path, queue: str) -> dict[str, str]:
    db = connection.settings_dict
    env = dict(os.environ, CELERY_EMBEDDED_BROKER_DIR=str(broker), CELERY_QUEUE=queue)
    env["DATABASE_URL"] = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    env.pop("REDIS_URL", None)
    env["DJANGO_SETTINGS_MODULE"] = "painclinic.settings"
    return env


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_without_redis_a_real_worker_takes_the_job_from_the_embedded_broker(tmp_path):
    broker = tmp_path / "broker"
    env = _env(broker, "quickstart")
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "painclinic",
            "worker",
            "-Q",
            "quickstart",
            "--pool",
            "solo",
            "-l",
            "warning",
            "--without-mingle",
            "--without-gossip",
            "-n",
            "quickstart@%h",
        ],
        env=env,
        cwd=MAIN,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        client = subprocess.run(
            [sys.executable, "-c", CLIENT],
            env=env,
            cwd=MAIN,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert client.returncode == 0, client.stderr[-2000:]
        assert '"worker"' in client.stdout
        # The job went through the folder, not in-process: the broker wrote its queue there.
        assert (broker / "queue").is_dir()
        assert (broker / "results").is_dir()
        assert any((broker / "results").iterdir()), "the worker stored no result"
    finally:
        worker.terminate()
        output, _ = worker.communicate(timeout=30)
    assert "Traceback" not in output, output[-2000:]
