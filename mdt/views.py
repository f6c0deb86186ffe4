"""Pages of the MDT case conferences (issue #13): the team's agenda and conferences, preparing a
conference (team lead), recording each patient's discussion, decisions and actions, and the MDT
section of the patient's record. Conferences are fetched through the user's teams (another
team's is a 404); every page that names patients audits them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from mdt import selectors, services
from mdt.forms import ActionForm, DiscussionForm, MdtFlagForm, PrepareForm
from mdt.models import Action, CaseConference, Discussion
from painclinic import audit
from painclinic.access import clinical_staff_view
from painclinic.concurrency import TOKEN_FIELD
from painclinic.form_save import FormSave, save_form
from painclinic.models import Role
from patients.access import patient_view

if TYPE_CHECKING:
    from patients.models import Patient


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@require_http_methods(["GET"])
@clinical_staff_view
def index(request: HttpRequest) -> HttpResponse:
    """The team's MDT: the agenda (patients flagged for the MDT) and the conferences."""
    agenda = list(selectors.agenda_for(request.user))
    conferences = list(selectors.conference_list(request.user)[:50])
    audit.record_views(
        actor=request.user,
        object_type="patients.mdtflag",
        rows=[(flag.pk, flag.patient_id) for flag in agenda],
    )
    return render(
        request,
        "mdt/index.html",
        {
            "agenda": agenda,
            "conferences": conferences,
            "may_prepare": request.user.role == Role.TEAM_LEAD,
        },
    )


@require_http_methods(["GET", "POST"])
@clinical_staff_view
def prepare(request: HttpRequest) -> HttpResponse:
    """The team lead prepares a conference from the agenda."""
    if request.user.role != Role.TEAM_LEAD:
        raise PermissionDenied(_("The team lead prepares a case conference."))
    team = selectors.teams_of(request.user).first()
    if team is None:
        raise PermissionDenied(_("You are not a member of a team."))
    agenda = selectors.agenda_for(request.user).filter(team=team)
    attendees = selectors.attendee_choices(team)
    form = PrepareForm(request.POST or None, attendees=attendees, agenda=agenda)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            conference = services.conference_prepare(
                actor=request.user,
                team=team,
                held_on=data["held_on"],
                attendees=data["attendees"],
                flags=data["flags"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Case conference prepared."))
            return redirect("mdt:conference", conference_id=conference.pk)
    flags = list(agenda)
    audit.record_views(
        actor=request.user,
        object_type="patients.mdtflag",
        rows=[(flag.pk, flag.patient_id) for flag in flags],
    )
    status = 400 if request.method == "POST" else 200
    return render(request, "mdt/prepare.html", {"form": form, "team": team}, status=status)


def _conference_for(request: HttpRequest, conference_id: int) -> CaseConference:
    return get_object_or_404(selectors.conferences_visible_to(request.user), pk=conference_id)


def _conference_page(request, conference, *, forms=None, status=200, saving=None):
    """The conference with one discussion form and one action form per patient; ``forms``
    replaces the bound form that failed (errors re-displayed, nothing typed lost); ``saving``
    a discussion's save that met someone else's (the 409 page)."""
    forms = forms or {}
    detail = selectors.conference_detail(conference)
    owners = list(selectors.team_staff(conference.team))
    items = []
    for discussion in detail["discussions"]:
        kwargs = {"conference_id": conference.pk, "discussion_id": discussion.pk}
        items.append(
            {
                "discussion": discussion,
                "form": forms.get(("discussion", discussion.pk))
                or DiscussionForm(
                    discussion=discussion, action=reverse("mdt:discussion", kwargs=kwargs)
                ),
                "action_form": forms.get(("action", discussion.pk))
                or ActionForm(
                    owners=owners,
                    discussion=discussion,
                    action=reverse("mdt:action_add", kwargs=kwargs),
                ),
            }
        )
    audit.record_views(
        actor=request.user,
        object_type="mdt.discussion",
        rows=[(d.pk, d.patient_id) for d in detail["discussions"]],
    )
    context = {
        "conference": conference,
        "attendees": detail["attendees"],
        "items": items,
        **(saving or FormSave()).context(),
    }
    return render(request, "mdt/conference.html", context, status=status)


@require_http_methods(["GET"])
@clinical_staff_view
def conference(request: HttpRequest, conference_id: int) -> HttpResponse:
    return _conference_page(request, _conference_for(request, conference_id))


def _discussion_for(request, conference_id: int, discussion_id: int):
    conference = _conference_for(request, conference_id)
    discussion = get_object_or_404(Discussion, pk=discussion_id, conference=conference)
    return conference, discussion


@require_POST
@clinical_staff_view
def discussion(request: HttpRequest, conference_id: int, discussion_id: int) -> HttpResponse:
    conference, item = _discussion_for(request, conference_id, discussion_id)
    form = DiscussionForm(request.POST, discussion=item)
    saving = save_form(
        form,
        lambda: services.discussion_record(
            actor=request.user,
            discussion=item,
            edit_token=request.POST.get(form.add_prefix(TOKEN_FIELD)),
            **form.typed(),
        ),
        refused=_form_errors,
    )
    if saving.saved:
        messages.success(
            request, _("Discussion of %(name)s saved.") % {"name": item.patient.full_name}
        )
        return redirect(
            reverse("mdt:conference", kwargs={"conference_id": conference.pk})
            + f"#discussion-{item.pk}"
        )
    return _conference_page(
        request,
        conference,
        forms={("discussion", item.pk): form},
        status=saving.status,
        saving=saving,
    )


@require_POST
@clinical_staff_view
def action_add(request: HttpRequest, conference_id: int, discussion_id: int) -> HttpResponse:
    conference, item = _discussion_for(request, conference_id, discussion_id)
    form = ActionForm(request.POST, owners=selectors.team_staff(conference.team), discussion=item)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.action_add(
                actor=request.user,
                discussion=item,
                text=data["text"],
                owner=data["owner"],
                due_on=data["due_on"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Action added for %(who)s.") % {"who": data["owner"]})
            return redirect(
                reverse("mdt:conference", kwargs={"conference_id": conference.pk})
                + f"#discussion-{item.pk}"
            )
    return _conference_page(request, conference, forms={("action", item.pk): form}, status=400)


@require_POST
@clinical_staff_view
def action_done(request: HttpRequest, action_id: int) -> HttpResponse:
    """Mark an action done, from the caseload, the team review or the conference."""
    action = get_object_or_404(
        Action.objects.select_related("discussion__conference"),
        pk=action_id,
        discussion__conference__team__in=selectors.teams_of(request.user),
    )
    try:
        services.action_complete(actor=request.user, action=action)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Action marked done."))
    back = request.POST.get("next", "")
    # Only a path of this site: redirect() would read any other word as a view name (a 500).
    if back.startswith("/") and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(back)
    return redirect("mdt:conference", conference_id=action.discussion.conference_id)


# --- The record's MDT section -----------------------------------------------------------------


def _section(request, patient: Patient, form=None, status=200) -> HttpResponse:
    context = {
        "patient": patient,
        **selectors.patient_mdt(patient),
        "form": form
        or MdtFlagForm(action=reverse("mdt:patient_flag", kwargs={"patient_id": patient.pk})),
    }
    return render(request, "mdt/patient_section.html", context, status=status)


@require_http_methods(["GET"])
@patient_view()
def patient_section(request: HttpRequest, patient: Patient) -> HttpResponse:
    """The MDT section of the record (loaded after the record page, so its queries stay
    pinned): waiting for the MDT, and the conferences that discussed the patient."""
    return _section(request, patient)


@require_POST
@patient_view(write=True)
def patient_flag(request: HttpRequest, patient: Patient) -> HttpResponse:
    form = MdtFlagForm(
        request.POST, action=reverse("mdt:patient_flag", kwargs={"patient_id": patient.pk})
    )
    if form.is_valid():
        try:
            services.flag_for_mdt(
                actor=request.user, patient=patient, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("%(name)s is on the MDT agenda.") % {"name": patient})
            return redirect(reverse("patients:detail", kwargs={"patient_id": patient.pk}) + "#mdt")
    return render(
        request,
        "mdt/flag_form.html",
        {"patient": patient, "form": form},
        status=400,
    )
