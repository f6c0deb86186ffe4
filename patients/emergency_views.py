"""Break-glass pages: ask for emergency access to a patient; the team lead's review."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from painclinic.access import authenticated_view, can_break_glass, team_lead_view
from patients import emergency_access
from patients.access import can_view_patient
from patients.emergency_forms import EmergencyAccessForm, EmergencyReviewForm


@require_http_methods(["GET", "POST"])
@authenticated_view
def request_access(request: HttpRequest) -> HttpResponse:
    """Find a patient by identifier and open their record, giving a reason. Only users who may
    break glass reach the search, so it confirms no patient to anyone else (security.md C2)."""
    if not can_break_glass(request.user):
        raise PermissionDenied("Emergency access is for clinicians and team leads.")
    form = EmergencyAccessForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            patient = emergency_access.find_patient(form.cleaned_data["identifier"])
            if patient is None:
                form.add_error("identifier", _("No patient has this identifier."))
            elif can_view_patient(request.user, patient):
                messages.info(request, _("You can already open this record."))
                return redirect("patients:detail", patient_id=patient.pk)
            else:
                try:
                    emergency_access.open_emergency_access(
                        request, patient, form.cleaned_data["reason"]
                    )
                except ValidationError as exc:
                    form.add_error("reason", exc)
                else:
                    return redirect("patients:detail", patient_id=patient.pk)
    return render(
        request,
        "patients/emergency_access.html",
        {"form": form, "settings_hours": settings.BREAK_GLASS_HOURS},
        status=status,
    )


@require_http_methods(["GET"])
@team_lead_view
def review_list(request: HttpRequest) -> HttpResponse:
    grants = list(emergency_access.for_review_by(request.user)[:200])
    return render(
        request,
        "patients/emergency_reviews.html",
        {"grants": grants, "form": EmergencyReviewForm()},
    )


@require_POST
@team_lead_view
def review(request: HttpRequest, grant_id: int) -> HttpResponse:
    grant = emergency_access.for_review_by(request.user).filter(pk=grant_id).first()
    if grant is None:
        raise Http404("No such emergency access.")
    form = EmergencyReviewForm(request.POST)
    if not form.is_valid():
        grants = list(emergency_access.for_review_by(request.user)[:200])
        return render(
            request,
            "patients/emergency_reviews.html",
            {"grants": grants, "form": form, "form_for": grant.pk},
            status=400,
        )
    emergency_access.review(grant, request.user, form.cleaned_data["note"])
    messages.success(request, _("Review recorded."))
    return redirect("team:emergency_reviews")
