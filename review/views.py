"""Reviews of a caseload: the clinician's own ("My caseload") and the team lead's (dashboard,
reassignment and review notes, issue #6)."""

from __future__ import annotations

import csv
from datetime import date
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from mdt import selectors as mdt_selectors
from painclinic import audit
from painclinic.access import authenticated_view, clinical_staff, team_lead_view
from painclinic.listing import day_formatter, uuid_url
from painclinic.models import AuditAction, User
from patients import selectors as patient_selectors
from patients import services
from patients.access import can_reassign_patient, patient_view
from patients.models import Episode, EpisodeStatus, Patient, ReviewNote
from review import charts as team_charts
from review import selectors as review_selectors
from review.forms import (
    ReassignForm,
    ReviewFilterForm,
    ReviewNoteForm,
    TeamSettingsForm,
    WaitingListFilter,
)

if TYPE_CHECKING:
    from django.http import HttpRequest
    from django.utils.safestring import SafeString

PAGE_SIZE = 25
NOTES_SHOWN = 20
MDT_ACTIONS_SHOWN = 30
EXPORT_MAX_ROWS = 10_000


def _mdt_actions(request: HttpRequest, actions) -> list:
    """Open MDT actions shown on a page (issue #13): each names a patient, so each is audited
    (one INSERT whatever their number)."""
    actions = list(actions[:MDT_ACTIONS_SHOWN])
    audit.record_views(
        actor=request.user,
        object_type="mdt.action",
        rows=[(a.pk, a.discussion.patient_id) for a in actions],
    )
    return actions


# One row of the caseload table (templates/review/caseload.html has its head), written here
# instead of by the template's row loop: 50 rows took 5.4 ms of CPU in the template engine, a
# fifth of the page (issue #16; ~0.8 ms here). Every value is escaped (``escape``); the fixed
# markup and the badges are ours.
_CASELOAD_ROW = (
    '<tr>\n      <th scope="row"><a href="{}">{}</a>{}</th>\n      <td>{}</td>\n'
    '      <td><span class="badge badge-status-{}">{}</span></td>\n      <td>{}</td>\n'
    '      <td class="text-end">{}</td>\n      <td>{}</td>\n      <td>{}</td>\n    </tr>\n'
)


def _caseload_rows_html(rows: list[dict[str, Any]], noted_episodes: set) -> SafeString:
    """The caseload table's rows: the patient (with the self-harm, safeguarding and team lead's
    note badges), identifier, status, lead, days waiting, last contact, next review due."""
    muted = '<span class="text-body-secondary">{}</span>'
    danger = ' <span class="badge text-bg-danger">{}</span>'
    self_harm = escape(gettext("Self-harm risk — response needed"))
    safeguarding = danger.format(escape(gettext("Safeguarding concern")))
    note = (
        ' <a href="#h-review-notes" class="badge text-bg-warning text-decoration-none">'
        f"{escape(gettext('note from your team lead'))}</a>"
    )
    overdue = danger.format(escape(gettext("overdue")))
    dash = muted.format("—")
    none_yet = muted.format(escape(gettext("none yet")))
    not_set = muted.format(escape(gettext("not set")))
    out = []
    for row in rows:
        badges = ""
        if row["safety_url"]:
            badges += (
                f' <a href="{escape(row["safety_url"])}" class="badge text-bg-danger'
                f' text-decoration-none" data-testid="caseload-safety">{self_harm}</a>'
            )
        if row["safeguarding_open"]:
            badges += safeguarding
        if row["id"] in noted_episodes:
            badges += note
        due = row["next_review_due"]
        out.append(
            _CASELOAD_ROW.format(
                escape(row["detail_url"]),
                escape(row["name"]),
                badges,
                escape(row["identifier"]),
                escape(row["status"]),
                escape(row["status_label"]),
                escape(row["lead"]),
                dash if row["days_waiting"] is None else escape(row["days_waiting"]),
                escape(row["last_contact"]) if row["last_contact"] else none_yet,
                (escape(due) + (overdue if row["review_overdue"] else "")) if due else not_set,
            )
        )
    return mark_safe("".join(out))  # every value above is escaped


@require_http_methods(["GET"])
@authenticated_view
def caseload(request: HttpRequest) -> HttpResponse:
    """'My caseload': the clinician's open episodes with the badges of every app (self-harm
    signal, safeguarding concern, a note from the team lead)."""
    today = date.today()
    episodes = review_selectors.caseload_for(request.user)
    # The panels below are usually empty: one query says which have rows, and counts the
    # episodes for the paginator (issue #16).
    panels = review_selectors.caseload_panels(request.user, today, episodes.queryset)
    page: Any = Paginator(episodes.counted(panels["episodes"]), 50).get_page(
        request.GET.get("page")
    )
    # The page's rows are columns, not objects, and every label, date and link of a row is
    # made here once per page, not per row in the template (issue #16: ~476 gettext look-ups
    # and 100 URL reversals in the 50-row loop); dates read as the template's "j M Y".
    status_label = {value: str(label) for value, label in EpisodeStatus.choices}
    day = day_formatter()
    detail_url = uuid_url("patients:detail", "patient_id")
    safety_url = uuid_url("safety:patient", "patient_id")
    rows = [
        {
            "id": e["id"],
            "patient_id": e["patient_id"],
            "name": f"{e['patient__given_name']} {e['patient__family_name']}",  # Patient.full_name
            "identifier": e["patient__identifier"],
            "detail_url": detail_url(e["patient_id"]),
            "safety_url": safety_url(e["patient_id"]) if e["self_harm_open"] else None,
            "safeguarding_open": e["safeguarding_open"],
            "status": e["status"],
            "status_label": status_label.get(e["status"], e["status"]),
            "lead": patient_selectors.person_name(
                e["lead_clinician__first_name"],
                e["lead_clinician__last_name"],
                e["lead_clinician__username"],
            ),
            "days_waiting": patient_selectors.days_waiting_since(
                e["status"], e["referral_date"], today
            ),
            "last_contact": day(e["last_contact"]),
            "next_review_due": day(e["next_review_due"]),
            "review_overdue": e["next_review_due"] is not None and e["next_review_due"] < today,
        }
        for e in page
    ]
    # Follow-up calls after discharge this clinician has not yet made (issue #13): one query.
    overdue_calls = (
        list(patient_selectors.overdue_follow_ups_for(request.user, today)[:NOTES_SHOWN])
        if panels["calls"]
        else []
    )
    # The page names each patient of the page: one VIEW per episode listed (DESIGN.md: every
    # access audited, list pages included), the discharged episodes of the overdue calls too,
    # in the same INSERT.
    audit.record_views(
        actor=request.user,
        object_type="patients.episode",
        rows=[(row["id"], row["patient_id"]) for row in rows]
        + [(call.episode_id, call.episode.patient_id) for call in overdue_calls],
    )
    notes = (
        list(patient_selectors.unread_review_notes_for(request.user)[:NOTES_SHOWN])
        if panels["notes"]
        else []
    )
    for note in notes:  # the note is clinical content about the patient: its view is audited
        audit.record_event(
            actor=request.user, action=AuditAction.VIEW, patient=note.episode.patient, obj=note
        )
    noted_episodes = {note.episode_id for note in notes}
    return render(
        request,
        "review/caseload.html",
        {
            "page": page,
            "rows": rows,
            "rows_html": _caseload_rows_html(rows, noted_episodes),
            "today": today,
            "review_notes": notes,
            "noted_episodes": noted_episodes,
            "mdt_actions": _mdt_actions(request, mdt_selectors.open_actions_for(request.user))
            if panels["actions"]
            else [],
            "overdue_calls": overdue_calls,
        },
    )


@require_http_methods(["GET"])
@team_lead_view
def dashboard(request: HttpRequest) -> HttpResponse:
    data = review_selectors.caseload_review(request.user)
    form = ReviewFilterForm(
        request.GET or None, clinicians=[c.clinician for c in data["clinicians"]]
    )
    wanted = form.cleaned_data if form.is_valid() else {}
    page = review_selectors.attention_page(
        data, wanted, wanted.get("sort") or "name", request.GET.get("page"), PAGE_SIZE
    )
    # Each row's links and labels made once per page, not by {% url %}, {% include %} and
    # {% blocktranslate %} in the row loop (issue #16: ~75 URL reversals and 25 includes a page).
    detail_url = uuid_url("patients:detail", "patient_id")
    safety_url = uuid_url("safety:patient", "patient_id")
    reassign_url = uuid_url("team:reassign", "patient_id")
    status_label = {value: str(label) for value, label in EpisodeStatus.choices}
    for row in page.object_list:
        e = row.episode
        row.links = {
            "detail": detail_url(e.patient_id),
            "safety": safety_url(e.patient_id),
            "reassign": reassign_url(e.patient_id),
            "status": status_label.get(e.status, e.status),
            "review": _("Review %(name)s") % {"name": e.patient.full_name},
        }
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
        "review/team_dashboard.html",
        {
            **data,
            "form": form,
            "page": page,
            "querystring": query.urlencode(),
            "settings_form": settings_form,
            "n_attention": page.paginator.count,
            "mdt_actions": _mdt_actions(
                request, mdt_selectors.open_actions_of_teams(data["teams"])
            ),
        },
    )


@require_POST
@team_lead_view
def settings(request: HttpRequest) -> HttpResponse:
    form = TeamSettingsForm(request.POST)
    if form.is_valid():
        for team in review_selectors.teams_led_by(request.user):
            services.team_settings_update(actor=request.user, team=team, **form.cleaned_data)
        messages.success(request, _("Review rules saved."))
    else:
        messages.error(request, _("The review rules were not saved: check the numbers."))
    return redirect("team:dashboard")


def _open_episode(patient: Patient) -> Episode | None:
    return Episode.objects.select_related("team", "lead_clinician").current_for(patient)


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
    return render(request, "review/team_patient.html", context, status=status)


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
                "review/team_reassign_confirm.html",
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
        form.add_error(None, gettext(services.REASSIGN_NOT_TEAM_LEAD))
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


# --- The team's waiting list and the CSV exports (issue #13) -----------------------------------


def _waiting_filter(request: HttpRequest) -> WaitingListFilter:
    queryset = review_selectors.waiting_list(request.user)
    clinicians = User.objects.filter(
        pk__in=review_selectors.team_episodes(request.user).values("lead_clinician_id")
    ).order_by("last_name", "first_name")
    return WaitingListFilter(request.GET, queryset=queryset, clinicians=clinicians)


@require_http_methods(["GET"])
@team_lead_view
def waiting_list(request: HttpRequest) -> HttpResponse:
    """Referred and waiting patients of the lead's teams, with days since referral and triage."""
    today = date.today()
    found = _waiting_filter(request)
    page = Paginator(found.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    audit.record_views(
        actor=request.user,
        object_type="patients.episode",
        rows=[(e.pk, e.patient_id) for e in page.object_list],
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "review/waiting_list.html",
        {
            "filter": found,
            "page": page,
            "rows": [(e, (today - e.referral_date).days) for e in page.object_list],
            "querystring": query.urlencode(),
        },
    )


def _csv_response(filename: str, header: list[str], rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response


def _audit_export(request: HttpRequest, episodes) -> None:
    """One EXPORT event per patient in the file, written once (one INSERT) per export."""
    audit.record_views(
        actor=request.user,
        object_type="patients.episode",
        rows=[(e.pk, e.patient_id) for e in episodes],
        action=AuditAction.EXPORT,
    )


@require_http_methods(["GET"])
@team_lead_view
def waiting_list_export(request: HttpRequest) -> HttpResponse:
    """The waiting list as filtered and sorted on the page, as CSV."""
    today = date.today()
    episodes = list(_waiting_filter(request).qs)
    _audit_export(request, episodes)
    header = [
        _("Patient"),
        _("Identifier"),
        _("Team"),
        _("Lead clinician"),
        _("Status"),
        _("Referred on"),
        _("Days since referral"),
        _("Urgency"),
        _("Pathway"),
    ]
    rows = (
        [
            e.patient.full_name,
            e.patient.identifier,
            str(e.team),
            str(e.lead_clinician),
            e.get_status_display(),
            e.referral_date.isoformat(),
            (today - e.referral_date).days,
            e.get_urgency_display() or _("Not triaged"),
            e.get_pathway_display() or _("Not triaged"),
        ]
        for e in episodes
    )
    return _csv_response("waiting-list.csv", header, rows)


@require_http_methods(["GET"])
@team_lead_view
def export(request: HttpRequest) -> HttpResponse:
    """The team review's attention lists (as filtered on the page) and each clinician's
    caseload counts, as CSV."""
    data = review_selectors.caseload_review(request.user)
    form = ReviewFilterForm(
        request.GET or None, clinicians=[c.clinician for c in data["clinicians"]]
    )
    wanted = form.cleaned_data if form.is_valid() else {}
    page = review_selectors.attention_page(
        data, wanted, wanted.get("sort") or "name", 1, EXPORT_MAX_ROWS
    )
    entries = list(page.object_list)
    _audit_export(request, [row.episode for row in entries])
    header = [
        _("Patient"),
        _("Identifier"),
        _("Attention list"),
        _("Why"),
        _("Lead clinician"),
        _("Status"),
        _("Days waiting"),
    ]
    rows = [
        [
            row.episode.patient.full_name,
            row.episode.patient.identifier,
            row.attention.title,
            " ".join(row.attention.reasons),
            str(row.episode.lead_clinician),
            row.episode.get_status_display(),
            "" if row.days_waiting is None else row.days_waiting,
        ]
        for row in entries
    ]
    rows.append([])
    rows.append([_("Clinician"), _("Waiting"), _("Active"), _("On hold"), _("Longest wait (days)")])
    rows.extend(
        [str(c.clinician), c.waiting, c.active, c.on_hold, c.longest_wait or ""]
        for c in data["clinicians"]
    )
    return _csv_response("team-review.csv", header, rows)


# --- The team's outcomes over time (issue #13) --------------------------------------------


def _quarters(request: HttpRequest):
    from django.conf import settings as django_settings

    min_n = django_settings.PROGRAMME_MIN_AGGREGATE_N
    return review_selectors.team_outcomes_by_quarter(request.user, min_n=min_n), min_n


@require_http_methods(["GET"])
@team_lead_view
def outcomes(request: HttpRequest) -> HttpResponse:
    """The chart with its caption and the figures as a table (loaded into the team review after
    the page, so the review's own queries stay as pinned). Aggregates only: no patient named."""
    quarters, min_n = _quarters(request)
    context = {"quarters": quarters, "min_n": min_n, "any_data": any(q.n for q in quarters)}
    return render(request, "review/_team_outcomes.html", context)


@require_http_methods(["GET"])
@team_lead_view
def outcomes_chart(request: HttpRequest) -> HttpResponse:
    quarters, min_n = _quarters(request)
    png, key = team_charts.cached_chart(team_charts.spec_of(quarters, min_n))
    response = HttpResponse(png, content_type="image/png")
    response["ETag"] = f'"{key.rsplit(":", 1)[-1]}"'
    response["Cache-Control"] = "private, no-cache"
    return response
