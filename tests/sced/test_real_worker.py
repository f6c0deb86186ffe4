"""A real Celery worker on Redis: saving Jannick's measurements produces exactly one stored
analysis, even when the task is delivered twice."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid

import pytest
from django.conf import settings
from django.db import connection

from painclinic.celery import app as celery_app
from painclinic.celery import plots_queue
from sced import services
from sced.models import AnalysisPlot, AnalysisRun, AnalysisState, PlotsState
from sced.tasks import run_analysis
from tests.sced.conftest import BASELINE, INTERVENTION, fill, make_study


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_saving_measurements_gives_one_analysis_even_when_the_task_runs_twice(ana, jannick):
    if not settings.REDIS_URL:
        pytest.fail("REDIS_URL is not set: make test always runs with Redis")
    celery_app.conf.task_always_eager = False  # the autouse _eager_celery fixture puts it back
    queue = f"test-sced-{uuid.uuid4().hex[:8]}"
    old_queue = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue  # delay_on_commit sends to the worker's queue
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
            f"{queue},{plots_queue(queue)}",  # the statistics and, from their own queue, the plots
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
        study = make_study(ana, jannick)
        draw = services.study_randomize(actor=ana, study=study, seed=11)
        values = (BASELINE * 3)[: draw.start - 1] + (INTERVENTION * 2)[: 22 - draw.start]
        fill(study, ana, values)  # commits, then enqueues run_analysis on the real broker
        run = AnalysisRun.objects.get(study=study)
        # A redelivery (acks_late, a worker lost) or a double enqueue: the same task again.
        run_analysis.apply_async((run.pk,), queue=queue)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            run.refresh_from_db()
            if run.state in (AnalysisState.DONE, AnalysisState.FAILED):
                break
            time.sleep(0.25)
        assert run.state == AnalysisState.DONE, run.error
        # The statistics are shown first; the graphs follow from their own job (issue #16).
        while time.monotonic() < deadline and run.plots_state in ("pending", "drawing"):
            time.sleep(0.25)
            run.refresh_from_db()
        assert run.plots_state == PlotsState.READY, run.plots_error
        assert run_analysis.apply_async((run.pk,), queue=queue).get(timeout=60) == "done"
        assert AnalysisRun.objects.filter(study=study).count() == 1
        run.refresh_from_db()
        assert run.attempts == 1
        assert AnalysisPlot.objects.filter(run=run).count() == 2
        # Saving the same data again asks for nothing new.
        assert services.analysis_request(actor=ana, study=study).pk == run.pk
    finally:
        celery_app.conf.task_default_queue = old_queue
        worker.terminate()
        worker.communicate(timeout=30)
