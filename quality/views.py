"""Pages of the quality app (issue #13). Each view: access through the policy, a form, one
service or selector, render.

- Supervisor ratings: a clinician reads their own, a team lead those of their teams and records
  new ones (painclinic.access.supervised_teams); a rating out of reach is a 404.
- The alliance chart of one patient: patient-scoped (patients.access.patient_view).
- Outcomes per clinician: team leads only, with the cautions the reference asks for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from painclinic import audit
from painclinic.access import authenticated_view, may_supervise, team_lead_view
from painclinic.models import AuditAction
from patients.access import patient_view
from quality import charts, scales, selectors, services
from quality.forms import SupervisorRatingForm

if TYPE_CHECKING:
    from patients.models import Patient

NO_RUPTURE_CUE = _(
    "No rupture cue is drawn: there is no published figure for how much this questionnaire's "
    "total varies by chance, so a fall cannot be called reliable. Look for sudden drops and "
    "ask the patient about them."
)


@require_GET
@authenticated_view
def ratings(request: HttpRequest) -> HttpResponse:
    rows = list(selectors.ratings_visible_to(request.user)[:200])
    return render(
        request,
        "quality/ratings.html",
        {
            "ratings": rows,
            "may_supervise": may_supervise(request.user),
            "scales": scales.SCALES.values(),
        },
    )


@require_http_methods(["GET", "POST"])
@team_lead_view
def rating_new(request: HttpRequest, scale: str) -> HttpResponse:
    if scale not in scales.SCALES:
        raise Http404
    definition = scales.get(scale)
    form = SupervisorRatingForm(
        request.POST or None,
        scale=definition,
        clinicians=selectors.supervisable_clinicians(request.user),
        contacts=selectors.recent_contacts_of_team(request.user),
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                rating = services.supervisor_rating_record(
                    actor=request.user,
                    clinician=form.cleaned_data["clinician"],
                    scale=scale,
                    values=form.values(),
                    session_date=form.cleaned_data["session_date"],
                    contact=form.cleaned_data["contact"],
                    segment=form.cleaned_data["segment"],
                    feedback=form.cleaned_data["feedback"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Rating recorded."))
                return redirect("quality:rating", rating_id=rating.pk)
        status = 400
    return render(
        request, "quality/rating_form.html", {"form": form, "scale": definition}, status=status
    )


@require_GET
@authenticated_view
def rating_detail(request: HttpRequest, rating_id: int) -> HttpResponse:
    rating = get_object_or_404(selectors.ratings_visible_to(request.user), pk=rating_id)
    definition = scales.get(rating.scale)
    items = [(item, rating.items.get(item.id)) for item in definition.items]
    option_labels = {str(v): label for v, label in definition.options}
    audit.record_event(actor=request.user, action=AuditAction.VIEW, obj=rating)
    return render(
        request,
        "quality/rating_detail.html",
        {
            "rating": rating,
            "scale": definition,
            "items": [(item, option_labels.get(str(value), value)) for item, value in items],
        },
    )


@require_GET
@team_lead_view
def outcomes(request: HttpRequest) -> HttpResponse:
    return render(
        request, "quality/outcomes.html", {"data": selectors.therapist_outcomes(request.user)}
    )


def _alliance_spec(patient: Patient, series) -> dict:
    return {
        "patient": str(patient.pk),
        "title": "Working alliance (WAI-SR), session by session",
        "points": [[p.number, p.total, p.rated, p.rupture] for p in series.points],
        "note": "" if series.smallest_fall is not None else str(NO_RUPTURE_CUE),
    }


@require_GET
@patient_view()
def alliance_page(request: HttpRequest, patient: Patient) -> HttpResponse:
    series = selectors.alliance_series(patient)
    return render(
        request,
        "quality/alliance.html",
        {
            "patient": patient,
            "series": series,
            "no_cue_note": NO_RUPTURE_CUE if series.smallest_fall is None else "",
        },
    )


@require_GET
@patient_view()
def alliance_chart(request: HttpRequest, patient: Patient) -> HttpResponse:
    series = selectors.alliance_series(patient)
    if not series.points:
        return HttpResponse(status=404)
    png, key = charts.cached_alliance_chart(_alliance_spec(patient, series))
    response = HttpResponse(png, content_type="image/png")
    response["ETag"] = f'"{key.rsplit(":", 1)[-1]}"'
    return response
