"""The one chart cache (painclinic/chart_cache.py, issue #16): a chart is keyed by its kind, a
hash of exactly the data drawn and its renderer's version, drawn once, and pre-rendered after a
save's commit only when a real worker will do it; plot jobs go to their own queue."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import transaction

from painclinic import chart_cache
from painclinic.celery import PLOT_TASKS, plots_queue, route_task
from painclinic.celery import app as celery_app


def _counting_renderer():
    calls = []

    def render(points, title):
        calls.append((points, title))
        return f"<svg>{title}: {len(points)} points</svg>"

    return render, calls


def test_the_key_changes_with_the_data_the_kind_and_the_renderer_version():
    data = ([(date(2026, 11, 2), 45.0), (date(2026, 12, 1), 52.5)], "GAS")
    key = chart_cache.chart_key("treatment.gas", data, version=1)
    assert key.startswith("treatment.gas:")
    assert chart_cache.chart_key("treatment.gas", data, version=1) == key
    # A tuple and a list are the same data (the drawing cannot tell them apart).
    assert chart_cache.chart_key("treatment.gas", list(data), version=1) == key
    changed = ([(date(2026, 11, 2), 45.0), (date(2026, 12, 1), 55.0)], "GAS")
    assert chart_cache.chart_key("treatment.gas", changed, version=1) != key
    assert chart_cache.chart_key("treatment.gas", data, version=2) != key
    assert chart_cache.chart_key("treatment.pacing", data, version=1) != key


def test_only_plain_values_are_chart_data():
    with pytest.raises(TypeError, match="not chart data"):
        chart_cache.chart_key("treatment.gas", (object(),), version=1)


def test_a_chart_is_drawn_once_and_read_after_that():
    render, calls = _counting_renderer()
    data = ([1, 2, 3], "Walking")
    first = chart_cache.cached_chart("test.kind", data, render, version=1)
    second = chart_cache.cached_chart("test.kind", data, render, version=1)
    assert len(calls) == 1
    assert first == second
    assert first.content == "<svg>Walking: 3 points</svg>"
    assert first.etag == '"' + first.key.split(":")[1] + '"'
    assert chart_cache.is_cached("test.kind", data, version=1)
    third = chart_cache.cached_chart("test.kind", ([1, 2, 3, 4], "Walking"), render, version=1)
    assert len(calls) == 2
    assert third.key != first.key


@pytest.mark.django_db(transaction=True)
def test_a_pre_render_is_sent_after_the_commit_and_never_when_it_would_run_in_the_save():
    sent = []

    class Task:
        name = "treatment.tasks.prerender_charts"

        def apply_async(self, args, **options):
            sent.append(args)

    assert chart_cache.prerender_on_commit(Task(), ("p1",)) is False  # eager: nothing sent
    assert sent == []
    celery_app.conf.task_always_eager = False  # a real worker (_eager_celery puts it back)
    with transaction.atomic():
        assert chart_cache.prerender_on_commit(Task(), ("p1",)) is True
        assert sent == []  # not before the commit
    assert sent == [("p1",)]
    with transaction.atomic():
        chart_cache.prerender_on_commit(Task(), ("p2",))
        transaction.set_rollback(True)  # the save failed
    assert sent == [("p1",)]  # a rolled-back save sends nothing


def test_plot_jobs_go_to_the_plots_queue_and_the_statistics_stay_on_the_default_queue():
    default = celery_app.conf.task_default_queue
    assert plots_queue() == f"{default}-plots"
    assert plots_queue("painclinic") == "painclinic-plots"
    for name in PLOT_TASKS:
        assert route_task(name, (), {}, {}) == {"queue": f"{default}-plots"}
    assert route_task("sced.tasks.run_analysis", (), {}, {}) is None
    assert "sced.tasks.render_plots" in PLOT_TASKS
    assert "sced.tasks.run_analysis" not in PLOT_TASKS


def test_every_plot_task_name_is_a_registered_task():
    celery_app.loader.import_default_modules()
    assert set(celery_app.tasks) >= PLOT_TASKS
