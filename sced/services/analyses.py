"""Analyses: get or create the run of the data in force, retry, sweep; enqueued after commit."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from painclinic import jobs
from sced import selectors, study_analysis
from sced.models import (
    NO_DATA_TO_ANALYSE,
    AnalysisPlot,
    AnalysisRun,
    AnalysisState,
    PlotsState,
    RequeueReason,
    Study,
    store_in_force_findings,
)
from sced.stats.inputs import StudyInputs

if TYPE_CHECKING:
    from painclinic.models import User

from sced import tasks
from sced.services.messages import (
    ANALYSIS_MAX_ATTEMPTS,
    MSG_ANALYSIS_KEPT_STOPPING,
    MSG_PLOTS_RETRY_ONLY_FAILED,
    MSG_RETRY_ONLY_FAILED,
)

# --- analyses --------------------------------------------------------------------------------


def input_hash(inputs: StudyInputs) -> str:
    """The hash that names a run: of the JSON the run stores."""
    return hashlib.sha256(
        json.dumps(inputs.to_json(), sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()


@transaction.atomic
def analysis_request(*, actor: User | None, study: Study) -> AnalysisRun | None:
    """Get or create the analysis of the study's current data and enqueue it after commit.

    Keyed by the hash of its inputs (unique per study), so saving the same data twice, or two
    requests racing, give one run. A run of the same input that failed, could not be enqueued
    or is stuck past its time limit is sent again (issue #15: re-saving must not hit a dead run).
    """
    fresh = (
        Study.objects.prefetch_related("measures__measurements")
        .select_related("draw")
        .get(pk=study.pk)
    )
    inputs = selectors.analysis_inputs(fresh)
    digest = NO_DATA_TO_ANALYSE if inputs is None else input_hash(inputs)
    # The run of the data in force is the one shown (also when it is an earlier run again).
    Study.objects.filter(pk=fresh.pk).update(analysis_input_hash=digest)
    store_in_force_findings(Study.objects.filter(pk=fresh.pk))  # the team review reads it
    if inputs is None:
        return None
    run, created = AnalysisRun.objects.get_or_create(
        study=fresh,
        input_hash=digest,
        defaults={"inputs": inputs.to_json(), "requested_by": actor},
    )
    if created:
        _enqueue(run)
    elif selectors.run_is_stuck(run):
        return analysis_retry(actor=actor, run=run)
    return run


@transaction.atomic
def analysis_retry(*, actor: User | None, run: AnalysisRun) -> AnalysisRun:
    """Send a run again: a failed one, one the job service could not take, or one stuck longer
    than its time limit. Any other run is refused (a double click): it is on its way."""
    run = AnalysisRun.objects.select_for_update(no_key=True).get(pk=run.pk)
    if not selectors.run_is_stuck(run):
        raise ValidationError(gettext(MSG_RETRY_ONLY_FAILED))
    _requeue(run, RequeueReason.RETRY)
    return run


def plots_are_stuck(run: AnalysisRun, now: datetime | None = None) -> bool:
    """The graphs of a done run failed, or wait or draw longer than the task time limit."""
    if run.state != AnalysisState.DONE:
        return False
    if run.plots_state == PlotsState.FAILED:
        return True
    if run.plots_state in (PlotsState.PENDING, PlotsState.DRAWING):
        since = run.finished_at or run.queued_at
        return since < (now or timezone.now()) - selectors.running_stale_after()
    return False


@transaction.atomic
def plots_retry(*, actor: User | None, run: AnalysisRun) -> AnalysisRun:
    """Send the plot job of a done run again (its graphs failed or their job was lost); the
    plots already stored are kept and not drawn again. Anything else is a double click."""
    run = AnalysisRun.objects.select_for_update(no_key=True).get(pk=run.pk)
    if not plots_are_stuck(run):
        raise ValidationError(gettext(MSG_PLOTS_RETRY_ONLY_FAILED))
    _requeue_plots(run)
    return run


def _requeue_plots(run: AnalysisRun) -> None:
    """A new plot dispatch of a locked run: messages of earlier dispatches become no-ops."""
    run.plots_state = PlotsState.PENDING
    run.plots_error = ""
    run.plots_dispatch += 1
    run.save(update_fields=["plots_state", "plots_error", "plots_dispatch"])
    tasks.enqueue_plots(run)


def plot_image(plot: AnalysisPlot, fmt: str) -> bytes:
    """The bytes of a stored plot in ``fmt``. The job draws only the PNG the page shows; the SVG
    (the print download) is drawn on its first request from the run's stored inputs (the same
    input hash gives the same graph) and kept, so it is drawn once (issue #16)."""
    image = getattr(plot, fmt)
    if image is not None:
        return bytes(image)
    run = AnalysisRun.objects.only("id", "inputs").get(pk=plot.run_id)
    drawn = {
        (measure_id, kind): img[fmt]
        for measure_id, kind, img in study_analysis.analyse_study(
            StudyInputs.from_json(run.inputs), plot_formats=(fmt,)
        ).plots
    }
    # Every plot of the run without this format gets it now: one drawing pass serves them all.
    for other in AnalysisPlot.objects.filter(run_id=run.pk, **{f"{fmt}__isnull": True}).only(
        "id", "measure_id", "kind"
    ):
        image_of_other = drawn.get((other.measure_id, other.kind))
        if image_of_other is not None:
            AnalysisPlot.objects.filter(pk=other.pk).update(**{fmt: image_of_other})
    image = drawn.get((plot.measure_id, plot.kind))
    if image is None:  # the inputs no longer give this plot (should not happen: same inputs)
        raise ValueError(f"no {plot.kind} plot for measure {plot.measure_id}")
    return image


def _requeue(run: AnalysisRun, reason: str) -> None:
    """A new dispatch of a locked run: messages of earlier dispatches become no-ops."""
    now = timezone.now()
    run.state = AnalysisState.QUEUED
    run.error = ""
    run.dispatch += 1
    run.queued_at = now
    run.requeued_at = now
    run.requeue_reason = reason
    run.save(
        update_fields=[
            "state",
            "error",
            "dispatch",
            "queued_at",
            "requeued_at",
            "requeue_reason",
        ]
    )
    _enqueue(run)


def _enqueue(run: AnalysisRun) -> None:
    jobs.enqueue_on_commit(
        tasks.run_analysis,
        (run.pk, run.dispatch),
        on_failure=partial(_mark_not_enqueued, run.pk, run.dispatch),
    )


def _mark_not_enqueued(run_id: int, dispatch: int, exc: BaseException) -> None:
    """The broker refused the job (after the values committed): say so and let the sweep send
    it again. Conditional on the dispatch, so a later resend is never overwritten."""
    AnalysisRun.objects.filter(pk=run_id, dispatch=dispatch, state=AnalysisState.QUEUED).update(
        state=AnalysisState.NOT_ENQUEUED, error=f"{type(exc).__name__}: {exc}"[:2000]
    )


def analysis_sweep(
    *, now: datetime | None = None, alive_workers: set[str] | None = None
) -> dict[str, list[int]]:
    """Send again every run that would otherwise wait forever (run by Celery beat every minute,
    ANALYSIS_SWEEP_SECONDS; security.md J4: the database row is the source of truth).

    - not enqueued (the broker was down at save time);
    - queued longer than ANALYSIS_QUEUED_STALE_AFTER_SECONDS (the message was lost, e.g. Redis
      restarted without its append-only file);
    - running past the task time limit, or running for more than ANALYSIS_WORKER_GONE_SECONDS on
      a worker that no longer answers (``alive_workers``: the nodes that answered a ping; None
      when the ping itself failed). A whole worker killed leaves its job "running" until Redis's
      visibility timeout (an hour) without this.

    A run that stopped ANALYSIS_MAX_ATTEMPTS times while running is marked failed instead (a job
    that always hits the time limit must not loop). Each run is re-checked under its row lock,
    so two sweeps racing send it once. Returns the run ids per reason (for logs and tests).
    """
    now = now or timezone.now()
    gone_after = timedelta(seconds=settings.ANALYSIS_WORKER_GONE_SECONDS)
    wanted = (
        Q(state=AnalysisState.NOT_ENQUEUED)
        | Q(state=AnalysisState.QUEUED, queued_at__lt=now - selectors.queued_stale_after())
        | Q(state=AnalysisState.RUNNING, started_at__lt=now - selectors.running_stale_after())
    )
    if alive_workers is not None:
        wanted |= Q(state=AnalysisState.RUNNING, started_at__lt=now - gone_after) & ~Q(
            worker__in=alive_workers
        )
    done: dict[str, list[int]] = {}
    for run_id in AnalysisRun.objects.filter(wanted).order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            run = AnalysisRun.objects.select_for_update(no_key=True).filter(pk=run_id).first()
            if run is None:
                continue
            reason = _sweep_reason(run, now, gone_after, alive_workers)
            if reason is None:
                continue  # it moved on while we looked
            if reason == RequeueReason.WORKER_LOST and run.attempts >= ANALYSIS_MAX_ATTEMPTS:
                run.state = AnalysisState.FAILED
                run.error = gettext(MSG_ANALYSIS_KEPT_STOPPING).format(n=run.attempts)
                run.finished_at = now
                run.save(update_fields=["state", "error", "finished_at"])
                done.setdefault("failed", []).append(run.pk)
                continue
            _requeue(run, reason)
            done.setdefault(reason, []).append(run.pk)
    # Graphs whose job was lost (a worker gone while drawing): sent again, like a retry.
    lost_plots = AnalysisRun.objects.filter(
        state=AnalysisState.DONE,
        plots_state__in=(PlotsState.PENDING, PlotsState.DRAWING),
        finished_at__lt=now - selectors.running_stale_after(),
    )
    for run_id in lost_plots.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            run = AnalysisRun.objects.select_for_update(no_key=True).filter(pk=run_id).first()
            if run is None or not plots_are_stuck(run, now):
                continue
            _requeue_plots(run)
            done.setdefault("plots", []).append(run.pk)
    return done


def _sweep_reason(
    run: AnalysisRun, now: datetime, gone_after: timedelta, alive_workers: set[str] | None
) -> str | None:
    if run.state == AnalysisState.NOT_ENQUEUED:
        return RequeueReason.NOT_ENQUEUED
    if run.state == AnalysisState.QUEUED and run.queued_at < now - selectors.queued_stale_after():
        return RequeueReason.STALE_QUEUE
    if run.state == AnalysisState.RUNNING and run.started_at is not None:
        if run.started_at < now - selectors.running_stale_after():
            return RequeueReason.WORKER_LOST
        if (
            alive_workers is not None
            and run.worker not in alive_workers
            and run.started_at < now - gone_after
        ):
            return RequeueReason.WORKER_LOST
    return None
