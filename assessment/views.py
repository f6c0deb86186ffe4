"""Assessment pages. Each view: access through the policy, a form, one service or selector, render.

Patient-scoped pages live under ``patients/<uuid:patient_id>/assessment/``; objects under a
patient are fetched scoped to it. The self-report pages under ``/p/<token>/`` are public: the
token alone grants the draft administrations of one session and nothing else.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessment import figures, instruments, red_flags, selectors, services, yellow_flags
from assessment.forms import (
    AdministrationForm,
    AmendForm,
    FormulationForm,
    ItemTextUploadForm,
    MatchedCareForm,
    PatientLinkForm,
    RedFlagOutcomeForm,
    RedFlagScreenForm,
    SessionStartForm,
    WorkAndHealthcareForm,
    answers_from_post,
    short_names,
)
from assessment.models import Administration, AssessmentSession, WorkAndHealthcareUse
from painclinic import concurrency
from painclinic.access import can_manage_item_text, item_text_admin_view, public_view
from painclinic.form_save import FormSave, save_form
from patients.access import patient_view
from patients.models import Episode, Patient

SIGNED_CANNOT_CHANGE = _("This result is signed. To correct it, amend it with a reason.")
DRAFT_CANNOT_AMEND = _("This result is a draft: change it and sign it instead of amending it.")


def _session(patient: Patient, session_id: int) -> AssessmentSession:
    return get_object_or_404(
        AssessmentSession.objects.select_related(
            "battery", "administered_by", "episode", "ended_by"
        ),
        pk=session_id,
        patient=patient,
    )


def _administration(patient: Patient, administration_id: int) -> Administration:
    return get_object_or_404(
        Administration.objects.select_related(
            "session", "signed_by", "current_amendment__amended_by"
        ),
        pk=administration_id,
        session__patient=patient,
    )


def _teams(user):
    return user.teams.all() if hasattr(user, "teams") else None


# --- sessions ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@patient_view(write=True)
def session_list(request: HttpRequest, patient: Patient) -> HttpResponse:
    action = reverse("assessment:sessions", kwargs={"patient_id": patient.pk})
    # The current episode; after a discharge the discharged one (a follow-up assessment).
    episode = Episode.objects.current_or_last_for(patient)
    form = SessionStartForm(
        request.POST or None,
        teams=_teams(request.user),
        action=action,
        rated_choices=selectors.clinicians_who_may_be_rated(episode),
        actor=request.user,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid() and episode is None:
            form.add_error(None, _("The patient has no episode of care: add a referral first."))
        elif form.is_valid():
            try:
                session = services.session_start(
                    actor=request.user,
                    patient=patient,
                    episode=episode,
                    time_point=form.cleaned_data["time_point"],
                    on=form.cleaned_data["date"],
                    battery=form.cleaned_data["battery"],
                    instrument_keys=form.cleaned_data["instruments"] or None,
                    rated_clinician=form.cleaned_data.get("rated_clinician"),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Session started."))
                return redirect("assessment:session", patient_id=patient.pk, session_id=session.pk)
        status = 400
    return render(
        request,
        "assessment/session_list.html",
        {
            "patient": patient,
            "form": form,
            "sessions": selectors.sessions_for(patient),
            "names": short_names(),
        },
        status=status,
    )


@require_GET
@patient_view()
def session_detail(request: HttpRequest, patient: Patient, session_id: int) -> HttpResponse:
    session = _session(patient, session_id)
    administrations = selectors.session_administrations(session)
    work = selectors.work_and_healthcare_current(session)
    return render(
        request,
        "assessment/session_detail.html",
        {
            "patient": patient,
            "session": session,
            "administrations": administrations,
            "names": short_names(),
            "may_discard": not session.is_discarded
            and not any(a.is_signed for a in administrations),
            "work": work,
            "work_rows": [work] if work else [],
            "has_ratings": any(a.is_rating for a in administrations),
            "link_form": PatientLinkForm(patient=patient),
        },
    )


@require_POST
@patient_view(write=True)
def session_discard(request: HttpRequest, patient: Patient, session_id: int) -> HttpResponse:
    """Discard a session started by mistake, while nothing in it is signed."""
    session = _session(patient, session_id)
    try:
        services.session_discard(actor=request.user, session=session)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("assessment:session", patient_id=patient.pk, session_id=session.pk)
    messages.success(request, _("Session discarded. Nothing in it was signed."))
    return redirect("assessment:sessions", patient_id=patient.pk)


@require_POST
@patient_view(write=True)
def session_end(request: HttpRequest, patient: Patient, session_id: int) -> HttpResponse:
    """Mark the session over: the patient's ratings of it become visible (issue #13)."""
    session = _session(patient, session_id)
    try:
        services.session_end(actor=request.user, session=session)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Session marked as ended. The patient's ratings are shown."))
    return redirect("assessment:session", patient_id=patient.pk, session_id=session.pk)


@require_http_methods(["GET", "POST"])
@patient_view(write=True)
def work_and_healthcare(request: HttpRequest, patient: Patient, session_id: int) -> HttpResponse:
    """Work status and healthcare use at this session's time point (issue #14), clinician-entered.
    A save is a new version; the form opens with the one in force."""
    session = _session(patient, session_id)
    current = selectors.work_and_healthcare_current(session)
    initial = (
        {name: getattr(current, name) for name in WorkAndHealthcareUse.FIELDS} if current else None
    )
    form = WorkAndHealthcareForm(
        request.POST or None,
        initial=initial,
        action=reverse(
            "assessment:work_and_healthcare",
            kwargs={"patient_id": patient.pk, "session_id": session.pk},
        ),
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.work_and_healthcare_record(
                    actor=request.user, session=session, data=form.cleaned_data
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Work status and healthcare use saved."))
                return redirect("assessment:session", patient_id=patient.pk, session_id=session.pk)
        status = 400
    return render(
        request,
        "assessment/work_and_healthcare.html",
        {"patient": patient, "session": session, "form": form, "current": current},
        status=status,
    )


@require_POST
@patient_view(write=True)
def patient_link_issue(request: HttpRequest, patient: Patient, session_id: int) -> HttpResponse:
    session = _session(patient, session_id)
    consent_missing = ""
    form = PatientLinkForm(request.POST, patient=patient)
    status, url, link = 400, None, None
    if form.is_valid():
        try:
            link, token = services.patient_link_issue(
                actor=request.user,
                session=session,
                language=form.cleaned_data["language"] or None,
            )
        except ValidationError as exc:
            if exc.code == "consent_missing":
                consent_missing = " ".join(exc.messages)
            elif exc.code in ("wording_missing", "unknown_language"):
                form.add_error("language", exc)  # beside the language chosen, which is kept
            else:
                messages.error(request, " ".join(exc.messages))
        else:
            status, url = 200, request.build_absolute_uri(reverse("assessment:link", args=[token]))
            form = PatientLinkForm(patient=patient)
    # The token is shown once, here; only its hash is stored.
    return render(
        request,
        "assessment/session_detail.html",
        {
            "patient": patient,
            "session": session,
            "administrations": (administrations := selectors.session_administrations(session)),
            "has_ratings": any(a.is_rating for a in administrations),
            "names": short_names(),
            "link": link,
            "link_url": url,
            "consent_missing": consent_missing,
            "link_form": form,
            "may_upload_wording": can_manage_item_text(request.user),
        },
        status=status,
    )


# --- administration: form, live score, sign, amend ---------------------------------------------


def _preview(definition, answers) -> dict:
    try:
        return _with_policy_band(services.score_answers(definition.key, answers))
    except ValidationError as exc:
        return {"error": " ".join(exc.messages)}


def _signed_score(administration: Administration) -> dict | None:
    """The score in force of a signed result with the band stored when it was signed or
    amended (the page reads it, never re-derives it)."""
    score = administration.current_score
    if not score or not score.get("scorable"):
        return score
    return {**score, "band": administration.band}


def _with_policy_band(score: dict | None) -> dict | None:
    """A live (draft or preview) score with the clinic-policy band (yellow_flags.POLICY_BANDS)
    where the definition has none. Signed results carry their band (``_signed_score``)."""
    if score and score.get("scorable") and not score.get("band"):
        found = yellow_flags.policy_band(score.get("instrument", ""), "total", score.get("total"))
        if found:
            score = {
                **score,
                "policy_band": {"name": found[0], "label": found[1], "level": found[2]},
            }
    return score


@require_http_methods(["GET", "POST"])
@patient_view(write=True)
def administration_form(
    request: HttpRequest, patient: Patient, administration_id: int
) -> HttpResponse:
    administration = _administration(patient, administration_id)
    definition = instruments.get(administration.instrument_key)
    if administration.session.is_discarded and not administration.is_signed:
        messages.error(request, gettext(services.SESSION_DISCARDED))
        return redirect(
            "assessment:session", patient_id=patient.pk, session_id=administration.session_id
        )
    if administration.hidden_from_clinician:
        # The patient's rating of a session still running: not shown, not changeable here
        # (AssessmentSession.ratings_visible). GET says so; POST changes nothing.
        return render(
            request,
            "assessment/rating_hidden.html",
            {"patient": patient, "administration": administration, "definition": definition},
            status=200 if request.method == "GET" else 400,
        )
    context = {
        "patient": patient,
        "administration": administration,
        "definition": definition,
        "amendments": administration.amendments.select_related("amended_by"),
    }
    if administration.is_signed:
        if request.method == "POST":
            messages.error(request, SIGNED_CANNOT_CHANGE)
            status = 400
        else:
            status = 200
        context.update(
            score=_signed_score(administration),
            answers_table=_answers_table(definition, administration.current_answers),
        )
        return render(request, "assessment/administration_signed.html", context, status=status)

    form = AdministrationForm(
        request.POST or None,
        definition=definition,
        initial_answers=administration.answers,
        administration=administration,
        # The clinic's English wording, where uploaded: the clinician reads the questions too.
        wording=selectors.item_texts_for([definition.key], selectors.BUNDLED_LANGUAGE).get(
            definition.key
        ),
    )
    status, saving = 200, FormSave(form)
    if request.method == "POST":
        sign = "sign" in request.POST
        save = services.administration_sign if sign else services.administration_save_draft
        saving = save_form(
            form,
            lambda: save(
                actor=request.user,
                administration=administration,
                answers=form.answers(),
                edit_token=concurrency.posted_token(request),
            ),
        )
        if saving.saved and sign:
            messages.success(request, _("%(name)s signed.") % {"name": definition.short_name})
            return redirect(
                "assessment:session",
                patient_id=patient.pk,
                session_id=administration.session_id,
            )
        if saving.saved:
            messages.success(request, _("Draft saved."))
            return redirect(request.path)
        if saving.conflict:
            # 409: the typed answers stay in the form; the saved ones are shown beside them.
            context["saved_answers"] = _answers_table(definition, saving.conflict.current.answers)
        status = saving.status
        score = _preview(definition, answers_from_post(definition, request.POST))
    else:
        score = _with_policy_band(administration.score) or _preview(
            definition, administration.answers
        )
    context.update(form=form, score=score, conflict=saving.conflict)
    return render(request, "assessment/administration_form.html", context, status=status)


def _answers_table(definition, answers: dict) -> list[tuple]:
    return [(item, answers.get(item.id)) for item in definition.items]


@require_POST
@patient_view()
def score_preview(request: HttpRequest, patient: Patient, administration_id: int) -> HttpResponse:
    """htmx: the live score for what is typed so far. Writes nothing."""
    administration = _administration(patient, administration_id)
    definition = instruments.get(administration.instrument_key)
    score = _preview(definition, answers_from_post(definition, request.POST))
    return render(
        request,
        "assessment/_score_preview.html",
        {
            "score": score,
            "definition": definition,
            "decision_at_stake": selectors.decision_at_stake(administration, score),
        },
    )


@require_http_methods(["GET", "POST"])
@patient_view(write=True)
def administration_amend(
    request: HttpRequest, patient: Patient, administration_id: int
) -> HttpResponse:
    administration = _administration(patient, administration_id)
    definition = instruments.get(administration.instrument_key)
    if not administration.is_signed:
        messages.error(request, DRAFT_CANNOT_AMEND)
        return render(
            request,
            "assessment/administration_signed.html",
            {
                "patient": patient,
                "administration": administration,
                "definition": definition,
                "score": administration.score,
                "answers_table": [],
            },
            status=400,
        )
    form = AdministrationForm(
        request.POST or None, definition=definition, initial_answers=administration.current_answers
    )
    reason_form = AmendForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid() and reason_form.is_valid():
            try:
                services.administration_amend(
                    actor=request.user,
                    administration=administration,
                    answers=form.answers(),
                    reason=reason_form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                reason_form.add_error(None, exc)
            else:
                messages.success(request, _("Amendment saved; the original is kept."))
                return redirect(
                    "assessment:administration",
                    patient_id=patient.pk,
                    administration_id=administration.pk,
                )
        status = 400
        score = _preview(definition, answers_from_post(definition, request.POST))
    else:
        score = _signed_score(administration)
    return render(
        request,
        "assessment/administration_amend.html",
        {
            "patient": patient,
            "administration": administration,
            "definition": definition,
            "form": form,
            "reason_form": reason_form,
            "score": score,
            "decision_at_stake": selectors.decision_at_stake(administration, score),
        },
        status=status,
    )


# --- profile, charts, matched care, formulation ------------------------------------------------


@require_GET
@patient_view()
def profile(request: HttpRequest, patient: Patient) -> HttpResponse:
    data = selectors.profile_data(patient)
    rows = yellow_flags.yellow_flag_profile(data["latest"], data["change"])
    outcomes = yellow_flags.outcome_rows(data["latest"], data["change"])
    names = short_names()
    suggestion = yellow_flags.matched_care_suggestion(data["latest"])
    decision_form = MatchedCareForm(
        action=reverse("assessment:decide", kwargs={"patient_id": patient.pk})
    )
    return render(
        request,
        "assessment/profile.html",
        {
            "patient": patient,
            "rows": rows,
            "outcomes": outcomes,
            "headline": yellow_flags.headline(rows, names),
            "names": names,
            "latest": data["latest"],
            "chart_keys": sorted(
                data["series"], key=lambda k: list(names).index(k) if k in names else 99
            ),
            "suggestion": suggestion,
            "decision": selectors.latest_decision(patient),
            "decision_form": decision_form,
            "cycle": yellow_flags.cycle_placement(rows + outcomes),
            "formulation": selectors.latest_formulation(patient),
            "red_flag": selectors.red_flag_status(patient),
            "checklist": yellow_flags.CHECKLIST,
            "definitions": _definitions_shown(rows + outcomes, suggestion),
            "work_rows": selectors.work_and_healthcare_over_time(patient),
        },
    )


def _definitions_shown(rows, suggestion) -> list:
    """The definitions behind the numbers on the profile, for their "Sources and policy"."""
    keys = [row.key for row in rows if row.key]
    if suggestion is not None:
        keys.append(suggestion.key)
    return [instruments.get(key) for key in dict.fromkeys(keys)]


@require_GET
@patient_view()
def profile_chart(request: HttpRequest, patient: Patient, key: str) -> HttpResponse:
    chart = figures.measure_chart(patient, key)
    if chart is None:
        return HttpResponse(status=404)
    response = HttpResponse(chart.content, content_type="image/png")
    response["ETag"] = chart.etag
    return response


@require_POST
@patient_view(write=True)
def matched_care_decide(request: HttpRequest, patient: Patient) -> HttpResponse:
    suggestion = yellow_flags.matched_care_suggestion(selectors.latest_scores(patient))
    form = MatchedCareForm(
        request.POST, action=reverse("assessment:decide", kwargs={"patient_id": patient.pk})
    )
    if form.is_valid():
        try:
            services.matched_care_decide(
                actor=request.user,
                patient=patient,
                chosen_pathway=form.cleaned_data["chosen_pathway"],
                rationale=form.cleaned_data["rationale"],
                suggestion=suggestion.as_dict() if suggestion else None,
            )
        except ValidationError as exc:
            form.add_error("rationale", exc)
        else:
            messages.success(request, _("Pathway decision recorded."))
            return redirect("assessment:profile", patient_id=patient.pk)
    return render(
        request,
        "assessment/decision_form.html",
        {"patient": patient, "form": form, "suggestion": suggestion},
        status=400,
    )


@require_http_methods(["GET", "POST"])
@patient_view(write=True)
def formulation(request: HttpRequest, patient: Patient) -> HttpResponse:
    current = selectors.latest_formulation(patient)
    initial = {}
    if current is not None:
        initial = {**current.flags, "notes": current.notes}
    form = FormulationForm(
        request.POST or None,
        initial=initial,
        formulation_state=services.formulation_state(patient),
    )
    status, saving = 200, FormSave(form)
    if request.method == "POST":
        saving = save_form(
            form,
            lambda: services.formulation_record(
                actor=request.user,
                patient=patient,
                flags=form.flags(),
                notes=form.cleaned_data["notes"],
                edit_token=concurrency.posted_token(request),
            ),
        )
        if saving.saved:
            messages.success(request, _("Formulation saved."))
            return redirect("assessment:profile", patient_id=patient.pk)
        if saving.conflict:  # the typed checklist stays; the newest saved version above it
            current = selectors.latest_formulation(patient)
        status = saving.status
    return render(
        request,
        "assessment/formulation_form.html",
        {
            "patient": patient,
            "form": form,
            "current": current,
            **saving.context(),
            "red_flag": selectors.red_flag_status(patient),
        },
        status=status,
    )


# --- red-flag screen (issue #10) ---------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@patient_view(write=True)
def red_flag_screen(request: HttpRequest, patient: Patient) -> HttpResponse:
    """The episode's red-flag screens, a new screen, and the open referral's follow-up."""
    episode = Episode.objects.current_for(patient)
    form = RedFlagScreenForm(
        request.POST if request.POST.get("action") == "screen" else None,
        initial={"screened_on": timezone.localdate()},
    )
    open_referral = services.open_red_flag_referral(episode)
    outcome_form = RedFlagOutcomeForm(
        request.POST if request.POST.get("action") == "outcome" else None
    )
    status = 200
    if request.method == "POST":
        status = 400
        if episode is None:
            messages.error(request, _("The patient has no open episode of care."))
        elif request.POST.get("action") == "screen" and form.is_valid():
            try:
                services.red_flag_screen_record(
                    actor=request.user, episode=episode, data=form.cleaned_data
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("Red-flag screen recorded."))
                return redirect("assessment:red_flags", patient_id=patient.pk)
        elif (
            request.POST.get("action") == "outcome"
            and open_referral is not None
            and outcome_form.is_valid()
        ):
            try:
                services.red_flag_referral_outcome_record(
                    actor=request.user,
                    screen=open_referral,
                    outcome=outcome_form.cleaned_data["referral_outcome"],
                    on=outcome_form.cleaned_data["referral_outcome_on"],
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    outcome_form.add_error(field if field in outcome_form.fields else None, errors)
            else:
                messages.success(request, _("The outcome of the referral is recorded."))
                return redirect("assessment:red_flags", patient_id=patient.pk)
    screens = selectors.red_flag_screens(episode)
    return render(
        request,
        "assessment/red_flags.html",
        {
            "patient": patient,
            "episode": episode,
            "form": form,
            "outcome_form": outcome_form,
            # The open referral as listed (with its destination and urgency in words).
            "open_referral": next((sc for sc in screens if sc.referral_open), None),
            "screens": screens,
            "accuracy_note": red_flags.ACCURACY_NOTE,
            "accuracy_sources": red_flags.ACCURACY_SOURCES,
        },
        status=status,
    )


# --- the patient's self-report link (public) ---------------------------------------------------


def _link_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    status = 404 if exc.code == "invalid" else 410
    return render(
        request, "patient_link/closed.html", {"message": " ".join(exc.messages)}, status=status
    )


@require_http_methods(["GET", "POST"])
@public_view
def patient_link(request: HttpRequest, token: str) -> HttpResponse:
    """The battery on the patient's phone. Every change is saved (htmx posts the form); the
    page can be left and reopened until the answers are sent."""
    try:
        link = services.patient_link_redeem(token=token)
    except ValidationError as exc:
        return _link_error(request, exc)
    # The whole answer in the link's language: the questions (the clinic's uploaded wording)
    # and the page around them (issue #14).
    with translation.override(link.language):
        response = _patient_link_page(request, token, link)
        response.headers.setdefault("Content-Language", link.language)
        return response


def _patient_link_page(request: HttpRequest, token: str, link) -> HttpResponse:
    administrations = services.patient_link_administrations(link)
    if request.method == "POST":
        try:
            for administration in administrations:
                definition = instruments.get(administration.instrument_key)
                prefix = f"a{administration.pk}-item_"
                given = {
                    item.id: request.POST[prefix + item.id]
                    for item in definition.items
                    if request.POST.get(prefix + item.id)
                }
                changed = {
                    k: v for k, v in given.items() if str(administration.answers.get(k)) != v
                }
                for item_id, value in changed.items():
                    services.patient_link_save_answer(
                        token=token,
                        administration_id=administration.pk,
                        item_id=item_id,
                        value=value,
                    )
            if "send" in request.POST:
                services.patient_link_submit(token=token)
                return render(request, "patient_link/thanks.html", {"link": link})
        except ValidationError as exc:
            if exc.code in ("invalid", "used", "expired"):
                return _link_error(request, exc)
            # The message may quote what was typed: rendered through a template (escaped), never
            # as a bare text/html body (issue #15: reflected input on the public link). The
            # scorer's and the session's messages are the clinician's: the patient reads one
            # plain message in the page's language.
            problem = str(services.LINK_ANSWER_NOT_SAVED)
            if request.htmx:
                # htmx swaps only 2xx answers: the patient must see why nothing was saved.
                return render(request, "patient_link/_saved.html", {"problem": problem})
            return _fill_page(request, link, administrations, problem=problem, status=400)
        if request.htmx:
            return render(request, "patient_link/_saved.html", {"link": link})
        return redirect(request.path)
    return _fill_page(request, link, administrations)


def _fill_page(
    request: HttpRequest, link, administrations, *, problem: str = "", status: int = 200
) -> HttpResponse:
    forms_ = []
    wording = services.patient_link_wording(link, administrations)
    for administration in administrations:
        definition = instruments.get(administration.instrument_key)
        uploaded = wording.get(definition.key)
        # The stem in the link's language: the clinic's upload, else the definition's own
        # (English, where its licence lets it ship).
        instructions = (uploaded.instructions if uploaded else "") or (
            definition.instructions if link.language == selectors.BUNDLED_LANGUAGE else ""
        )
        forms_.append(
            (
                administration,
                definition,
                AdministrationForm(
                    definition=definition,
                    initial_answers=administration.answers,
                    prefix=f"a{administration.pk}",
                    wording=uploaded,
                ),
                instructions,
            )
        )
    return render(
        request,
        "patient_link/fill.html",
        {
            "forms": forms_,
            "link": link,
            "problem": problem,
            "rates_the_session": any(a.is_rating for a in administrations),
        },
        status=status,
    )


@require_GET
@patient_view()
def summary(request: HttpRequest, patient: Patient) -> HttpResponse:
    """htmx partial for the patient page: the profile's headline and drafts waiting to be signed."""
    latest = selectors.latest_scores(patient)
    rows = yellow_flags.yellow_flag_profile(latest)
    return render(
        request,
        "assessment/_summary.html",
        {
            "headline": yellow_flags.headline(rows, short_names()),
            "has_scores": bool(latest),
            "drafts": selectors.drafts_waiting(patient),
            "decision": selectors.latest_decision(patient),
        },
    )


# --- the clinic's licensed questionnaire wording (issue #14) ----------------------------------


def _definition_or_404(key: str):
    try:
        return instruments.get(key)
    except KeyError:
        raise Http404("No such questionnaire.") from None


@require_GET
@item_text_admin_view
def item_text_list(request: HttpRequest) -> HttpResponse:
    """Every questionnaire with its licence and the languages its wording is available in."""
    return render(
        request,
        "assessment/item_text_list.html",
        {"rows": selectors.item_text_overview(), "languages": settings.LANGUAGES},
    )


@require_http_methods(["GET", "POST"])
@item_text_admin_view
def item_text_upload(request: HttpRequest, key: str) -> HttpResponse:
    """Upload the wording of one questionnaire in one language; its history below."""
    definition = _definition_or_404(key)
    form = ItemTextUploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                text = services.item_text_upload(
                    actor=request.user,
                    instrument_key=definition.key,
                    language=form.cleaned_data["language"],
                    licence_reference=form.cleaned_data["licence_reference"],
                    instructions=form.cleaned_data["instructions"],
                    items_text=form.cleaned_data["items_text"],
                    options_text=form.cleaned_data["option_labels"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    _("The %(name)s wording in %(language)s is saved and used for new links.")
                    % {
                        "name": definition.short_name,
                        "language": selectors.language_name(text.language),
                    },
                )
                return redirect("assessment:item_text", key=definition.key)
        status = 400
    return render(
        request,
        "assessment/item_text_upload.html",
        {
            "definition": definition,
            "form": form,
            "history": selectors.item_text_history(definition),
            "bundled": definition.licence.item_text_bundled,
        },
        status=status,
    )


@require_POST
@item_text_admin_view
def item_text_retire(request: HttpRequest, key: str) -> HttpResponse:
    definition = _definition_or_404(key)
    language = request.POST.get("language", "")
    try:
        services.item_text_retire(
            actor=request.user, instrument_key=definition.key, language=language
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("assessment:item_text", key=definition.key)
    messages.success(
        request,
        _("The %(name)s wording in %(language)s is withdrawn: new links in it are refused.")
        % {"name": definition.short_name, "language": selectors.language_name(language)},
    )
    return redirect("assessment:item_text", key=definition.key)
