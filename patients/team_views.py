"""The team lead's caseload review: dashboard, reassignment and review notes (issue #6)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from painclinic import audit
from painclinic.access import can_reassign_patient, clinical_staff, patient_view, team_lead_view
from painclinic.models import User
from patients import services, team_selectors
from patients.models import OPEN_STATUSES, Episode, Patient, ReviewNote
from patients.team_forms import ReassignForm, ReviewFilterForm, ReviewNoteForm, TeamSettingsForm

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

PAGE_SIZE = 25


@require_http_methods(["GET"])
@team_lead_view
def dashboard(request: HttpRequest) -> HttpResponse:
    data = team_selectors.caseload_review(request.user)
    form = ReviewFilterForm(
        request.GET or None, clinicians=[c.clinician for c in data["clinicians"]]
    )
    wanted = form.cleaned_data if form.is_valid() else {}
    page = team_selectors.attention_page(
        data, wanted, wanted.get("sort") or "name", request.GET.get("page"), PAGE_SIZE
    )
    # The attention lists name each patient of the page: one VIEW per episode shown.
    audit.record_views(
        actor=request.user,
        object_type="patients.episode",
        rows=[(row.episode.pk, row.episode.patient_id) for row in page.object_list],
    )
    query = request.GET.copy()
    query.pop("page", None)
    rules = data["rules"]
    settings_form = TeamSettingsForm(
        initial={
            "review_interval_days": rules.review_interval_days,
            "no_improvement_after_weeks": rules.no_improvement_after_weeks,
        },
        action=reverse("team:settings"),
    )
    return render(
        request,
        "patients/team_dashboard.html",
        {
            **data,
            "form": form,
            "page": page,
            "querystring": query.urlencode(),
            "settings_form": settings_form,
            "n_attention": page.paginator.count,
        },
    )


@require_POST
@team_lead_view
def settings(request: HttpRequest) -> HttpResponse:
    form = TeamSettingsForm(request.POST)
    if form.is_valid():
        for team in team_selectors.teams_led_by(request.user):
            services.team_settings_update(actor=request.user, team=team, **form.cleaned_data)
        messages.success(request, _("Review rules saved."))
    else:
        messages.error(request, _("The review rules were not saved: check the numbers."))
    return redirect("team:dashboard")


def _open_episode(patient: Patient) -> Episode | None:
    return (
        Episode.objects.filter(patient=patient, status__in=OPEN_STATUSES)
        .select_related("team", "lead_clinician")
        .first()
    )


def _clinicians(episode: Episode | None):
    """Who may take the episode over: its team's clinical staff (the access policy's rule)."""
    if episode is None:
        return User.objects.none()
    return clinical_staff(episode.team).exclude(pk=episode.lead_clinician_id)


def _page(request, patient, episode, *, status=200, reassign_form=None, note_form=None):
    may_reassign = can_reassign_patient(request.user, patient)
    context = {
        "patient": patient,
        "episode": episode,
        "may_reassign": may_reassign,
        "reassign_form": reassign_form
        or ReassignForm(
            clinicians=_clinicians(episode),
            previous_lead=episode.lead_clinician if episode else None,
            action=reverse("team:reassign", kwargs={"patient_id": patient.pk}),
        ),
        "note_form": note_form
        or ReviewNoteForm(action=reverse("team:note", kwargs={"patient_id": patient.pk})),
        "notes": ReviewNote.objects.filter(episode__patient=patient).select_related(
            "author", "addressed_to", "episode"
        ),
    }
    return render(request, "patients/team_patient.html", context, status=status)


@require_http_methods(["GET", "POST"])
@patient_view(write=True)
def reassign(request: HttpRequest, patient: Patient) -> HttpResponse:
    """Reassign the patient's open episode (team leads); others see the page read-only.

    Two steps: the form, then a confirmation page that says what happens to the current lead
    (stays on the care team, or is removed); only the confirmed POST (``confirm``) reassigns."""
    episode = _open_episode(patient)
    if request.method == "GET":
        return _page(request, patient, episode)
    previous = episode.lead_clinician if episode else None
    form = ReassignForm(
        request.POST,
        clinicians=_clinicians(episode),
        previous_lead=previous,
        action=reverse("team:reassign", kwargs={"patient_id": patient.pk}),
    )
    if episode is not None and form.is_valid() and can_reassign_patient(request.user, patient):
        data = form.cleaned_data
        if "confirm" not in request.POST or "edit" in request.POST:
            if "edit" in request.POST:
                return _page(request, patient, episode, reassign_form=form)
            return render(
                request,
                "patients/team_reassign_confirm.html",
                {"patient": patient, "episode": episode, "form": form, "data": data},
            )
        try:
            services.patient_reassign(
                actor=request.user,
                episode=episode,
                to_clinician=data["to_clinician"],
                note=data["note"],
                keep_previous_lead=not data["remove_previous_lead"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _reassigned_message(patient, previous, data))
            return redirect("team:dashboard")
    elif episode is not None and form.is_valid():
        form.add_error(None, services.REASSIGN_NOT_TEAM_LEAD)
    return _page(request, patient, episode, status=400, reassign_form=form)


def _reassigned_message(patient: Patient, previous: User, data: dict) -> str:
    values = {"patient": patient.full_name, "clinician": data["to_clinician"], "old": previous}
    if data["remove_previous_lead"]:
        return (
            _("%(patient)s is now with %(clinician)s; %(old)s was removed from the care team.")
            % values
        )
    return _("%(patient)s is now with %(clinician)s; %(old)s stays on the care team.") % values


@require_POST
@patient_view(write=True)
def note(request: HttpRequest, patient: Patient) -> HttpResponse:
    episode = _open_episode(patient)
    form = ReviewNoteForm(request.POST)
    if episode is not None and form.is_valid():
        try:
            services.review_note_add(
                actor=request.user, episode=episode, text=form.cleaned_data["text"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Note left for %(c)s.") % {"c": episode.lead_clinician})
            return redirect("team:reassign", patient_id=patient.pk)
    return _page(request, patient, episode, status=400, note_form=form)
