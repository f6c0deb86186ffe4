"""Celery jobs of the SCED app: thin, idempotent, enqueued on commit (shared/STYLE.md §3.5)."""

from __future__ import annotations

import logging
from functools import partial

from celery import shared_task
from celery.signals import worker_process_init
from django.db import OperationalError, transaction
from django.utils import timezone

from painclinic import jobs
from sced import plots as sced_plots
from sced import services, study_analysis
from sced.models import AnalysisPlot, AnalysisRun, AnalysisState, PlotsState
from sced.stats.inputs import StudyInputs

logger = logging.getLogger(__name__)
SUPERSEDED = "superseded"


@shared_task(
    bind=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
)
def run_analysis(self, run_id: int, dispatch: int | None = None) -> str:
    """Compute and store the analysis ``run_id`` names.

    Idempotent: a run that is gone or DONE is left alone, and so is a message of an earlier
    ``dispatch`` (the sweep or Retry sent the run again since); a RUNNING run of the current
    dispatch (a redelivery after a worker died, acks_late) is computed again. Results are written
    in one transaction that re-checks the state under a row lock, so two deliveries racing store
    one result.
    A statistic that is "not defined" is part of the results, not a failure; any other
    exception marks the run FAILED with its text. Only OperationalError (the database going
    away) is retried. Returns the final state (for logs and tests).
    """
    with transaction.atomic():
        run = AnalysisRun.objects.select_for_update(no_key=True).filter(pk=run_id).first()
        if run is None:
            return "gone"
        if run.state == AnalysisState.DONE:
            return AnalysisState.DONE
        if dispatch is not None and dispatch != run.dispatch:
            return SUPERSEDED
        run.state = AnalysisState.RUNNING
        run.attempts += 1
        run.started_at = timezone.now()
        run.worker = (self.request.hostname or "")[:200]
        run.save(update_fields=["state", "attempts", "started_at", "worker"])
        inputs = run.inputs
    jobs.fault_injection_pause_for_tests()
    try:
        # Statistics first (issue #16): the run is done and shown before any plot is drawn.
        outcome = study_analysis.analyse_study(StudyInputs.from_json(inputs), with_plots=False)
    except OperationalError:
        raise
    except Exception as exc:  # stored for the clinician; the page offers a retry
        logger.exception("sced analysis %s failed", run_id)
        AnalysisRun.objects.filter(pk=run_id).exclude(state=AnalysisState.DONE).update(
            state=AnalysisState.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        return AnalysisState.FAILED
    with transaction.atomic():
        run = AnalysisRun.objects.select_for_update(no_key=True).filter(pk=run_id).first()
        if run is None:
            return "gone"
        if run.state == AnalysisState.DONE:
            return AnalysisState.DONE  # another delivery finished first
        run.results = outcome.results
        run.state = AnalysisState.DONE
        run.error = ""
        run.finished_at = timezone.now()
        run.save(update_fields=["results", "state", "error", "finished_at"])
        if run.plots_state != PlotsState.READY:
            enqueue_plots(run)
    return AnalysisState.DONE


def enqueue_plots(run: AnalysisRun) -> None:
    """Send the plot job of a done run after the commit that stored its statistics."""
    jobs.enqueue_on_commit(
        render_plots,
        (run.pk, run.plots_dispatch),
        on_failure=partial(_plots_not_enqueued, run.pk, run.plots_dispatch),
    )


def _plots_not_enqueued(run_id: int, dispatch: int, exc: BaseException) -> None:
    # The statistics are stored; the graphs wait for a retry (the page offers one).
    AnalysisRun.objects.filter(
        pk=run_id, plots_dispatch=dispatch, plots_state=PlotsState.PENDING
    ).update(plots_state=PlotsState.FAILED, plots_error=f"{type(exc).__name__}: {exc}"[:2000])


@shared_task(
    bind=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
)
def render_plots(self, run_id: int, dispatch: int | None = None) -> str:
    """Draw the plots of a done run once (issue #16) and store them with it.

    The run is named by the hash of its inputs (options included), so its plots are the cache
    of that input: a run whose plots are ready is left alone, and a message of an earlier
    ``plots_dispatch`` does nothing. Only the PNG the page shows is drawn here; the SVG
    download is drawn on first request (sced.services.plot_image). Plots already stored
    (a redelivery after a partial write) are kept, not stored twice. A failure is stored in
    ``plots_error`` and the page offers a retry; the statistics stay shown.
    """
    with transaction.atomic():
        run = AnalysisRun.objects.select_for_update(no_key=True).filter(pk=run_id).first()
        if run is None:
            return "gone"
        if run.state != AnalysisState.DONE or run.plots_state == PlotsState.READY:
            return run.plots_state
        if dispatch is not None and dispatch != run.plots_dispatch:
            return SUPERSEDED
        run.plots_state = PlotsState.DRAWING
        run.save(update_fields=["plots_state"])
        inputs = run.inputs
        stored = set(AnalysisPlot.objects.filter(run=run).values_list("measure_id", "kind"))
    try:
        drawn = [
            (measure_id, kind, img)
            for measure_id, kind, img in study_analysis.analyse_study(
                StudyInputs.from_json(inputs), plot_formats=("png",)
            ).plots
            if (measure_id, kind) not in stored
        ]
    except OperationalError:
        raise
    except Exception as exc:  # stored for the clinician; the page offers a retry
        logger.exception("sced plots of run %s failed", run_id)
        AnalysisRun.objects.filter(pk=run_id).exclude(plots_state=PlotsState.READY).update(
            plots_state=PlotsState.FAILED, plots_error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        return PlotsState.FAILED
    with transaction.atomic():
        run = AnalysisRun.objects.select_for_update(no_key=True).filter(pk=run_id).first()
        if run is None:
            return "gone"
        if run.plots_state == PlotsState.READY:
            return PlotsState.READY  # another delivery finished first
        AnalysisPlot.objects.bulk_create(
            (
                AnalysisPlot(run=run, measure_id=measure_id, kind=kind, png=img["png"])
                for measure_id, kind, img in drawn
            ),
            ignore_conflicts=True,
        )
        run.plots_state = PlotsState.READY
        run.plots_error = ""
        run.save(update_fields=["plots_state", "plots_error"])
    return PlotsState.READY


@worker_process_init.connect
def _warm_matplotlib(**_: object) -> None:
    """Each worker process draws one tiny figure at start, so the first job does not pay for
    matplotlib's font loading and backend set-up (issue #16); the import itself happens when
    the worker imports this module."""
    sced_plots.warm_up()


@shared_task(name="sced.sweep_analysis_runs", acks_late=False, ignore_result=True)
def sweep_analysis_runs() -> dict[str, list[int]]:
    """Celery beat, every ANALYSIS_SWEEP_SECONDS: send again the analysis runs nobody works on
    (sced.services.analysis_sweep). Safe to run twice at once: each run is locked and re-checked."""
    swept = services.analysis_sweep(alive_workers=jobs.alive_workers())
    if swept:
        logger.warning("sced analysis sweep sent again: %s", swept)
    return swept
