"""Pages of the safety app: the patient's safety page (signals, responses, plan), recording a
response, the safety plan and its print page, and the user's notifications. Thin: every write is
a service; every patient page goes through ``patient_view`` (patients/access.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from painclinic.access import authenticated_view
from patients.access import patient_view
from patients.models import Patient
from safety import selectors, services
from safety.forms import RaiseSignalForm, SafetyAssessmentForm, SafetyPlanForm
from safety.services import PLAN_FIELDS

if TYPE_CHECKING:
    from patients.models import Patient


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@require_GET
@patient_view()
def patient_safety(request: HttpRequest, patient: Patient) -> HttpResponse:
    return render(
        request,
        "safety/patient_safety.html",
        {"patient": patient, **selectors.patient_safety(patient)},
    )


@require_http_methods(["GET", "POST"])
@patient_view(write=True)
def signal_raise(request: HttpRequest, patient: Patient) -> HttpResponse:
    form = RaiseSignalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.signal_raise_by_clinician(
                actor=request.user, patient=patient, note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request, _("Concern recorded: it stays on the record until a response is recorded.")
            )
            return redirect("safety:patient", patient_id=patient.pk)
    status = 400 if form.errors else 200
    return render(
        request, "safety/signal_form.html", {"patient": patient, "form": form}, status=status
    )


@require_http_methods(["GET", "POST"])
@patient_view(write=True)
def assessment_record(request: HttpRequest, patient: Patient) -> HttpResponse:
    form = SafetyAssessmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.safety_assessment_record(
                actor=request.user, patient=patient, data=form.cleaned_data
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Safety assessment recorded."))
            return redirect("safety:patient", patient_id=patient.pk)
    status = 400 if form.errors else 200
    return render(
        request,
        "safety/assessment_form.html",
        {"patient": patient, "form": form, "open_signals": selectors.open_signals(patient)},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@patient_view(write=True)
def plan_edit(request: HttpRequest, patient: Patient) -> HttpResponse:
    current = selectors.patient_safety(patient)["plan"]
    version = current.version if current else 0
    initial = {"expected_version": version}
    if current:
        initial.update({f: getattr(current, f) for f in PLAN_FIELDS})
    form = SafetyPlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {f: form.cleaned_data.get(f) for f in PLAN_FIELDS}
        data.update({f: data[f] or "" for f in PLAN_FIELDS if f != "review_date"})
        try:
            plan = services.safety_plan_save(
                actor=request.user,
                patient=patient,
                data=data,
                expected_version=form.cleaned_data["expected_version"],
                change_reason=form.cleaned_data.get("change_reason") or "",
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request, _("Safety plan saved as version %(v)s.") % {"v": plan.version}
            )
            return redirect("safety:patient", patient_id=patient.pk)
    status = 400 if form.errors else 200
    return render(
        request,
        "safety/plan_form.html",
        {"patient": patient, "form": form, "current": current},
        status=status,
    )


@require_GET
@patient_view()
def plan_print(request: HttpRequest, patient: Patient, version: int) -> HttpResponse:
    plan = selectors.plan_version(patient, version)
    if plan is None:
        raise Http404
    services.plan_export(actor=request.user, plan=plan)
    return render(
        request,
        "safety/plan_print.html",
        {"patient": patient, "plan": plan, "print_page": True},
    )


@require_GET
@authenticated_view
def notifications(request: HttpRequest) -> HttpResponse:
    items = list(selectors.notifications_for(request.user)[:100])
    services.notifications_viewed(actor=request.user, notifications=items)
    return render(request, "safety/notifications.html", {"notifications": items})


@require_POST
@authenticated_view
def notifications_read(request: HttpRequest) -> HttpResponse:
    raw = request.POST.get("notification")
    try:
        notification_id = int(raw) if raw else None
    except ValueError:
        notification_id = None
    services.notification_mark_read(user=request.user, notification_id=notification_id)
    target = request.POST.get("next_patient")
    if target and notification_id:
        note = selectors.notifications_for(request.user).filter(pk=notification_id).first()
        if note and note.patient_id:
            return redirect("safety:patient", patient_id=note.patient_id)
    return redirect("safety:notifications")
