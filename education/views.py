"""Pages of the education app: the patient's education record, recording the education and
behaviour-change techniques of a contact, the curriculum (team lead) and the team's technique
summary (team lead). Thin: writes are services, reads are selectors; every patient page goes
through ``patient_view`` and the lead pages through ``team_lead_view`` (painclinic/access.py)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from education import selectors, services
from education.forms import ContactEducationForm, PeriodForm, TopicChangeForm, TopicForm
from painclinic.access import team_lead_view
from patients.access import patient_view

if TYPE_CHECKING:
    from collections.abc import Mapping

    from patients.models import Patient


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@require_GET
@patient_view()
def patient_education(request: HttpRequest, patient: Patient) -> HttpResponse:
    return render(
        request,
        "education/patient_education.html",
        {"patient": patient, **selectors.patient_education(patient)},
    )


@require_http_methods(["GET", "POST"])
@patient_view(write=True)
def contact_record(request: HttpRequest, patient: Patient, contact_id: int) -> HttpResponse:
    contact = selectors.contact_for(patient, contact_id)
    if contact is None:
        raise Http404
    existing = getattr(contact, "education", None)
    form = ContactEducationForm(
        request.POST if request.method == "POST" else None,
        topics=list(selectors.curriculum()),
        techniques=selectors.techniques(),
    )
    if request.method == "POST" and existing is None and form.is_valid():
        try:
            services.contact_education_record(
                actor=request.user,
                patient=patient,
                contact=contact,
                topics=form.covered(),
                technique_ids=form.technique_ids(),
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Education and techniques recorded for this contact."))
            return redirect("education:patient", patient_id=patient.pk)
    if request.method == "POST" and existing is not None:
        form.add_error(None, gettext(services.ALREADY_RECORDED))
    status = 400 if request.method == "POST" and form.errors else 200
    return render(
        request,
        "education/contact_form.html",
        {"patient": patient, "contact": contact, "form": form, "existing": existing},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@team_lead_view
def curriculum(request: HttpRequest) -> HttpResponse:
    form = TopicForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            topic = services.topic_add(
                actor=request.user,
                title=form.cleaned_data["title"],
                summary=form.cleaned_data["summary"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("“%(t)s” added to the curriculum.") % {"t": topic.title})
            return redirect("education:curriculum")
    status = 400 if form.errors else 200
    return render(
        request,
        "education/curriculum.html",
        {"topics": list(selectors.all_topics()), "form": form},
        status=status,
    )


@require_POST
@team_lead_view
def curriculum_change(request: HttpRequest) -> HttpResponse:
    form = TopicChangeForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "education/curriculum.html",
            {"topics": list(selectors.all_topics()), "form": TopicForm(), "change_form": form},
            status=400,
        )
    topic, action = form.cleaned_data["topic"], form.cleaned_data["action"]
    if action in ("up", "down"):
        services.topic_move(actor=request.user, topic=topic, up=action == "up")
    else:
        services.topic_retire(actor=request.user, topic=topic, retire=action == "retire")
    return redirect("education:curriculum")


@require_GET
@team_lead_view
def technique_summary(request: HttpRequest) -> HttpResponse:
    data: Mapping[str, Any] = request.GET
    if not data:  # the last 90 days, shown in the form so the lead sees the period
        end = date.today()
        data = {"start": (end - timedelta(days=90)).isoformat(), "end": end.isoformat()}
    form = PeriodForm(data)
    summary = None
    if form.is_valid():
        summary = selectors.team_technique_summary(
            request.user, form.cleaned_data["start"], form.cleaned_data["end"]
        )
    return render(
        request,
        "education/technique_summary.html",
        {"form": form, "summary": summary},
        status=200 if summary is not None else 400,
    )
