"""Celery jobs of the SCED app: thin, idempotent, enqueued on commit (shared/STYLE.md §3.5)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import OperationalError, transaction
from django.utils import timezone

from sced.models import AnalysisPlot, AnalysisRun, AnalysisState

logger = logging.getLogger(__name__)


@shared_task(
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
)
def run_analysis(run_id: int) -> str:
    """Compute and store the analysis ``run_id`` names.

    Idempotent: a run that is gone or DONE is left alone; a RUNNING run (a redelivery after a
    worker died, acks_late) is computed again. Results are written in one transaction that
    re-checks the state under a row lock, so two deliveries racing store one result.
    A statistic that is "not defined" is part of the results, not a failure; any other
    exception marks the run FAILED with its text. Only OperationalError (the database going
    away) is retried. Returns the final state (for logs and tests).
    """
    from sced.study_analysis import analyse_study

    with transaction.atomic():
        run = AnalysisRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None:
            return "gone"
        if run.state == AnalysisState.DONE:
            return AnalysisState.DONE
        run.state = AnalysisState.RUNNING
        run.attempts += 1
        run.started_at = timezone.now()
        run.save(update_fields=["state", "attempts", "started_at"])
        inputs = run.inputs
    try:
        results, plots = analyse_study(inputs)
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
            for measure_id, kind, img in plots
        )
        run.results = results
        run.state = AnalysisState.DONE
        run.error = ""
        run.finished_at = timezone.now()
        run.save(update_fields=["results", "state", "error", "finished_at"])
    return AnalysisState.DONE
