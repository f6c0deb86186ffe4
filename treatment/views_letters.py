"""The letters (issue #14): to the GP, at discharge, and to the referrer after a programme. Each
one as a print page and as a PDF of the same template; the content comes from one builder
(treatment/letters.py), the layout from templates/letters/.

Every letter shares the record outside the clinic, so every letter passes the same consent gate
(the patient's consent to share with the GP, issue #10) before anything is built, and every
export, page or PDF, is one EXPORT audit event (services.document_export; the patient_view
decorator adds no VIEW on top of it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET

from painclinic.models import User
from patients.access import patient_view
from patients.models import ConsentKind
from patients.services import consent_require
from programmes import policy as programmes_policy
from programmes import selectors as programmes_selectors
from treatment import documents, letters, services

if TYPE_CHECKING:
    from collections.abc import Callable

    from patients.models import Patient

TEMPLATES = {
    letters.GP: "letters/gp.html",
    letters.DISCHARGE: "letters/discharge.html",
    letters.PMP: "letters/pmp.html",
}
DOCUMENTS = {
    letters.GP: "gp_letter",
    letters.DISCHARGE: "discharge_letter",
    letters.PMP: "pmp_letter",
}


def _actor(request: HttpRequest) -> User:
    """The signed-in user: ``patient_view`` has sent everyone else to the login page."""
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


def _consent_refused(request: HttpRequest, patient: Patient, title: str) -> HttpResponse | None:
    try:
        consent_require(patient, ConsentKind.GP_SHARING)
    except ValidationError as exc:
        # One consent gate for every letter: the template takes the letter's title.
        return render(
            request,
            "treatment/letter_needs_consent.html",
            {"patient": patient, "consent_missing": " ".join(exc.messages), "title": title},
            status=403,
        )
    return None


def _letter(
    request: HttpRequest,
    patient: Patient,
    *,
    kind: str,
    title: str,
    build: Callable[[], letters.Letter],
    pdf: bool,
    pdf_url: str,
) -> HttpResponse:
    refused = _consent_refused(request, patient, title)
    if refused is not None:
        return refused
    letter = build()
    document = DOCUMENTS[kind]
    services.document_export(
        actor=_actor(request), patient=patient, document=f"{document}_pdf" if pdf else document
    )
    context = {"patient": patient, "letter": letter, "pdf_url": pdf_url, "pdf": pdf}
    if not pdf:
        return render(request, TEMPLATES[kind], context)
    html = render_to_string(TEMPLATES[kind], context, request=request)
    data = documents.html_to_pdf(html, base_url=request.build_absolute_uri())
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{document.replace("_", "-")}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


def _gp(request: HttpRequest, patient: Patient, *, pdf: bool) -> HttpResponse:
    return _letter(
        request,
        patient,
        kind=letters.GP,
        title=str(letters.TITLES[letters.GP]),
        build=lambda: letters.gp_letter(patient, _actor(request)),
        pdf=pdf,
        pdf_url=reverse("treatment:gp_letter_pdf", kwargs={"patient_id": patient.pk}),
    )


@require_GET
@patient_view()
def gp_letter(request: HttpRequest, patient: Patient) -> HttpResponse:
    return _gp(request, patient, pdf=False)


@require_GET
@patient_view()
def gp_letter_pdf(request: HttpRequest, patient: Patient) -> HttpResponse:
    return _gp(request, patient, pdf=True)


def _discharge(request: HttpRequest, patient: Patient, discharged_episode_id: int, *, pdf: bool):
    episode = letters.discharged_episode(patient, discharged_episode_id)
    return _letter(
        request,
        patient,
        kind=letters.DISCHARGE,
        title=str(letters.TITLES[letters.DISCHARGE]),
        build=lambda: letters.discharge_letter(patient, episode, _actor(request)),
        pdf=pdf,
        pdf_url=reverse(
            "treatment:discharge_letter_pdf",
            kwargs={"patient_id": patient.pk, "discharged_episode_id": episode.pk},
        ),
    )


@require_GET
@patient_view()
def discharge_letter(
    request: HttpRequest, patient: Patient, discharged_episode_id: int
) -> HttpResponse:
    return _discharge(request, patient, discharged_episode_id, pdf=False)


@require_GET
@patient_view()
def discharge_letter_pdf(
    request: HttpRequest, patient: Patient, discharged_episode_id: int
) -> HttpResponse:
    return _discharge(request, patient, discharged_episode_id, pdf=True)


def _pmp(request: HttpRequest, patient: Patient, participant_id: int, *, pdf: bool):
    # The letter holds the participant's own scores: the programme level of the policy asks for
    # the clinical record (a programme admin sees the cohort's aggregate only, issue #9).
    if not programmes_policy.may_see_clinical(request.user, patient):
        raise Http404
    enrolment = programmes_selectors.enrolment_of_patient(patient, participant_id)
    return _letter(
        request,
        patient,
        kind=letters.PMP,
        title=str(letters.TITLES[letters.PMP]),
        build=lambda: letters.pmp_letter(patient, enrolment, _actor(request)),
        pdf=pdf,
        pdf_url=reverse(
            "treatment:pmp_letter_pdf",
            kwargs={"patient_id": patient.pk, "participant_id": enrolment.pk},
        ),
    )


@require_GET
@patient_view()
def pmp_letter(request: HttpRequest, patient: Patient, participant_id: int) -> HttpResponse:
    return _pmp(request, patient, participant_id, pdf=False)


@require_GET
@patient_view()
def pmp_letter_pdf(request: HttpRequest, patient: Patient, participant_id: int) -> HttpResponse:
    return _pmp(request, patient, participant_id, pdf=True)
