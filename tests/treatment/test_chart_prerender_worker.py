"""With a real worker (issue #16): Ana adds a step to Jannick's hierarchy; after the commit the
worker draws his treatment charts from the plots queue into the shared chart cache, and Ana's
next look at the hierarchy chart draws nothing in the request."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid

import pytest
from django.db import connection
from django.urls import reverse

from painclinic.celery import app as celery_app
from painclinic.celery import plots_queue
from painclinic.chart_cache import is_cached
from tests.treatment.factories import hierarchy_item_for
from treatment import charts, figures, selectors


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_after_a_save_the_worker_draws_the_chart_and_the_page_only_reads_it(
    client, ana, jannick, tmp_path, monkeypatch, settings
):
    if not settings.REDIS_URL:
        pytest.fail("REDIS_URL is not set: make test always runs with Redis")
    store = tmp_path / "chart-cache"
    # This process and the worker share one file store, as web and worker do in production.
    settings.CACHES = {
        **settings.CACHES,
        "charts": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(store),
        },
    }
    queue = f"test-charts-{uuid.uuid4().hex[:8]}"
    old_queue = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue
    celery_app.conf.task_always_eager = False  # the autouse _eager_celery fixture puts it back
    db = connection.settings_dict
    env = dict(
        os.environ,
        CELERY_QUEUE=queue,
        CHART_CACHE_DIR=str(store),
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
    )
    worker = subprocess.Popen(
        [
            sys.executable, "-m", "celery", "-A", "painclinic", "worker",
            "-Q", f"{queue},{plots_queue(queue)}", "--pool", "solo", "-l", "warning",
            "--without-mingle", "--without-gossip", "-n", f"{queue}@%h",
        ],
        env=env,
    )  # fmt: skip
    drawn = []
    real = charts.hierarchy_chart
    monkeypatch.setattr(charts, "hierarchy_chart", lambda rows: drawn.append(rows) or real(rows))
    try:
        hierarchy_item_for(jannick, ana, activity="Carrying the shopping")  # commits, then sends
        data = figures.hierarchy_data(selectors.hierarchy_for(jannick))
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if is_cached("treatment.hierarchy", data, version=figures.CHART_VERSION):
                break
            time.sleep(0.25)
        else:
            pytest.fail("the worker did not draw the hierarchy chart within 90 s")
        client.force_login(ana)
        url = reverse("treatment:hierarchy_chart", kwargs={"patient_id": jannick.pk})
        response = client.get(url)
        assert response.status_code == 200
        assert b"Carrying the shopping" in response.content
        assert drawn == []  # drawn by the worker, read by the page
    finally:
        celery_app.conf.task_default_queue = old_queue
        worker.terminate()
        worker.communicate(timeout=30)
