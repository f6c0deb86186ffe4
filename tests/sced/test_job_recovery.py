"""No lost analysis: a run nobody works on is sent again by the sweep, once (issue #15).

Jannick's values are saved while the job service is down, a worker stops in the middle of his
analysis, a message waits in a queue that was emptied: the sweep (Celery beat, every minute)
sends each run again, the page says what happened, and the analysis is stored exactly once.
The same faults with real Redis, workers and PostgreSQL are in tests/faults/.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from sced import services
from sced.models import AnalysisPlot, AnalysisRun, AnalysisState, RequeueReason
from sced.tasks import SUPERSEDED, run_analysis, sweep_analysis_runs
from tests.sced.conftest import BASELINE, INTERVENTION, fill


def _saved_but_not_analysed(study, actor, callbacks_fixture):
    """Jannick's complete data saved; the job's message is never sent (on_commit not run)."""
    draw = services.study_randomize(actor=actor, study=study, seed=11)
    with callbacks_fixture(execute=False):
        fill(study, actor, (BASELINE * 3)[: draw.start - 1] + (INTERVENTION * 2)[: 22 - draw.start])
    return AnalysisRun.objects.get(study=study)


def _panel(client, patient, study) -> str:
    kwargs = {"patient_id": patient.pk, "study_id": study.pk}
    return client.get(reverse("sced:results_panel", kwargs=kwargs)).content.decode()


@pytest.mark.django_db
def test_a_run_the_job_service_could_not_take_is_shown_offered_again_and_swept(
    client, ana, jannick, ab_study, django_capture_on_commit_callbacks
):
    run = _saved_but_not_analysed(ab_study, ana, django_capture_on_commit_callbacks)
    services._mark_not_enqueued(run.pk, run.dispatch, ConnectionError("Redis is down"))
    run.refresh_from_db()
    assert run.state == AnalysisState.NOT_ENQUEUED
    client.force_login(ana)
    page = _panel(client, jannick, ab_study)
    assert "The values are saved." in page
    assert "when the job service is back" in page
    assert "Retry" in page
    assert "every 2s" in page  # it updates by itself once sent
    assert "Redis" not in page  # the clinic's words, not the broker's

    with django_capture_on_commit_callbacks(execute=True):
        swept = sweep_analysis_runs()
    assert swept == {RequeueReason.NOT_ENQUEUED: [run.pk]}
    run.refresh_from_db()
    assert run.state == AnalysisState.DONE
    assert run.attempts == 1
    assert run.dispatch == 2
    assert AnalysisPlot.objects.filter(run=run).count() == 2
    assert sweep_analysis_runs() == {}  # nothing left to send


@pytest.mark.django_db
def test_saving_the_same_values_again_sends_a_run_that_was_never_enqueued(
    ana, ab_study, django_capture_on_commit_callbacks
):
    run = _saved_but_not_analysed(ab_study, ana, django_capture_on_commit_callbacks)
    services._mark_not_enqueued(run.pk, run.dispatch, ConnectionError("Redis is down"))
    with django_capture_on_commit_callbacks(execute=True):
        again = services.analysis_request(actor=ana, study=ab_study)
    assert again.pk == run.pk
    run.refresh_from_db()
    assert run.state == AnalysisState.DONE
    assert run.requeue_reason == RequeueReason.RETRY


@pytest.mark.django_db
def test_a_message_of_an_earlier_dispatch_does_nothing(
    ana, ab_study, django_capture_on_commit_callbacks
):
    run = _saved_but_not_analysed(ab_study, ana, django_capture_on_commit_callbacks)
    AnalysisRun.objects.filter(pk=run.pk).update(dispatch=2)
    assert run_analysis(run.pk, 1) == SUPERSEDED
    run.refresh_from_db()
    assert run.state == AnalysisState.QUEUED
    assert run.attempts == 0
    # The graphs are drawn by a follow-up job sent when the statistics commit (issue #16).
    with django_capture_on_commit_callbacks(execute=True):
        assert run_analysis(run.pk, 2) == AnalysisState.DONE
    assert run_analysis(run.pk, 2) == AnalysisState.DONE  # a redelivery after the end
    run.refresh_from_db()
    assert run.attempts == 1
    assert AnalysisPlot.objects.filter(run=run).count() == 2


@pytest.mark.django_db
def test_a_worker_that_stopped_mid_job_is_detected_the_page_says_so_and_it_completes_once(
    client, ana, jannick, ab_study, django_capture_on_commit_callbacks
):
    run = _saved_but_not_analysed(ab_study, ana, django_capture_on_commit_callbacks)
    started = timezone.now() - timedelta(seconds=settings.ANALYSIS_WORKER_GONE_SECONDS + 5)
    AnalysisRun.objects.filter(pk=run.pk).update(
        state=AnalysisState.RUNNING, attempts=1, started_at=started, worker="celery@gone"
    )
    # Its worker still answers: the job is left alone.
    assert services.analysis_sweep(alive_workers={"celery@gone"}) == {}
    # The ping itself failed (broker down): nobody is declared gone before the time limit.
    assert services.analysis_sweep(alive_workers=None) == {}
    with django_capture_on_commit_callbacks(execute=False):
        swept = services.analysis_sweep(alive_workers={"celery@other"})
    assert swept == {RequeueReason.WORKER_LOST: [run.pk]}
    run.refresh_from_db()
    assert run.state == AnalysisState.QUEUED
    assert run.dispatch == 2
    client.force_login(ana)
    page = _panel(client, jannick, ab_study)
    when = timezone.localtime(run.requeued_at).strftime("%H:%M")
    assert f"The worker stopped; the analysis has been restarted at {when}." in page
    # The old message, redelivered by Redis after its visibility timeout, is a no-op.
    assert run_analysis(run.pk, 1) == SUPERSEDED
    with django_capture_on_commit_callbacks(execute=True):
        assert run_analysis(run.pk, 2) == AnalysisState.DONE
    run.refresh_from_db()
    assert run.attempts == 2
    assert AnalysisPlot.objects.filter(run=run).count() == 2


@pytest.mark.django_db
def test_a_run_stuck_past_its_time_limit_offers_retry_and_is_swept_then_fails_after_three_stops(
    client, ana, jannick, ab_study, django_capture_on_commit_callbacks
):
    run = _saved_but_not_analysed(ab_study, ana, django_capture_on_commit_callbacks)
    client.force_login(ana)
    kwargs = {"patient_id": jannick.pk, "study_id": ab_study.pk}
    # Freshly queued: on its way, no Retry, and a retry is refused.
    assert "Retry" not in _panel(client, jannick, ab_study)
    response = client.post(
        reverse("sced:analysis_retry", kwargs={**kwargs, "run_id": run.pk}), HTTP_HX_REQUEST="1"
    )
    run.refresh_from_db()
    assert response.status_code == 200
    assert run.dispatch == 1
    long_ago = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 120)
    AnalysisRun.objects.filter(pk=run.pk).update(
        state=AnalysisState.RUNNING, attempts=1, started_at=long_ago, worker="celery@busy"
    )
    page = _panel(client, jannick, ab_study)
    assert "taking longer than it should" in page
    assert "Retry" in page
    with django_capture_on_commit_callbacks(execute=False):
        # A worker answering the ping does not keep a run alive past the hard time limit.
        assert services.analysis_sweep(alive_workers={"celery@busy"}) == {
            RequeueReason.WORKER_LOST: [run.pk]
        }
    AnalysisRun.objects.filter(pk=run.pk).update(
        state=AnalysisState.RUNNING, attempts=3, started_at=long_ago
    )
    assert services.analysis_sweep(alive_workers=None) == {"failed": [run.pk]}
    run.refresh_from_db()
    assert run.state == AnalysisState.FAILED
    assert "stopped 3 times" in run.error
    assert "Retry" in _panel(client, jannick, ab_study)


@pytest.mark.django_db
def test_a_message_lost_from_the_queue_is_sent_again_after_the_stale_time(
    ana, ab_study, django_capture_on_commit_callbacks
):
    run = _saved_but_not_analysed(ab_study, ana, django_capture_on_commit_callbacks)
    assert services.analysis_sweep() == {}
    later = timezone.now() + timedelta(seconds=settings.ANALYSIS_QUEUED_STALE_AFTER_SECONDS + 1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.analysis_sweep(now=later) == {RequeueReason.STALE_QUEUE: [run.pk]}
    run.refresh_from_db()
    assert run.state == AnalysisState.DONE
    assert run.attempts == 1


def test_celery_beat_runs_the_sweep_every_minute():
    from painclinic.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["sced-sweep-analysis-runs"]
    assert entry["task"] == "sced.sweep_analysis_runs" == sweep_analysis_runs.name
    assert entry["schedule"] == 60
    assert app.conf.beat_schedule == settings.CELERY_BEAT_SCHEDULE
