"""Celery jobs of the treatment app: thin, idempotent, enqueued on commit (shared/STYLE.md §3.5)."""

from __future__ import annotations

from celery import shared_task
from celery.signals import worker_process_init
from django.db import OperationalError

from patients.models import Patient


@shared_task(
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=3,
    ignore_result=True,
)
def prerender_charts(patient_id: str) -> int:
    """Draw the patient's treatment charts that are not in the chart cache yet (plots queue,
    issue #16). Idempotent: a chart is keyed by a hash of its data, so a second run (a
    redelivery, two saves in a row) finds it drawn and draws nothing. A patient who is gone:
    nothing to do. Returns how many charts the patient has (for logs and tests)."""
    # Imported here: treatment.services enqueues this task, and figures -> selectors imports
    # treatment.services (a cycle at module level). The worker imports it once, at start
    # (warm_up below), so no job pays for it.
    from treatment import figures

    patient = Patient.objects.filter(pk=patient_id).first()
    if patient is None:
        return 0
    return len(figures.prerender(patient))


@worker_process_init.connect
def warm_up(**_: object) -> None:
    """Each worker process imports the chart code (matplotlib) at start, not in its first job."""
    from treatment import figures  # noqa: F401  (the cycle above)
