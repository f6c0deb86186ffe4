"""PMP pages. Each view: access (programme_view + a selector scoped by programmes_run_by, or
patient_view for the clinician's referral), a form, one service or selector, render."""

from __future__ import annotations

import csv
from datetime import date
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from assessment import selectors as assessment_selectors
from painclinic import audit, concurrency
from painclinic.access import programme_view
from painclinic.form_save import save_form
from painclinic.models import AuditAction
from patients.access import patient_view
from patients.models import Episode, Patient
from programmes import outcomes, policy, selectors, services
from programmes.forms import (
    ClimateForm,
    CohortForm,
    OutcomeForm,
    ReferForm,
    ScreeningForm,
    SessionForm,
    StaffForm,
    TransitionForm,
    WindowsForm,
)
from programmes.models import Enrolment, EnrolmentState, Programme, ProgrammeSession
from programmes.policy import programmes_open_to_referral

if TYPE_CHECKING:
    from patients.models import Patient


@require_http_methods(["GET"])
@programme_view
def programme_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "programmes/programme_list.html",
        {"programmes": selectors.programmes_for(request.user)},
    )


@require_http_methods(["GET", "POST"])
@programme_view
def cohort_create(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = selectors.programme_for(request.user, programme_id)
    form = CohortForm(request.POST or None, programme=programme)
    if request.method == "POST" and form.is_valid():
        try:
            cohort = services.cohort_create(
                actor=request.user, programme=programme, data=form.cleaned_data
            )
        except ValidationError as error:  # e.g. the same name saved a moment ago
            form.add_error(None, error)
        else:
            messages.success(request, _("Cohort created."))
            return redirect("programmes:cohort", cohort_id=cohort.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "programmes/cohort_form.html",
        {"form": form, "programme": programme},
        status=status,
    )


def _cohort_forms(cohort) -> dict:
    return {
        "staff_form": StaffForm(action=reverse("programmes:staff_add", args=[cohort.pk])),
        "session_form": SessionForm(
            cohort=cohort, action=reverse("programmes:sessions_add", args=[cohort.pk])
        ),
    }


def _render_cohort(request, cohort, status=200, **forms) -> HttpResponse:
    context = {"cohort": cohort, **selectors.cohort_overview(cohort), **_cohort_forms(cohort)}
    context.update(forms)
    shown = [row.enrolment for row in context["rows"]] + list(context["waiting"])
    context["needs_review"] = assessment_selectors.patients_needing_clinical_review(
        e.patient_id for e in shown
    )
    _audit_participants_shown(request, cohort, shown)
    return render(request, "programmes/cohort_detail.html", context, status=status)


def _audit_participants_shown(request, cohort, enrolments) -> None:
    """A page that lists participants (names, attendance, dose) shows part of each record: one
    VIEW event per patient, in one INSERT (issue #2: every view of patient-scoped data)."""
    patients = [getattr(e, "patient", None) for e in enrolments]
    audit.record_event_for_patients(
        actor=request.user,
        action=AuditAction.VIEW,
        patients=[p for p in patients if p is not None],
        obj=cohort,
    )


@require_http_methods(["GET"])
@programme_view
def cohort_detail(request: HttpRequest, cohort_id: int) -> HttpResponse:
    return _render_cohort(request, selectors.cohort_for(request.user, cohort_id))


@require_POST
@programme_view
def staff_add(request: HttpRequest, cohort_id: int) -> HttpResponse:
    cohort = selectors.cohort_for(request.user, cohort_id)
    form = StaffForm(request.POST, action=reverse("programmes:staff_add", args=[cohort.pk]))
    if form.is_valid():
        services.staff_add(actor=request.user, cohort=cohort, **form.cleaned_data)
        messages.success(request, _("Added to the roster."))
        return redirect("programmes:cohort", cohort_id=cohort.pk)
    return _render_cohort(request, cohort, status=400, staff_form=form)


@require_POST
@programme_view
def sessions_add(request: HttpRequest, cohort_id: int) -> HttpResponse:
    cohort = selectors.cohort_for(request.user, cohort_id)
    form = SessionForm(
        request.POST, cohort=cohort, action=reverse("programmes:sessions_add", args=[cohort.pk])
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            created = services.sessions_add(
                actor=request.user,
                cohort=cohort,
                first_date=data["first_date"],
                length=data["length"],
                hours=data["hours"],
                components=data["components"],
                title=data["title"],
                weeks=data["weeks"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                ngettext("%(n)s session added.", "%(n)s sessions added.", len(created))
                % {"n": len(created)},
            )
            return redirect("programmes:cohort", cohort_id=cohort.pk)
    return _render_cohort(request, cohort, status=400, session_form=form)


def _session(cohort, session_id) -> ProgrammeSession:
    return get_object_or_404(ProgrammeSession, pk=session_id, cohort=cohort)


@require_http_methods(["GET", "POST"])
@programme_view
def attendance(request: HttpRequest, cohort_id: int, session_id: int) -> HttpResponse:
    cohort = selectors.cohort_for(request.user, cohort_id)
    session = _session(cohort, session_id)
    participants = list(
        cohort.enrolments.filter(state__in=selectors.PARTICIPANTS).select_related("patient")
    )
    error, status = "", 200
    if request.method == "POST":
        present = set(request.POST.getlist("attended"))
        try:
            services.attendance_record(
                actor=request.user,
                session=session,
                marks={e: str(e.pk) in present for e in participants},
            )
        except ValidationError as exc:
            error, status = " ".join(exc.messages), 400
        else:
            messages.success(request, _("Attendance saved."))
            return redirect("programmes:cohort", cohort_id=cohort.pk)
    marked = set(session.attendances.filter(attended=True).values_list("enrolment_id", flat=True))
    _audit_participants_shown(request, cohort, participants)
    return render(
        request,
        "programmes/attendance.html",
        {
            "cohort": cohort,
            "session": session,
            "participants": participants,
            "marked": marked,
            "error": error,
            "in_future": session.date > date.today(),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@programme_view
def climate(request: HttpRequest, cohort_id: int, session_id: int) -> HttpResponse:
    cohort = selectors.cohort_for(request.user, cohort_id)
    session = _session(cohort, session_id)
    participants = cohort.enrolments.filter(state__in=selectors.PARTICIPANTS).select_related(
        "patient"
    )
    action = reverse("programmes:climate", args=[cohort.pk, session.pk])
    form = ClimateForm(request.POST or None, participants=participants, action=action)
    if request.method == "POST" and form.is_valid():
        try:
            services.climate_record(
                actor=request.user,
                session=session,
                enrolment=form.cleaned_data["enrolment"],
                answers=form.answers(),
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("GCQ-S saved."))
            return redirect("programmes:cohort", cohort_id=cohort.pk)
    status = 400 if request.method == "POST" else 200
    # The page names the participants (in the picker and the list of those already rated).
    _audit_participants_shown(request, cohort, participants)
    return render(
        request,
        "programmes/climate_form.html",
        {
            "cohort": cohort,
            "session": session,
            "form": form,
            "in_future": session.date > date.today(),
            "recorded": session.climate_ratings.select_related(
                "enrolment__patient", "recorded_by"
            ).order_by("enrolment__patient__family_name"),
        },
        status=status,
    )


def _gate_error(form, exc: ValidationError) -> None:
    """The safety gate's refusal (issue #10) is shown with the form; the reason box keeps it."""
    if hasattr(exc, "error_dict") and "override_reason" in exc.error_dict:
        form.add_error(None, " ".join(exc.message_dict["override_reason"]))
    else:
        form.add_error(None, exc)


def _gate(request, patient, form_id: str) -> dict:
    """An open red-flag referral as the page shows it: in full to the care team, to others only
    as "needs clinical review before the next session" (programmes/_safety_gate)."""
    episode = Episode.objects.current_for(patient)
    return {
        "gate": assessment_selectors.safety_gate_status(episode, "pmp"),
        "form_id": form_id,
        "override_reason": request.POST.get("override_reason", ""),
    }


def _enrolment_page(request, enrolment, status=200, **forms) -> HttpResponse:
    cohorts = enrolment.programme.cohorts.all()
    clinical = policy.may_see_clinical(request.user, enrolment.patient)
    context = {
        "enrolment": enrolment,
        "patient": enrolment.patient,
        "age": enrolment.patient.age_on(enrolment.referred_on),
        **selectors.enrolment_detail(enrolment, clinical=clinical),
        "clinical": clinical,
        "may_screen": policy.may_record_screening(request.user, enrolment.patient),
        "screening_form": ScreeningForm(
            action=reverse("programmes:screening", args=[enrolment.pk])
        ),
        "transition_form": TransitionForm(
            current_state=enrolment.state,
            cohorts=cohorts,
            action=reverse("programmes:transition", args=[enrolment.pk]),
            initial={"cohort": enrolment.cohort_id},
        ),
        "outcome_form": OutcomeForm(
            measures=enrolment.programme.measures.all(),
            action=reverse("programmes:outcome", args=[enrolment.pk]),
        ),
        "can_screen": enrolment.state in (EnrolmentState.REFERRED, EnrolmentState.SCREENED),
        **_gate(request, enrolment.patient, "transition-form"),
    }
    context.update(forms)
    context["transition_form"].helper.form_id = "transition-form"
    # The page shows who the patient is: a PMP-level view of the record, audited as such.
    if not audit.patient_audited_in_request(enrolment.patient_id):
        audit.record_event(
            actor=request.user, action=AuditAction.VIEW, patient=enrolment.patient, obj=enrolment
        )
    return render(request, "programmes/enrolment_detail.html", context, status=status)


@require_http_methods(["GET"])
@programme_view
def enrolment_detail(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    return _enrolment_page(request, selectors.enrolment_for(request.user, enrolment_id))


@require_POST
@programme_view
def screening(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    enrolment = selectors.enrolment_for(request.user, enrolment_id)
    form = ScreeningForm(request.POST, action=reverse("programmes:screening", args=[enrolment.pk]))
    if form.is_valid():
        data = dict(form.cleaned_data)
        screened_on = data.pop("screened_on")
        try:
            services.screening_record(
                actor=request.user, enrolment=enrolment, data=data, screened_on=screened_on
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Screening recorded."))
            return redirect("programmes:enrolment", enrolment_id=enrolment.pk)
    return _enrolment_page(request, enrolment, status=400, screening_form=form)


@require_POST
@programme_view
def transition(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    enrolment = selectors.enrolment_for(request.user, enrolment_id)
    form = TransitionForm(
        request.POST,
        current_state=enrolment.state,
        cohorts=enrolment.programme.cohorts.all(),
        action=reverse("programmes:transition", args=[enrolment.pk]),
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.enrolment_transition(
                actor=request.user,
                enrolment=enrolment,
                to_state=data["to_state"],
                changed_on=data["changed_on"],
                cohort=data["cohort"],
                reason=data["reason"],
                override_reason=request.POST.get("override_reason", ""),
            )
        except ValidationError as exc:
            _gate_error(form, exc)
        else:
            messages.success(request, _("Enrolment updated."))
            return redirect("programmes:enrolment", enrolment_id=enrolment.pk)
    return _enrolment_page(request, enrolment, status=400, transition_form=form)


@require_POST
@programme_view
def outcome(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    enrolment = selectors.enrolment_for(request.user, enrolment_id)
    form = OutcomeForm(
        request.POST,
        measures=enrolment.programme.measures.all(),
        action=reverse("programmes:outcome", args=[enrolment.pk]),
    )
    if form.is_valid():
        try:
            services.outcome_record(actor=request.user, enrolment=enrolment, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Score saved."))
            return redirect("programmes:enrolment", enrolment_id=enrolment.pk)
    return _enrolment_page(request, enrolment, status=400, outcome_form=form)


def _render_outcomes(request, cohort, form=None, status=200, **extra) -> HttpResponse:
    action = reverse("programmes:outcome_windows", args=[cohort.pk])
    data = selectors.cohort_outcomes(cohort, request.user)
    # The page shows the scores of the participants in ``participants`` (those whose clinical
    # record the user may see): each of them is a record view (issue #2). The cohort's
    # aggregate names nobody.
    audit.record_event_for_patients(
        actor=request.user,
        action=AuditAction.VIEW,
        patients=[enrolment.patient for enrolment in data["participants"]],
        obj=cohort,
    )
    return render(
        request,
        "programmes/cohort_outcomes.html",
        {
            "cohort": cohort,
            **data,
            "windows_form": form or WindowsForm(instance=cohort.programme, action=action),
            **extra,
        },
        status=status,
    )


@require_http_methods(["GET"])
@programme_view
def cohort_outcomes(request: HttpRequest, cohort_id: int) -> HttpResponse:
    return _render_outcomes(request, selectors.cohort_for(request.user, cohort_id))


@require_POST
@programme_view
def outcome_windows(request: HttpRequest, cohort_id: int) -> HttpResponse:
    """Change the programme's outcome windows from its cohort's outcome page."""
    cohort = selectors.cohort_for(request.user, cohort_id)
    # A separate copy: a ModelForm writes the typed values onto its instance while validating.
    form = WindowsForm(
        request.POST,
        instance=Programme.objects.get(pk=cohort.programme_id),
        action=reverse("programmes:outcome_windows", args=[cohort.pk]),
    )
    saving = save_form(
        form,
        lambda: services.programme_windows_update(
            actor=request.user,
            programme=cohort.programme,
            data=form.cleaned_data,
            edit_token=concurrency.posted_token(request),
        ),
    )
    if saving.saved:
        messages.success(request, _("Outcome windows saved."))
        return redirect("programmes:outcomes", cohort_id=cohort.pk)
    return _render_outcomes(request, cohort, form=form, status=saving.status, **saving.context())


def _csv_response(filename: str) -> tuple[HttpResponse, Any]:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response, csv.writer(response)


@require_http_methods(["GET"])
@programme_view
def cohort_outcomes_csv(request: HttpRequest, cohort_id: int) -> HttpResponse:
    """The cohort's aggregate per measure and group: names no participant, for everyone who
    runs the programme (issue #9: the programme admin gets the aggregate)."""
    cohort = selectors.cohort_for(request.user, cohort_id)
    data = selectors.cohort_outcomes(cohort, request.user)
    response, writer = _csv_response(f"cohort-{cohort.pk}-outcomes-summary.csv")
    writer.writerow(
        [
            "measure",
            "group",
            "with_both_scores",
            "without_both_scores",
            "reliably_improved",
            "no_reliable_change",
            "reliably_deteriorated",
            "improved_percent",
            "improved_95ci",
            "deteriorated_percent",
            "deteriorated_95ci",
            "rci_parameters",
            "note",
        ]
    )
    for table in data["tables"]:
        for group in table["groups"]:
            counts = group["counts"]
            if group["suppressed"]:  # a group of 1 or 2: their own results (selectors._hidden)
                writer.writerow(
                    [table["measure"].label, group["name"], *[""] * 10, group["suppressed"]]
                )
                continue
            improved = counts.rate(outcomes.RELIABLY_IMPROVED)
            worse = counts.rate(outcomes.RELIABLY_DETERIORATED)
            writer.writerow(
                [
                    table["measure"].label,
                    group["name"],
                    counts.classified,
                    counts.not_available,
                    counts.improved,
                    counts.no_change,
                    counts.deteriorated,
                    improved.percent if counts.classified else "",
                    improved.interval_text if counts.classified else "",
                    worse.percent if counts.classified else "",
                    worse.interval_text if counts.classified else "",
                    table["spec"].parameters_source or table["spec"].no_parameters_reason,
                    "",
                ]
            )
    audit.record_event(
        actor=request.user, action=AuditAction.EXPORT, obj=cohort, changed_fields=["summary"]
    )
    return response


@require_http_methods(["GET"])
@programme_view
def cohort_participants_csv(request: HttpRequest, cohort_id: int) -> HttpResponse:
    """Each participant's scores: only the participants whose clinical record the user may see
    (their care team, their team lead), each export audited for that patient."""
    cohort = selectors.cohort_for(request.user, cohort_id)
    data = selectors.cohort_outcomes(cohort, request.user)
    if not data["participants"]:
        raise PermissionDenied(policy.NOT_ON_CARE_TEAM)
    response, writer = _csv_response(f"cohort-{cohort.pk}-participant-outcomes.csv")
    points = ("pre", "post", "follow_up")
    writer.writerow(
        [
            "identifier",
            "enrolment_state",
            "measure",
            *[name for p in points for name in (p, f"{p}_date", f"{p}_source")],
            "rc_post",
            "change_post",
            "rc_follow_up",
            "change_follow_up",
            "rci_parameters",
            "not_available_reason",
        ]
    )
    for table in data["tables"]:
        for row in table["rows"]:
            values = row["values"]
            cells = []
            for p in points:
                v = values.get(p)
                cells += [f"{v.value:g}", v.day.isoformat(), v.source] if v else ["", "", ""]
            writer.writerow(
                [
                    row["enrolment"].patient.identifier,
                    row["enrolment"].get_state_display(),
                    table["measure"].label,
                    *cells,
                    "" if row["post"].rc is None else f"{row['post'].rc:.2f}",
                    row["post"].label,
                    "" if row["follow_up"].rc is None else f"{row['follow_up'].rc:.2f}",
                    row["follow_up"].label,
                    table["spec"].parameters_source,
                    row["post"].reason,
                ]
            )
    services.cohort_export_audit(
        actor=request.user, cohort=cohort, patients=[e.patient for e in data["participants"]]
    )
    return response


def _render_refer(request, patient, form, status=200, screening_forms=None) -> HttpResponse:
    referrals = list(
        Enrolment.objects.filter(patient=patient)
        .select_related("programme", "cohort")
        .prefetch_related("screenings__screened_by")
    )
    may_screen = policy.may_record_screening(request.user, patient)
    screening_forms = screening_forms or {}
    rows = []
    for e in referrals:
        screenable = may_screen and e.state in (EnrolmentState.REFERRED, EnrolmentState.SCREENED)
        action = reverse("programmes:refer_screening", args=[patient.pk, e.pk])
        screenings = list(e.screenings.all())  # newest first (model ordering)
        rows.append(
            {
                "enrolment": e,
                # The refer page is the clinical record's (patient_view): the whole result.
                "screening": screenings[0] if screenings else None,
                "screening_form": screening_forms.get(e.pk, ScreeningForm(action=action))
                if screenable
                else None,
            }
        )
    form.helper.form_id = "refer-form"
    return render(
        request,
        "programmes/refer.html",
        {
            "patient": patient,
            "form": form,
            "referrals": rows,
            "clinical": True,  # the refer page is the clinical record's (patient_view)
            **_gate(request, patient, "refer-form"),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@patient_view(write=True)
def refer(request: HttpRequest, patient: Patient) -> HttpResponse:
    """A clinician on the care team refers the patient to a PMP, and screens the referral."""
    action = reverse("programmes:refer", kwargs={"patient_id": patient.pk})
    form = ReferForm(
        request.POST or None, programmes=programmes_open_to_referral(patient), action=action
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.enrolment_refer(
                actor=request.user,
                patient=patient,
                programme=form.cleaned_data["programme"],
                referred_on=form.cleaned_data["referred_on"],
                override_reason=request.POST.get("override_reason", ""),
            )
        except ValidationError as exc:
            _gate_error(form, exc)
        else:
            messages.success(request, _("Referred to the programme."))
            return redirect("patients:detail", patient_id=patient.pk)
    status = 400 if request.method == "POST" else 200
    return _render_refer(request, patient, form, status=status)


@require_POST
@patient_view(write=True)
def refer_screening(request: HttpRequest, patient: Patient, enrolment_id: int) -> HttpResponse:
    """The suitability screening, recorded by a clinician with the patient's record open."""
    enrolment = get_object_or_404(
        Enrolment.objects.select_related("patient", "programme"), pk=enrolment_id, patient=patient
    )
    action = reverse("programmes:refer_screening", args=[patient.pk, enrolment.pk])
    form = ScreeningForm(request.POST, action=action)
    if form.is_valid():
        data = dict(form.cleaned_data)
        screened_on = data.pop("screened_on")
        try:
            services.screening_record(
                actor=request.user, enrolment=enrolment, data=data, screened_on=screened_on
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Screening recorded."))
            return redirect("programmes:refer", patient_id=patient.pk)
    refer_form = ReferForm(
        programmes=programmes_open_to_referral(patient),
        action=reverse("programmes:refer", kwargs={"patient_id": patient.pk}),
    )
    return _render_refer(
        request, patient, refer_form, status=400, screening_forms={enrolment.pk: form}
    )
