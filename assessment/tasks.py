"""Celery jobs of the assessment app: thin, idempotent, enqueued on commit (shared/STYLE.md §3.5)."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from assessment import figures
from patients.models import Patient


@shared_task(
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=3,
    ignore_result=True,
)
def prerender_charts(patient_id: str) -> int:
    """Draw the patient's measure charts that are not in the chart cache yet (plots queue,
    issue #16). Idempotent: a chart is keyed by a hash of its data, so a second run draws
    nothing. A patient who is gone: nothing to do. Returns how many charts the patient has."""
    patient = Patient.objects.filter(pk=patient_id).first()
    if patient is None:
        return 0
    return len(figures.prerender(patient))
