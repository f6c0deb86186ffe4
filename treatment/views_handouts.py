"""The patient's own documents (issue #14): the handout "My plan for living well with pain" and
the patient's summary "Summary of my care", each as a print page and as a PDF of the same
template, in the patient's language (views.patient_document_language; ``?language=en-gb`` for the
clinic's). Access through the policy (``patient_view``); each export audited once (through
views._document, as the other printable documents are). The reads are in treatment/handouts.py,
the fixed texts in treatment/handout_texts.py."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import translation
from django.views.decorators.http import require_GET

from patients.access import patient_view
from treatment import handouts
from treatment.views import _document, patient_document_language

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

    from patients.models import Patient


def _handout(request, patient, *, pdf) -> HttpResponse:
    # The reads too run in the document's language: they format dates and fill in texts.
    with translation.override(patient_document_language(request, patient)):
        return _document(
            request,
            patient,
            document="handout",
            template="treatment/handout_print.html",
            context={"patient": patient, **handouts.handout(patient)},
            pdf=pdf,
        )


def _patient_summary(request, patient, *, pdf) -> HttpResponse:
    with translation.override(patient_document_language(request, patient)):
        return _document(
            request,
            patient,
            document="summary",
            template="treatment/summary_print.html",
            context={"patient": patient, **handouts.patient_summary(patient)},
            pdf=pdf,
        )


@require_GET
@patient_view()
def handout(request: HttpRequest, patient: Patient) -> HttpResponse:
    return _handout(request, patient, pdf=False)


@require_GET
@patient_view()
def handout_pdf(request: HttpRequest, patient: Patient) -> HttpResponse:
    return _handout(request, patient, pdf=True)


@require_GET
@patient_view()
def summary(request: HttpRequest, patient: Patient) -> HttpResponse:
    return _patient_summary(request, patient, pdf=False)


@require_GET
@patient_view()
def summary_pdf(request: HttpRequest, patient: Patient) -> HttpResponse:
    return _patient_summary(request, patient, pdf=True)
