"""Medicines pages. Each view: access through the policy, a form, one service or selector, render.
Objects under a patient are fetched scoped to that patient (404 otherwise)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from medicines import figures, selectors, services
from medicines.forms import (
    MedicationChangeForm,
    MedicationForm,
    NaloxoneForm,
    TaperPlanForm,
    TaperStepForm,
    _apply,
)
from painclinic import audit, concurrency
from painclinic.access import team_lead_view
from painclinic.models import AuditAction
from patients.access import patient_view

if TYPE_CHECKING:
    from painclinic.chart_cache import Chart
    from patients.models import Patient


def _url(name: str, patient: Patient, **kwargs) -> str:
    return reverse(f"medicines:{name}", kwargs={"patient_id": patient.pk, **kwargs})


def _page(request, patient, status=200, **extra) -> HttpResponse:
    context = {"patient": patient, **selectors.medicines_page(patient), **extra}
    context.setdefault("naloxone_form", NaloxoneForm())
    return render(request, "medicines/list.html", context, status=status)


@require_GET
@patient_view()
def medicine_list(request: HttpRequest, patient: Patient) -> HttpResponse:
    return _page(request, patient)


@require_http_methods(["GET", "POST"])
@patient_view(write=True)
def medication_add(request: HttpRequest, patient: Patient) -> HttpResponse:
    form = MedicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.medication_add(actor=request.user, patient=patient, data=form.cleaned_data)
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(request, _("The medication is recorded."))
            return redirect(_url("list", patient))
    status = 400 if form.errors else 200
    return render(
        request,
        "medicines/medication_form.html",
        {"patient": patient, "form": form, "medication": None},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@patient_view(write=True)
def medication_change(request: HttpRequest, patient: Patient, medication_id: int) -> HttpResponse:
    medication = selectors.medication_for(patient, medication_id)
    current = medication.versions.order_by("-version").first()
    conflict = None
    if request.method == "POST":
        form = MedicationChangeForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.medication_change(
                    actor=request.user,
                    medication=medication,
                    data=data,
                    effective_from=data["effective_from"],
                    expected_version=data["version"],
                    change_reason=data["change_reason"],
                )
            except services.EditConflict as exc:
                conflict = exc
                posted = concurrency.posted_on_top_of(request, exc.current)
                form = MedicationChangeForm(posted)
                form.is_valid()
                current = exc.current
            except ValidationError as exc:
                _apply(form, exc)
            else:
                messages.success(
                    request, _("The change is recorded; the previous version is kept.")
                )
                return redirect(_url("list", patient))
        status = 409 if conflict else 400
    else:
        form = MedicationChangeForm(initial=MedicationChangeForm.initial_from(current))
        status = 200
    return render(
        request,
        "medicines/medication_form.html",
        {"patient": patient, "form": form, "medication": current, "conflict": conflict},
        status=status,
    )


@require_GET
@patient_view()
def medication_history(request: HttpRequest, patient: Patient, medication_id: int) -> HttpResponse:
    medication = selectors.medication_for(patient, medication_id)
    versions = medication.versions.select_related("recorded_by").order_by("-version")
    return render(
        request,
        "medicines/history.html",
        {"patient": patient, "medication": medication, "versions": versions},
    )


@require_POST
@patient_view(write=True)
def naloxone(request: HttpRequest, patient: Patient) -> HttpResponse:
    form = NaloxoneForm(request.POST)
    if form.is_valid():
        services.naloxone_record(actor=request.user, patient=patient, **form.cleaned_data)
        messages.success(request, _("The naloxone offer is recorded."))
        return redirect(_url("list", patient))
    return _page(request, patient, status=400, naloxone_form=form)


@require_POST
@patient_view(write=True)
def ome_recompute(request: HttpRequest, patient: Patient) -> HttpResponse:
    if services.ome_recompute(actor=request.user, patient=patient):
        messages.success(request, _("The daily dose is recomputed with the clinic's table."))
    return redirect(_url("list", patient))


@require_http_methods(["GET", "POST"])
@patient_view(write=True)
def taper_plan(request: HttpRequest, patient: Patient) -> HttpResponse:
    plan = selectors.current_taper(patient)
    conflict = None
    status = 200
    if request.method == "POST":
        form = TaperPlanForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.taper_plan_save(
                    actor=request.user,
                    patient=patient,
                    data=data,
                    expected_version=data["version"],
                    change_reason=data["change_reason"],
                )
            except services.EditConflict as exc:
                conflict = exc
                posted = concurrency.posted_on_top_of(request, exc.current)
                form = TaperPlanForm(posted)
                form.is_valid()
                plan = exc.current
            except ValidationError as exc:
                _apply(form, exc)
            else:
                messages.success(request, _("The taper plan is signed."))
                return redirect(_url("list", patient))
        status = 409 if conflict else 400
    elif plan is not None:
        form = TaperPlanForm(initial=TaperPlanForm.initial_from(plan))
    else:
        figure = selectors.latest_ome(patient)
        form = TaperPlanForm(initial={"version": 0, "start_dose": figure.total if figure else None})
    return render(
        request,
        "medicines/taper_form.html",
        {
            "patient": patient,
            "form": form,
            "plan": plan,
            "conflict": conflict,
            "versions": patient.taper_plans.select_related("signed_by").order_by("-version"),
            **{
                k: v
                for k, v in selectors.with_taper_opioid(
                    patient, selectors.taper_view(patient)
                ).items()
                if k != "taper"
            },
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@patient_view(write=True)
def taper_step(request: HttpRequest, patient: Patient) -> HttpResponse:
    plan = selectors.current_taper(patient)
    if plan is None:
        messages.error(request, _("Plan the taper before recording its steps."))
        return redirect(_url("taper", patient))
    if request.method == "POST":
        form = TaperStepForm(request.POST)
        if form.is_valid():
            try:
                services.taper_step_record(
                    actor=request.user, patient=patient, plan=plan, data=form.cleaned_data
                )
            except ValidationError as exc:
                _apply(form, exc)
            else:
                messages.success(request, _("The taper step is recorded."))
                return redirect(_url("list", patient))
    else:
        last = patient.taper_steps.order_by("-on", "-recorded_at").first()
        form = TaperStepForm(initial={"dose_before": last.dose_after if last else plan.start_dose})
    return render(
        request,
        "medicines/taper_step_form.html",
        {"patient": patient, "form": form, "plan": plan},
        status=400 if form.errors else 200,
    )


def _svg(chart: Chart) -> HttpResponse:
    """A chart from the chart cache (drawn there once per data version, issue #16)."""
    response = HttpResponse(chart.content, content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@patient_view()
def ome_chart(request: HttpRequest, patient: Patient) -> HttpResponse:
    return _svg(figures.ome_chart(patient))


@require_GET
@patient_view()
def ome_outcomes_chart(request: HttpRequest, patient: Patient) -> HttpResponse:
    return _svg(figures.ome_outcomes_chart(patient))


@require_GET
@team_lead_view
def opioid_review(request: HttpRequest) -> HttpResponse:
    rows = selectors.opioid_review(request.user)
    for row in rows:  # the lead saw these patients' medicines: one event each
        audit.record_event(actor=request.user, action=AuditAction.VIEW, patient=row["patient"],
                           object_type="medicines.opioid_review")  # fmt: skip
    context = {"rows": rows, "clinic_threshold": settings.OME_REVIEW_THRESHOLD_MG}
    return render(request, "medicines/opioid_review.html", context)
