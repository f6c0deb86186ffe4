"""Faults of the job service with real Redis and real Celery workers (issue #15, "no lost jobs").

Ana saves Jannick's fear ratings while Redis is down, while Redis restarts with his analysis in
the queue, and while the worker computing it is SIGKILLed. Each time: nothing is lost (every
analysis is stored), nothing is duplicated (each computed once, one set of graphs), and Ana is
told what is happening. Times to completion are printed, not asserted (a shared machine).
"""

from __future__ import annotations

import json
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from sced import services
from sced.models import AnalysisPlot, AnalysisRun, AnalysisState, Measurement, RequeueReason
from sced.tasks import sweep_analysis_runs
from tests.faults.conftest import wait_until
from tests.sced.conftest import BASELINE, INTERVENTION, fill, make_study

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]


def _values(draw) -> list[int]:
    return (BASELINE * 3)[: draw.start - 1] + (INTERVENTION * 2)[: 22 - draw.start]


def _all_done(study) -> bool:
    # Done with its graphs: they are drawn by a follow-up job after the statistics (issue #16).
    return (
        not AnalysisRun.objects.filter(study=study)
        .exclude(state=AnalysisState.DONE, plots_state="ready")
        .exists()
    )


def _assert_each_run_stored_once(study, *, plots_per_run: int = 2) -> None:
    for run in AnalysisRun.objects.filter(study=study):
        assert run.state == AnalysisState.DONE, (run.pk, run.state, run.error)
        assert run.results is not None
        assert AnalysisPlot.objects.filter(run=run).count() == plots_per_run


def test_redis_down_at_save_time_the_save_succeeds_and_the_sweep_runs_the_analysis_once(
    client, ana, jannick, fault_stack
):
    study = make_study(ana, jannick)
    draw = services.study_randomize(actor=ana, study=study, seed=11)
    values = _values(draw)
    fault_stack.redis.kill()  # Redis crashes before Ana saves

    client.force_login(ana)
    fill(study, ana, values[:-1])  # the bulk of the diary, through the service
    measure = study.measures.first()
    started = time.monotonic()
    response = client.post(
        reverse("sced:measurement_add", kwargs={"patient_id": jannick.pk, "study_id": study.pk}),
        {
            "entry-measure": measure.pk,
            "entry-session": len(values),
            "entry-value": values[-1],
        },
        follow=True,
    )
    print(f"\n[faults] redis down at save: the save answered in {time.monotonic() - started:.2f} s")
    assert response.status_code == 200  # not a 500: the values are committed
    page = response.content.decode()
    assert "Value saved. The analysis will run when the job service is back" in page
    assert "The values are saved." in page  # the results panel says the same
    assert Measurement.objects.filter(measure__study=study).count() == len(values)
    runs = list(AnalysisRun.objects.filter(study=study))
    assert len(runs) == 2
    assert {r.state for r in runs} == {AnalysisState.NOT_ENQUEUED}

    # While Redis is still down the sweep cannot send them: they stay marked, nothing is lost.
    assert sweep_analysis_runs() == {RequeueReason.NOT_ENQUEUED: sorted(r.pk for r in runs)}
    assert set(AnalysisRun.objects.filter(study=study).values_list("state", flat=True)) == {
        AnalysisState.NOT_ENQUEUED
    }

    fault_stack.redis.start()  # Redis is back
    back = time.monotonic()
    fault_stack.start_worker("a")
    assert set(sweep_analysis_runs()) == {RequeueReason.NOT_ENQUEUED}  # Celery beat's minute
    wait_until(lambda: _all_done(study))
    print(f"\n[faults] redis down at save: 2 runs done {time.monotonic() - back:.1f} s after Redis")
    _assert_each_run_stored_once(study)
    assert sorted(AnalysisRun.objects.filter(study=study).values_list("attempts", flat=True)) == [
        1,
        1,
    ]
    assert sweep_analysis_runs() == {}


def test_redis_restart_with_queued_jobs_loses_none_and_runs_each_once(ana, jannick, fault_stack):
    study = make_study(ana, jannick)
    draw = services.study_randomize(actor=ana, study=study, seed=11)
    values = _values(draw)
    # Three saves, three analyses queued; no worker is running yet.
    for part in (values[:7], values[7:14], values[14:]):
        measure = study.measures.first()
        start = Measurement.objects.filter(measure__study=study).count() + 1
        services.measurements_record(
            actor=ana,
            study=study,
            rows=[services.Row(measure, float(v), session=start + i) for i, v in enumerate(part)],
        )
    runs = list(AnalysisRun.objects.filter(study=study))
    assert len(runs) == 3
    assert {r.state for r in runs} == {AnalysisState.QUEUED}
    assert fault_stack.redis.client().llen(fault_stack.queue) == 3

    time.sleep(1.5)  # appendfsync everysec: the last second of writes is at risk (security.md J5)
    fault_stack.redis.kill()  # kill -9
    fault_stack.redis.start()
    back = time.monotonic()
    assert fault_stack.redis.client().llen(fault_stack.queue) == 3  # replayed from the AOF
    fault_stack.start_worker("a")
    wait_until(lambda: _all_done(study))
    print(f"\n[faults] redis restart: 3 queued runs done {time.monotonic() - back:.1f} s after")
    # Incomplete data gives results without graphs for the first saves; each stored once.
    for run in AnalysisRun.objects.filter(study=study):
        assert run.state == AnalysisState.DONE
        assert run.attempts == 1
        assert run.dispatch == 1
    assert AnalysisPlot.objects.filter(run__study=study).count() == len(
        set(AnalysisPlot.objects.filter(run__study=study).values_list("run", "measure", "kind"))
    )
    assert sweep_analysis_runs() == {}


def test_a_whole_worker_sigkilled_mid_job_is_detected_restarted_and_completes_once(
    client, ana, jannick, fault_stack, settings
):
    settings.ANALYSIS_WORKER_GONE_SECONDS = 0  # production: 120 s; the test does not wait
    study = make_study(ana, jannick)
    draw = services.study_randomize(actor=ana, study=study, seed=11)
    slow = fault_stack.start_worker("slow", job_sleep=60)
    fill(study, ana, _values(draw))
    run = AnalysisRun.objects.get(study=study)
    wait_until(lambda: AnalysisRun.objects.get(pk=run.pk).state == AnalysisState.RUNNING)
    run.refresh_from_db()
    assert run.worker == slow.name

    slow.kill_whole_worker()  # SIGKILL to the main process and its child at once
    killed = time.monotonic()
    run.refresh_from_db()
    assert run.state == AnalysisState.RUNNING  # Redis keeps the message unacked for an hour
    unacked = fault_stack.redis.client().hgetall("unacked")
    assert len(unacked) == 1

    # Celery beat's sweep: no worker answers the ping, the run's worker is gone.
    assert sweep_analysis_runs() == {RequeueReason.WORKER_LOST: [run.pk]}
    run.refresh_from_db()
    assert run.state == AnalysisState.QUEUED
    assert run.dispatch == 2
    client.force_login(ana)
    panel = client.get(
        reverse("sced:results_panel", kwargs={"patient_id": jannick.pk, "study_id": study.pk})
    ).content.decode()
    when = timezone.localtime(run.requeued_at).strftime("%H:%M")
    assert f"The worker stopped; the analysis has been restarted at {when}." in panel

    fault_stack.start_worker("b")
    wait_until(lambda: _all_done(study))
    print(f"\n[faults] worker SIGKILL: run done {time.monotonic() - killed:.1f} s after the kill")

    # Redis redelivers the killed worker's message after the visibility timeout: do it now.
    r = fault_stack.redis.client()
    for payload in unacked.values():
        message, _exchange, routing_key = json.loads(payload)
        r.lpush(routing_key or fault_stack.queue, json.dumps(message))
    r.delete("unacked", "unacked_index")
    wait_until(lambda: r.llen(fault_stack.queue) == 0 and r.hlen("unacked") == 0)
    time.sleep(1.0)  # let the worker finish with the stale message
    run.refresh_from_db()
    assert run.state == AnalysisState.DONE
    assert run.attempts == 2  # the killed start and the completing one; the stale one did nothing
    _assert_each_run_stored_once(study)
    assert sweep_analysis_runs() == {}


def test_redis_down_when_jannick_enters_his_diary_he_is_thanked_and_the_analysis_follows(
    client, ana, jannick, fault_stack
):
    from datetime import timedelta

    study = make_study(ana, jannick, start_date=timezone.localdate() - timedelta(days=4))
    services.study_randomize(actor=ana, study=study, seed=5)
    _link, token = services.diary_link_issue(actor=ana, study=study, days=14)
    fault_stack.redis.kill()

    measure = study.measures.first()
    response = client.post(reverse("sced:diary", args=[token]), {f"diary-m{measure.pk}": 6})
    assert response.status_code == 200  # his thank-you page, not a 500
    assert Measurement.objects.filter(measure__study=study).count() == 1
    run = AnalysisRun.objects.get(study=study)
    assert run.state == AnalysisState.NOT_ENQUEUED

    fault_stack.redis.start()
    back = time.monotonic()
    fault_stack.start_worker("a")
    assert sweep_analysis_runs() == {RequeueReason.NOT_ENQUEUED: [run.pk]}
    wait_until(lambda: _all_done(study))
    print(f"\n[faults] redis down at diary entry: done {time.monotonic() - back:.1f} s after")
    run.refresh_from_db()
    assert run.attempts == 1
    assert run.results is not None


def test_redis_down_the_live_entry_panel_says_saved_and_when_the_analysis_will_come(
    client, ana, jannick, fault_stack
):
    study = make_study(ana, jannick)
    services.study_randomize(actor=ana, study=study, seed=11)
    fault_stack.redis.kill()
    client.force_login(ana)
    response = client.post(
        reverse("sced:measurement_add", kwargs={"patient_id": jannick.pk, "study_id": study.pk}),
        {"entry-measure": study.measures.first().pk, "entry-session": 1, "entry-value": 8},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Value saved. The analysis will run when the job service is back" in page
    assert "The values are saved." in page
    assert "Retry" in page
    assert Measurement.objects.filter(measure__study=study).count() == 1
    assert AnalysisRun.objects.get(study=study).state == AnalysisState.NOT_ENQUEUED
