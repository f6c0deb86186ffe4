"""Celery jobs of the SCED app: thin, idempotent, enqueued on commit (shared/STYLE.md §3.5)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import OperationalError, transaction
from django.utils import timezone

from painclinic import jobs
from sced import services, study_analysis
from sced.models import AnalysisPlot, AnalysisRun, AnalysisState
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
        run = AnalysisRun.objects.select_for_update().filter(pk=run_id).first()
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
        outcome = study_analysis.analyse_study(StudyInputs.from_json(inputs))
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
        run = AnalysisRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None:
            return "gone"
        if run.state == AnalysisState.DONE:
            return AnalysisState.DONE  # another delivery finished first
        AnalysisPlot.objects.bulk_create(
            AnalysisPlot(run=run, measure_id=measure_id, kind=kind, png=img["png"], svg=img["svg"])
            for measure_id, kind, img in outcome.plots
        )
        run.results = outcome.results
        run.state = AnalysisState.DONE
        run.error = ""
        run.finished_at = timezone.now()
        run.save(update_fields=["results", "state", "error", "finished_at"])
    return AnalysisState.DONE


@shared_task(name="sced.sweep_analysis_runs", acks_late=False, ignore_result=True)
def sweep_analysis_runs() -> dict[str, list[int]]:
    """Celery beat, every ANALYSIS_SWEEP_SECONDS: send again the analysis runs nobody works on
    (sced.services.analysis_sweep). Safe to run twice at once: each run is locked and re-checked."""
    swept = services.analysis_sweep(alive_workers=jobs.alive_workers())
    if swept:
        logger.warning("sced analysis sweep sent again: %s", swept)
    return swept
