"""Patient pages. Each view: access through the policy, a form, one service or selector, render."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from painclinic import audit, concurrency
from painclinic.access import authenticated_view
from painclinic.form_save import FormSave, save_form
from painclinic.listing import Rows, day_formatter, uuid_url
from patients import selectors, services
from patients.access import can_view_patient, patient_view
from patients.forms import (
    CareTeamAddForm,
    CareTeamRemoveForm,
    ConsentForm,
    ContactForm,
    EpisodeStatusForm,
    FollowUpAddForm,
    FollowUpForm,
    HandoverForm,
    PatientEditForm,
    PatientFilter,
    PatientRegisterForm,
    ReReferralForm,
    ReviewDateForm,
    SafeguardingCloseForm,
    SafeguardingForm,
    TriageForm,
)
from patients.models import (
    CareTeamMember,
    Episode,
    EpisodeStatus,
    Patient,
    ReviewNote,
    SafeguardingConcern,
)


@require_http_methods(["GET"])
@authenticated_view
def patient_list(request: HttpRequest) -> HttpResponse:
    filterset = PatientFilter(request.GET, queryset=selectors.patient_list_for(request.user))
    queryset = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    page: Any = Paginator(Rows(queryset, selectors.PATIENT_LIST_COLUMNS), 25).get_page(
        request.GET.get("page")
    )
    # Each row's link, dates and labels are made here once per page, not per row in the
    # template (issue #16); dates read as the template's "j M Y".
    day = day_formatter()
    detail_url = uuid_url("patients:detail", "patient_id")
    conditions = _condition_labels()
    statuses = {code: str(label) for code, label in EpisodeStatus.choices}
    page.object_list = [
        {
            **row,
            **dict.fromkeys(selectors.LATEST_EPISODE_KEYS),
            **(row["latest_episode"] or {}),  # None: no episode yet
            "detail_url": detail_url(row["id"]),
            "born": day(row["date_of_birth"]),
            "condition": conditions.get(row["primary_condition"], row["primary_condition"]),
            "last_contact": day(row["last_contact"]),
            # The status in words, as the caseload and the record say it ("On hold", translated).
            "status_label": statuses.get((row["latest_episode"] or {}).get("episode_status")),
        }
        for row in page.object_list
    ]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter": filterset,
        "page": page,
        "rows_html": _patient_rows_html(page.object_list),
        "querystring": query.urlencode(),
    }
    # Each patient named on the page (full page or live-search table) is a record view.
    audit.record_views(
        actor=request.user,
        object_type="patients.patient",
        rows=[(row["id"], row["id"]) for row in page.object_list],
    )
    # Live search: htmx asks for the results table only (the form stays as typed).
    template = "patients/_patient_table.html" if request.htmx else "patients/patient_list.html"
    return render(request, template, context)


# One row of the patient list (templates/patients/_patient_table.html has its head), written
# here instead of by the template's row loop (issue #16: 1.8 ms of CPU in the template engine
# for 25 rows, 0.5 ms here). Every value is escaped.
_PATIENT_ROW = (
    '<tr>\n      <th scope="row"><a href="{}">{}, {}</a></th>\n      <td>{}</td>\n'
    "      <td>{}</td>\n      <td>{}</td>\n      <td>{}</td>\n      <td>{}{}</td>\n"
    "      <td>{}</td>\n    </tr>\n"
)


def _patient_rows_html(rows: list[dict[str, Any]]) -> SafeString:
    """The patient list's rows: name, identifier, born, condition, the latest episode's status,
    its team and lead, the last contact."""
    out = []
    for p in rows:
        status = p["episode_status"]
        out.append(
            _PATIENT_ROW.format(
                escape(p["detail_url"]),
                escape(p["family_name"]),
                escape(p["given_name"]),
                escape(p["identifier"]),
                escape(p["born"] or ""),
                escape(p["condition"] or ""),
                f'<span class="badge badge-status-{escape(status)}">'
                f"{escape(p['status_label'])}</span>"
                if status
                else "",
                escape(p["episode_team"] or ""),
                f" · {escape(p['lead_first'])} {escape(p['lead_last'])}" if p["lead_last"] else "",
                escape(p["last_contact"] or "—"),
            )
        )
    return mark_safe("".join(out))  # every value above is escaped


def _condition_labels() -> dict[str, str]:
    """Condition code -> its name in the active language (``get_primary_condition_display``)."""
    return {
        code: str(label) for code, label in Patient._meta.get_field("primary_condition").flatchoices
    }


@require_http_methods(["GET", "POST"])
@authenticated_view
def patient_register(request: HttpRequest) -> HttpResponse:
    form = PatientRegisterForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            patient = services.patient_register(
                actor=request.user,
                team=data["team"],
                lead_clinician=data["lead_clinician"],
                patient_data=data,
                referral_date=data["referral_date"],
                referral_source=data["referral_source"],
                referral_reason=data["referral_reason"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("%(name)s is registered.") % {"name": patient.full_name})
            if not can_view_patient(request.user, patient):
                # A programme admin registers a referral without joining its care team.
                return redirect("home")
            return redirect("patients:detail", patient_id=patient.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "patients/patient_register.html", {"form": form}, status=status)


@require_http_methods(["GET"])
@patient_view()
def patient_detail(request: HttpRequest, patient: Patient) -> HttpResponse:
    overview = selectors.patient_overview(patient)
    current = overview["current_episode"]
    today = date.today()
    context = {"patient": patient, "patient_age": patient.age_on(today), **overview, "today": today}
    context["open_safeguarding"] = selectors.has_open_safeguarding(patient)
    if current is not None:
        context["contact_form"] = ContactForm(
            action=reverse(
                "patients:contact_add",
                kwargs={"patient_id": patient.pk, "episode_id": current.pk},
            )
        )
    return render(request, "patients/patient_detail.html", context)


@require_http_methods(["GET"])
@patient_view(write=True)
def episode_change(request: HttpRequest, patient: Patient, episode_id: int) -> HttpResponse:
    """The episode's status, review date and triage forms. The record keeps them in a closed
    section and loads them from here when it is opened (issue #16: rendering them on every view of
    the record cost more than the rest of its forms); without JavaScript the section links here,
    a page of its own."""
    episode = _patient_episode(patient, episode_id)
    urls = {
        name: reverse(
            f"patients:{name}", kwargs={"patient_id": patient.pk, "episode_id": episode.pk}
        )
        for name in ("episode_status", "episode_review", "episode_triage")
    }
    context = {
        "patient": patient,
        "episode": episode,
        "status_form": EpisodeStatusForm(
            current_status=episode.status, action=urls["episode_status"]
        ),
        "review_form": ReviewDateForm(
            initial={"next_review_due": episode.next_review_due},
            action=urls["episode_review"],
            episode=episode,
        ),
        "triage_form": TriageForm(
            initial={"urgency": episode.urgency, "pathway": episode.pathway},
            action=urls["episode_triage"],
            episode=episode,
        ),
    }
    template = "patients/_episode_change.html" if request.htmx else "patients/episode_change.html"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
@patient_view(write=True)
def patient_edit(request: HttpRequest, patient: Patient) -> HttpResponse:
    conflict = None
    if request.method == "POST":
        form = PatientEditForm(
            request.POST, instance=Patient.objects.get(pk=patient.pk), user=request.user
        )
        if form.is_valid():
            try:
                services.patient_update(
                    actor=request.user,
                    patient=patient,
                    data=form.cleaned_data,
                    expected_version=form.cleaned_data["version"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            except services.EditConflict as exc:
                # Keep everything typed; show what the other person saved, and let this user
                # save again on top of the new version if they still mean it.
                conflict = exc
                data = request.POST.copy()
                data["version"] = exc.current.version
                form = PatientEditForm(data, instance=exc.current, user=request.user)
                form.is_valid()
            else:
                messages.success(request, _("Changes saved."))
                return redirect("patients:detail", patient_id=patient.pk)
        status = 409 if conflict else 400
    else:
        form = PatientEditForm(
            instance=patient, initial={"version": patient.version}, user=request.user
        )
        status = 200
    return render(
        request,
        "patients/patient_edit.html",
        {"form": form, "patient": patient, "conflict": conflict},
        status=status,
    )


def _patient_episode(patient: Patient, episode_id: int) -> Episode:
    return get_object_or_404(Episode, pk=episode_id, patient=patient)


@require_POST
@patient_view(write=True)
def contact_add(request: HttpRequest, patient: Patient, episode_id: int) -> HttpResponse:
    episode = _patient_episode(patient, episode_id)
    form = ContactForm(request.POST, episode=episode)
    if form.is_valid() and episode.is_open:
        try:
            services.contact_record(actor=request.user, episode=episode, data=form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Contact recorded."))
            return redirect("patients:detail", patient_id=patient.pk)
    if not episode.is_open:
        form.add_error(None, _("This episode is discharged; open a new episode to add contacts."))
    return render(
        request,
        "patients/contact_form.html",
        {"form": form, "patient": patient, "episode": episode},
        status=400,
    )


@require_POST
@patient_view(write=True)
def episode_status(request: HttpRequest, patient: Patient, episode_id: int) -> HttpResponse:
    episode = _patient_episode(patient, episode_id)
    form = EpisodeStatusForm(request.POST, current_status=episode.status, episode=episode)
    if form.is_valid():
        try:
            services.episode_change_status(
                actor=request.user,
                episode=episode,
                to_status=form.cleaned_data["to_status"],
                changed_on=form.cleaned_data["changed_on"],
                note=form.cleaned_data["note"],
                discharge_reason=form.cleaned_data["discharge_reason"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Episode status changed."))
            return redirect("patients:detail", patient_id=patient.pk)
    return render(
        request,
        "patients/episode_status_form.html",
        {"form": form, "patient": patient, "episode": episode},
        status=400,
    )


def _episode_form_saved(
    request: HttpRequest, patient: Patient, episode_id: int, form_class, service, saved: str
) -> HttpResponse:
    """An episode's one-form edit (review date, triage): ``service`` saves what was typed
    (``form.typed()``) with the form's token. Back to the record on success; else
    the form again with what was typed, its errors (400) or the version saved meanwhile (409)."""
    episode = _patient_episode(patient, episode_id)
    form = form_class(request.POST, episode=episode)
    saving = save_form(
        form,
        lambda: service(
            actor=request.user,
            episode=episode,
            edit_token=concurrency.posted_token(request),
            **form.typed(),
        ),
    )
    if saving.saved:
        messages.success(request, saved)
        return redirect("patients:detail", patient_id=patient.pk)
    return render(
        request,
        "patients/review_form.html",
        {"form": form, "patient": patient, "episode": episode, **saving.context()},
        status=saving.status,
    )


@require_POST
@patient_view(write=True)
def episode_review(request: HttpRequest, patient: Patient, episode_id: int) -> HttpResponse:
    return _episode_form_saved(
        request,
        patient,
        episode_id,
        ReviewDateForm,
        services.episode_set_review_date,
        _("Review date saved."),
    )


@require_POST
@patient_view(write=True)
def episode_triage(request: HttpRequest, patient: Patient, episode_id: int) -> HttpResponse:
    """Triage the referral: urgency and pathway (issue #13, the team's waiting list)."""
    return _episode_form_saved(
        request, patient, episode_id, TriageForm, services.episode_triage, _("Triage saved.")
    )


@require_POST
@patient_view()
def review_note_acknowledge(request: HttpRequest, patient: Patient, note_id: int) -> HttpResponse:
    """The clinician marks a team lead's review note read (from the caseload or the record)."""
    note = get_object_or_404(ReviewNote, pk=note_id, episode__patient=patient)
    try:
        services.review_note_acknowledge(actor=request.user, note=note)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Review note marked as read."))
    target = request.POST.get("next", "")
    # Only a path of this site: redirect() would read any other word as a view name and answer
    # 500 (NoReverseMatch) — found by tests/test_fuzz_forms.py (#15).
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("patients:detail", kwargs={"patient_id": patient.pk})
    return HttpResponseRedirect(target)


# --- Consent and safeguarding (issue #10) -----------------------------------------------------


def _errors_to_form(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@require_http_methods(["GET", "POST"])
@patient_view(write=True)
def consent(request: HttpRequest, patient: Patient) -> HttpResponse:
    """The patient's consent decisions: in force per kind, and the dated history. A withdrawal
    is recorded as a new decision."""
    initial = {"decided_on": date.today(), "kind": request.GET.get("kind", "")}
    form = ConsentForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.consent_record(actor=request.user, patient=patient, **form.cleaned_data)
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, _("Consent decision recorded."))
                return redirect("patients:consent", patient_id=patient.pk)
    return render(
        request,
        "patients/consent.html",
        {"patient": patient, "form": form, **selectors.consent_overview(patient)},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@patient_view(write=True)
def safeguarding(request: HttpRequest, patient: Patient) -> HttpResponse:
    """Safeguarding concerns: raise one, see them, close one with its outcome."""
    action = request.POST.get("action")
    form = SafeguardingForm(
        request.POST if action == "raise" else None, initial={"raised_on": date.today()}
    )
    close_form = SafeguardingCloseForm(request.POST if action == "close" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if action == "raise" and form.is_valid():
            try:
                services.safeguarding_concern_raise(
                    actor=request.user, patient=patient, data=form.cleaned_data
                )
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, _("Safeguarding concern recorded."))
                return redirect("patients:safeguarding", patient_id=patient.pk)
        elif action == "close" and close_form.is_valid():
            concern = get_object_or_404(
                SafeguardingConcern, pk=close_form.cleaned_data["concern_id"], patient=patient
            )
            try:
                services.safeguarding_concern_close(
                    actor=request.user,
                    concern=concern,
                    closed_on=close_form.cleaned_data["closed_on"],
                    note=close_form.cleaned_data["closing_note"],
                )
            except ValidationError as exc:
                _errors_to_form(close_form, exc)
            else:
                messages.success(request, _("Safeguarding concern closed."))
                return redirect("patients:safeguarding", patient_id=patient.pk)
    return render(
        request,
        "patients/safeguarding.html",
        {
            "patient": patient,
            "form": form,
            "close_form": close_form,
            "concerns": selectors.safeguarding_concerns(patient),
        },
        status=status,
    )


# --- The care team, the lead handover, re-referral and follow-up calls (issue #13) ------------


def _shown_episode(request: HttpRequest, patient: Patient) -> Episode | None:
    """The episode a care-team page shows: the one named by ``?episode=`` (an earlier episode,
    from the record's episode list), else the current one, else the last."""
    episode_id = request.GET.get("episode") or request.POST.get("episode") or ""
    # ASCII digits of a sensible length only: "²".isdigit() is true, and a 5000-digit number
    # would overflow the lookup (both a 500, not a 404).
    if re.fullmatch(r"[0-9]{1,12}", episode_id):
        return get_object_or_404(
            Episode.objects.select_related("team", "lead_clinician"), pk=episode_id, patient=patient
        )
    current = Episode.objects.current_or_last_for(patient)
    return (
        Episode.objects.select_related("team", "lead_clinician").get(pk=current.pk)
        if current
        else None
    )


@require_http_methods(["GET", "POST"])
@patient_view(write=True)
def care_team(request: HttpRequest, patient: Patient) -> HttpResponse:
    """The care team of an episode: members with role and discipline, their history; the lead
    clinician or the team lead adds and removes members and hands over the lead."""
    episode = _shown_episode(request, patient)
    if episode is None:
        raise Http404("No episode.")
    action = request.POST.get("action", "")
    may_manage = services.may_manage_care_team(request.user, episode) and episode.is_open
    add_form = CareTeamAddForm(request.POST if action == "add" else None, episode=episode)
    handover_form = HandoverForm(request.POST if action == "handover" else None, episode=episode)
    remove_form = CareTeamRemoveForm(request.POST if action == "remove" else None)
    status, handover = 200, FormSave(handover_form)
    if request.method == "POST":
        status = 400
        done = None
        try:
            if action == "add" and add_form.is_valid():
                member = add_form.cleaned_data["member"]
                services.care_team_add(actor=request.user, episode=episode, member=member)
                done = _("%(name)s joined the care team.") % {"name": member}
            elif action == "remove" and remove_form.is_valid():
                member = get_object_or_404(
                    CareTeamMember.objects.select_related("user"),
                    episode=episode,
                    user_id=remove_form.cleaned_data["member"],
                ).user
                services.care_team_remove(actor=request.user, episode=episode, member=member)
                done = _("%(name)s left the care team.") % {"name": member}
            elif action not in ("add", "remove", "handover"):
                messages.error(request, _("Choose what to change."))
        except ValidationError as exc:
            if action == "add":
                _errors_to_form(add_form, exc)
            else:
                messages.error(request, " ".join(exc.messages))
        if action == "handover":
            handover = save_form(
                handover_form,
                lambda: services.lead_handover(
                    actor=request.user,
                    episode=episode,
                    edit_token=concurrency.posted_token(request),
                    **handover_form.typed(),
                ),
                refused=_errors_to_form,
            )
            if handover.saved:
                new_lead = handover_form.cleaned_data["to_clinician"]
                done = _("%(name)s now leads this episode.") % {"name": new_lead}
            status = handover.status
        if done:
            messages.success(request, done)
            url = reverse("patients:care_team", kwargs={"patient_id": patient.pk})
            return HttpResponseRedirect(f"{url}?episode={episode.pk}")
    return render(
        request,
        "patients/care_team.html",
        {
            "patient": patient,
            "episode": episode,
            "may_manage": may_manage,
            "add_form": add_form,
            "handover_form": handover_form,
            "conflict": handover.conflict,
            # The form names the new lead; the page says who leads now.
            "conflict_rows": [(_("Lead clinician"), handover.conflict.current.lead_clinician)]
            if handover.conflict
            else [],
            "episodes": Episode.objects.filter(patient=patient).order_by("-referral_date", "-id"),
            **selectors.care_team_overview(episode),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@patient_view(write=True)
def episode_new(request: HttpRequest, patient: Patient) -> HttpResponse:
    """Re-referral: a new episode for a discharged patient; refused while one is open."""
    open_episode = Episode.objects.current_for(patient)
    last = Episode.objects.filter(patient=patient).select_related("team").first()
    team = last.team if last is not None else None
    form = ReReferralForm(
        request.POST or None,
        team=team,
        patient=patient,
        initial={"referral_date": date.today()},
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.episode_rerefer(
                    actor=request.user,
                    patient=patient,
                    lead_clinician=data["lead_clinician"],
                    referral_date=data["referral_date"],
                    referral_source=data["referral_source"],
                    referral_reason=data["referral_reason"],
                )
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, _("A new episode is open."))
                return redirect("patients:detail", patient_id=patient.pk)
    return render(
        request,
        "patients/episode_new.html",
        {"patient": patient, "form": form, "open_episode": open_episode, "team": team},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@patient_view(write=True)
def follow_ups(request: HttpRequest, patient: Patient, episode_id: int) -> HttpResponse:
    """The follow-up calls after an episode's discharge: when, who calls, and the outcome."""
    episode = get_object_or_404(
        Episode.objects.select_related("team"), pk=episode_id, patient=patient
    )
    calls = selectors.follow_up_calls(episode)
    action = request.POST.get("action", "")
    add_form = FollowUpAddForm(request.POST if action == "add" else None, episode=episode)
    edit_form, status = None, 200
    chosen = request.POST.get("call_id") or request.GET.get("call") or ""
    call = next((c for c in calls if str(c.pk) == chosen), None)
    if call is not None:
        edit_form = FollowUpForm(
            request.POST if action == "save" else None, episode=episode, call=call
        )
    saving = FormSave(edit_form)
    if request.method == "POST":
        if action == "add" and add_form.is_valid():
            try:
                services.follow_up_add(
                    actor=request.user,
                    episode=episode,
                    due_on=add_form.cleaned_data["due_on"],
                    caller=add_form.cleaned_data["caller"],
                )
            except ValidationError as exc:
                _errors_to_form(add_form, exc)
            else:
                messages.success(request, _("Follow-up call added."))
                return redirect("patients:follow_ups", patient_id=patient.pk, episode_id=episode.pk)
        elif action == "save" and edit_form is not None:
            saving = save_form(
                edit_form,
                lambda: services.follow_up_update(
                    actor=request.user,
                    call=call,
                    data=edit_form.cleaned_data,
                    edit_token=concurrency.posted_token(request),
                ),
                refused=_errors_to_form,
            )
            if saving.saved:
                messages.success(request, _("Follow-up call saved."))
                return redirect("patients:follow_ups", patient_id=patient.pk, episode_id=episode.pk)
        elif action == "save":
            messages.error(request, _("Choose a call to record."))
        status = saving.status
    return render(
        request,
        "patients/follow_ups.html",
        {
            "patient": patient,
            "episode": episode,
            "calls": calls,
            "call": call,
            "today": date.today(),
            "add_form": add_form,
            "edit_form": edit_form,
            **saving.context(),
        },
        status=status,
    )
