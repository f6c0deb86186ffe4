"""Export pages: thin views over interop.services (access and audit are decided there and in
painclinic.access)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from interop import services
from painclinic.access import authenticated_view, team_lead_view
from patients.access import patient_view

if TYPE_CHECKING:
    from django.http import HttpRequest

    from patients.models import Patient

FHIR_JSON = "application/fhir+json"  # the FHIR JSON media type (R4 http.html#mime-type)


def _download(content: bytes | str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # A record on a shared computer: neither the browser nor a proxy keeps a copy.
    response["Cache-Control"] = "no-store, private"
    return response


@require_GET
@patient_view()
def patient_fhir_export(request: HttpRequest, patient: Patient) -> HttpResponse:
    bundle = services.export_patient_bundle(request.user, patient)
    name = slugify(patient.identifier) or "patient"
    filename = f"fhir-record-{name}-{timezone.localdate().isoformat()}.json"
    return _download(json.dumps(bundle, indent=2), f"{FHIR_JSON}; charset=utf-8", filename)


@require_GET
@authenticated_view
def questionnaires_export(request: HttpRequest) -> HttpResponse:
    if not services.may_download_questionnaires(request.user):
        raise PermissionDenied(gettext(services.NOT_A_CLINICIAN))
    bundle = services.export_questionnaires(request.user)
    return _download(
        json.dumps(bundle, indent=2),
        f"{FHIR_JSON}; charset=utf-8",
        f"fhir-questionnaires-{timezone.localdate().isoformat()}.json",
    )


@require_GET
@team_lead_view
def research_export(request: HttpRequest) -> HttpResponse:
    scope = services.research_scope(request.user)
    return render(
        request,
        "interop/research_export.html",
        {
            "included": len(scope.included_patients),
            "studies": len(scope.studies),
            "excluded": scope.excluded_patients,
        },
    )


@require_GET
@team_lead_view
def research_export_download(request: HttpRequest) -> HttpResponse:
    export = services.research_export(request.user)
    return _download(export.content, "application/zip", export.filename)
