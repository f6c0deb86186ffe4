"""Treatment pages. Each view: access through the policy, a form, one service or selector, render.

Objects under a patient are fetched scoped to that patient (404 otherwise).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessment import selectors as assessment_selectors
from painclinic import concurrency
from painclinic.form_save import FormSave, save_form
from painclinic.i18n import supported_language
from patients.access import patient_view
from patients.models import Episode, Patient
from treatment import documents, figures, handouts, selectors, services
from treatment.forms import (
    ExposureNotDoneForm,
    ExposureOutcomeForm,
    ExposurePredictionForm,
    FlareUpForm,
    GoalForm,
    GoalReviewAmendForm,
    GoalReviewForm,
    HierarchyItemForm,
    MoveForm,
    PacingLogForm,
    PacingPlanForm,
    PacingScheduleChangeForm,
    PlanForm,
    RetireForm,
    ScedOutcomeForm,
    SuggestionDecisionForm,
)
from treatment.models import (
    DEFAULT_SETBACK_TEXT,
    FLAG_INSTRUMENTS,
    SAFETY_NET_DEFAULT,
    Goal,
    GoalReview,
    HierarchyItem,
    SuggestionDecision,
)

if TYPE_CHECKING:
    from painclinic.chart_cache import Chart
    from patients.models import Patient

NO_OPEN_EPISODE = _("There is no open episode: open one before planning treatment.")


def _url(name: str, patient: Patient, **kwargs) -> str:
    return reverse(f"treatment:{name}", kwargs={"patient_id": patient.pk, **kwargs})


def _overview(request: HttpRequest, patient: Patient, status: int = 200, **extra) -> HttpResponse:
    context = {"patient": patient, **selectors.treatment_overview(patient), **extra}
    context.setdefault("hierarchy_form", HierarchyItemForm(action=_url("hierarchy", patient)))
    return render(request, "treatment/overview.html", context, status=status)


@require_GET
@patient_view()
def overview(request: HttpRequest, patient: Patient) -> HttpResponse:
    return _overview(request, patient)


@require_GET
@patient_view()
def section(request: HttpRequest, patient: Patient) -> HttpResponse:
    """The summary on the patient page, loaded by htmx so the patient page stays at its pinned
    query count (tests/patients/test_query_counts.py)."""
    context = {"patient": patient, **selectors.treatment_overview(patient)}
    return render(request, "treatment/_section_body.html", context)


# --- plan -------------------------------------------------------------------------------------


def _profile_flags(scores: dict) -> set[str]:
    return {flag for flag, keys in FLAG_INSTRUMENTS.items() if any(k in scores for k in keys)}


@require_http_methods(["GET", "POST"])
@patient_view(write=True)
def plan_edit(request: HttpRequest, patient: Patient, episode_id: int) -> HttpResponse:
    episode = selectors.episode_for(patient, episode_id)
    plan = selectors.current_plan(episode)
    team = selectors.care_team_users(episode)
    flags = _profile_flags(selectors.profile_scores(patient))
    conflict = None
    status = 200
    if request.method == "POST":
        form = PlanForm(request.POST, team=team, profile_flags=flags, new=plan is None)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.plan_save(
                    actor=request.user,
                    episode=episode,
                    formulation=data["formulation"],
                    yellow_flags=data["yellow_flags"],
                    focus_areas=data["focus_areas"],
                    interventions=data["interventions"],
                    expected_version=data["version"],
                    change_reason=data["change_reason"],
                )
            except services.EditConflict as exc:
                # Keep everything typed; show what the other clinician signed; saving again
                # goes on top of their version, on purpose.
                conflict = exc
                posted = concurrency.posted_on_top_of(request, exc.current)
                form = PlanForm(posted, team=team, profile_flags=flags, new=exc.current is None)
                form.is_valid()
                plan = exc.current
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The treatment plan is signed."))
                return redirect(_url("overview", patient))
        status = 409 if conflict else 400
    else:
        initial = PlanForm.initial_from(plan, selectors.accepted_interventions(episode))
        form = PlanForm(initial=initial, team=team, profile_flags=flags, new=plan is None)
    return render(
        request,
        "treatment/plan_form.html",
        {
            "patient": patient,
            "episode": episode,
            "plan": plan,
            "form": form,
            "conflict": conflict,
            "suggestions": selectors.suggestion_rows(patient, episode, plan=plan),
        },
        status=status,
    )


@require_GET
@patient_view()
def plan_history(request: HttpRequest, patient: Patient, episode_id: int) -> HttpResponse:
    episode = selectors.episode_for(patient, episode_id)
    return render(
        request,
        "treatment/plan_history.html",
        {
            "patient": patient,
            "episode": episode,
            "plans": selectors.plan_history(episode),
            "decisions": selectors.decision_history(episode),
        },
    )


@require_POST
@patient_view(write=True)
def suggestion_decide(request: HttpRequest, patient: Patient, episode_id: int) -> HttpResponse:
    episode = selectors.episode_for(patient, episode_id)
    form = SuggestionDecisionForm(request.POST)
    if form.is_valid():
        suggestion = selectors.suggestion_by_key(patient, episode, form.cleaned_data["rule_key"])
        if suggestion is None:
            form.add_error(None, gettext(services.UNKNOWN_SUGGESTION))
        else:
            services.suggestion_decide(
                actor=request.user,
                episode=episode,
                suggestion=suggestion,
                decision=form.cleaned_data["decision"],
                note=form.cleaned_data["note"],
            )
            word = (
                _("accepted")
                if form.cleaned_data["decision"] == SuggestionDecision.ACCEPTED
                else _("declined")
            )
            messages.success(
                request,
                _("Suggestion %(word)s: %(title)s.")
                % {"word": word, "title": suggestion.rule.title},
            )
            return redirect(_url("overview", patient) + "#suggestions")
    return _overview(request, patient, status=400, decision_form=form)


# --- goals ------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@patient_view(write=True)
def goal_add(request: HttpRequest, patient: Patient) -> HttpResponse:
    episode = Episode.objects.current_for(patient)
    form = GoalForm(request.POST or None)
    if request.method == "POST":
        if episode is None:
            form.add_error(None, NO_OPEN_EPISODE)
        elif form.is_valid():
            try:
                goal = services.goal_create(
                    actor=request.user, episode=episode, data=form.cleaned_data
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Goal set."))
                return redirect(_url("goal_detail", patient, goal_id=goal.pk))
    status = 400 if request.method == "POST" else 200
    return render(
        request, "treatment/goal_form.html", {"patient": patient, "form": form}, status=status
    )


def _goal(patient: Patient, goal_id: int) -> Goal:
    return get_object_or_404(Goal, pk=goal_id, episode__patient=patient)


def _goal_page(request, patient, goal, review_form, status=200, retire_form=None) -> HttpResponse:
    goals = selectors.goals_for(goal.episode)
    this = next(g for g in goals if g.pk == goal.pk)
    reviews = list(this.reviews.all())
    return render(
        request,
        "treatment/goal_detail.html",
        {
            "patient": patient,
            "goal": this,
            "reviews": reviews,
            "review_form": review_form,
            "retire_form": retire_form or RetireForm(),
            "editable": not reviews and not this.is_retired,
            "gas_history": selectors.gas_history(goals),
            "n_goals": len([g for g in goals if not g.is_retired]),
        },
        status=status,
    )


@require_GET
@patient_view()
def goal_detail(request: HttpRequest, patient: Patient, goal_id: int) -> HttpResponse:
    goal = _goal(patient, goal_id)
    form = GoalReviewForm(action=_url("goal_review", patient, goal_id=goal.pk))
    return _goal_page(request, patient, goal, form)


@require_POST
@patient_view(write=True)
def goal_review(request: HttpRequest, patient: Patient, goal_id: int) -> HttpResponse:
    goal = _goal(patient, goal_id)
    form = GoalReviewForm(request.POST, action=_url("goal_review", patient, goal_id=goal.pk))
    if form.is_valid():
        try:
            services.goal_review_record(actor=request.user, goal=goal, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Review recorded."))
            return redirect(_url("goal_detail", patient, goal_id=goal.pk) + "#gas")
    return _goal_page(request, patient, goal, form, status=400)


@require_http_methods(["GET", "POST"])
@patient_view(write=True)
def goal_edit(request: HttpRequest, patient: Patient, goal_id: int) -> HttpResponse:
    """Change the wording, levels or weight of a goal before its first review (after it, the
    service refuses and says why: services.GOAL_REVIEWED)."""
    goal = get_object_or_404(
        Goal.objects.prefetch_related("reviews"), pk=goal_id, episode__patient=patient
    )
    locked = (
        gettext(services.GOAL_RETIRED)
        if goal.is_retired
        else gettext(services.GOAL_REVIEWED)
        if goal.reviews.all()
        else ""
    )
    form = GoalForm(
        request.POST if request.method == "POST" else None,
        instance=goal,
        submit_label=_("Save the goal"),
    )
    saving = FormSave(form)
    if request.method == "POST":
        if locked:
            form.is_valid()  # so the refusal can sit beside what was typed
            form.add_error(None, locked)
        else:
            saving = save_form(
                form,
                lambda: services.goal_update(
                    actor=request.user,
                    goal=goal,
                    data=form.cleaned_data,
                    edit_token=concurrency.posted_token(request),
                ),
            )
            if saving.saved:
                messages.success(request, _("Goal changed."))
                return redirect(_url("goal_detail", patient, goal_id=goal.pk))
    return render(
        request,
        "treatment/goal_form.html",
        {"patient": patient, "form": form, "goal": goal, "locked": locked, **saving.context()},
        status=saving.status if request.method == "POST" else 200,
    )


@require_POST
@patient_view(write=True)
def goal_retire(request: HttpRequest, patient: Patient, goal_id: int) -> HttpResponse:
    goal = _goal(patient, goal_id)
    form = RetireForm(request.POST)
    if form.is_valid():
        try:
            services.goal_retire(actor=request.user, goal=goal, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Goal retired; it stays on record with your reason."))
            return redirect(_url("overview", patient) + "#goals")
    review_form = GoalReviewForm(action=_url("goal_review", patient, goal_id=goal.pk))
    return _goal_page(request, patient, goal, review_form, status=400, retire_form=form)


@require_http_methods(["GET", "POST"])
@patient_view(write=True)
def review_amend(request: HttpRequest, patient: Patient, review_id: int) -> HttpResponse:
    review = get_object_or_404(
        GoalReview.objects.select_related("goal").prefetch_related("amendments"),
        pk=review_id,
        goal__episode__patient=patient,
    )
    level, note = review.effective()
    form = GoalReviewAmendForm(
        request.POST or None, initial={"attained_level": level, "note": note}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.goal_review_amend(actor=request.user, review=review, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Review corrected; the original is kept."))
            return redirect(_url("goal_detail", patient, goal_id=review.goal_id))
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "treatment/review_amend.html",
        {"patient": patient, "review": review, "form": form},
        status=status,
    )


def _svg(chart: Chart) -> HttpResponse:
    """A chart from the chart cache (drawn there once per data version, issue #16)."""
    response = HttpResponse(chart.content, content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@patient_view()
def gas_chart(request: HttpRequest, patient: Patient) -> HttpResponse:
    return _svg(figures.gas_chart_of(patient))


# --- graded exposure --------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@patient_view(write=True)
def hierarchy(request: HttpRequest, patient: Patient) -> HttpResponse:
    form = HierarchyItemForm(request.POST or None, action=_url("hierarchy", patient))
    gate = _gate_context(request, patient, "exposure", "hierarchy-form")
    if request.method == "POST":
        if form.is_valid():
            try:
                services.hierarchy_item_add(
                    actor=request.user,
                    patient=patient,
                    data=form.cleaned_data,
                    override_reason=request.POST.get("override_reason", ""),
                )
            except ValidationError as exc:
                _gate_error(gate, form, exc)
            else:
                messages.success(request, _("Added to the hierarchy."))
                return redirect(_url("hierarchy", patient))
        status = 400
    else:
        status = 200
    return _hierarchy_page(request, patient, form=form, status=status, **gate)


def _gate_context(request, patient, context: str, form_id: str) -> dict:
    """What a planning page shows of an open red-flag referral (issue #10), and the override
    reason typed, kept when the form is re-displayed."""
    episode = Episode.objects.current_for(patient)
    return {
        "gate": assessment_selectors.safety_gate_status(episode, context),
        "form_id": form_id,
        "override_reason": request.POST.get("override_reason", ""),
        "clinical": True,
    }


def _gate_error(gate: dict, form, exc: ValidationError) -> None:
    """The override's refusal goes beside the reason box; anything else to the form."""
    if hasattr(exc, "error_dict") and "override_reason" in exc.error_dict:
        gate["gate_error"] = " ".join(exc.message_dict["override_reason"])
        form.add_error(None, gate["gate_error"])
    else:
        form.add_error(None, exc)


def _hierarchy_page(request, patient, *, form=None, status=200, **extra) -> HttpResponse:
    items = selectors.hierarchy_for(patient)
    pending = selectors.pending_for(items)
    context = {
        "patient": patient,
        "items": [i for i in items if not i.is_retired],
        "retired_items": [i for i in items if i.is_retired],
        "form": form or HierarchyItemForm(action=_url("hierarchy", patient)),
        "summary": selectors.exposure_summary(items),
        "sessions": selectors.sessions_for(items),
        "pending": pending,
        "pending_items": {p.item_id for p in pending},
        "not_done": selectors.not_done_for(items),
        "sced_form": ScedOutcomeForm(),
        "retire_form": RetireForm(),
        **extra,
    }
    return render(request, "treatment/hierarchy.html", context, status=status)


def _item(patient: Patient, item_id: int) -> HierarchyItem:
    return get_object_or_404(HierarchyItem, pk=item_id, patient=patient)


@require_http_methods(["GET", "POST"])
@patient_view(write=True)
def exposure_session_add(request: HttpRequest, patient: Patient, item_id: int) -> HttpResponse:
    """Step 1 of a behavioural experiment: the prediction, before it (services)."""
    item = _item(patient, item_id)
    waiting = selectors.pending_experiment(item)
    if waiting is not None and request.method == "GET":
        messages.info(request, gettext(services.EXPERIMENT_PENDING))
        return redirect(_url("exposure_outcome", patient, experiment_id=waiting.pk))
    form = ExposurePredictionForm(request.POST or None, item=item)
    gate = _gate_context(request, patient, "exposure", "prediction-form")
    if request.method == "POST" and form.is_valid():
        try:
            services.exposure_prediction_record(
                actor=request.user,
                item=item,
                data=form.cleaned_data,
                override_reason=request.POST.get("override_reason", ""),
            )
        except ValidationError as exc:
            _gate_error(gate, form, exc)
        else:
            messages.success(
                request,
                _("Prediction recorded. Log the outcome after the experiment."),
            )
            return redirect(_url("hierarchy", patient) + "#pending")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "treatment/exposure_form.html",
        {"patient": patient, "item": item, "form": form, "step": "prediction", **gate},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@patient_view(write=True)
def exposure_outcome(request: HttpRequest, patient: Patient, experiment_id: int) -> HttpResponse:
    """Step 2: what happened, shown against the prediction recorded before the experiment."""
    session = selectors.experiment_for(patient, experiment_id)
    if not session.is_pending and request.method == "GET":
        messages.info(request, _("The outcome of this experiment is already logged."))
        return redirect(_url("hierarchy", patient) + "#sessions")
    not_done = request.method == "POST" and "not_done" in request.POST
    form = ExposureOutcomeForm(None if not_done else request.POST or None, session=session)
    not_done_form = ExposureNotDoneForm(request.POST if not_done else None)
    bound = not_done_form if not_done else form
    if request.method == "POST" and bound.is_valid():
        try:
            if not_done:
                services.exposure_not_done_record(
                    actor=request.user, session=session, reason=bound.cleaned_data["reason"]
                )
            else:
                services.exposure_outcome_record(
                    actor=request.user, session=session, data=bound.cleaned_data
                )
        except ValidationError as exc:
            bound.add_error(None, exc)
        else:
            messages.success(
                request,
                _("Kept as not done; the step can take a new prediction.")
                if not_done
                else _("Outcome logged."),
            )
            return redirect(_url("hierarchy", patient) + "#sessions")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "treatment/exposure_form.html",
        {
            "patient": patient,
            "item": session.item,
            "form": form,
            "not_done_form": not_done_form,
            "step": "outcome",
            "experiment": session,
        },
        status=status,
    )


@require_POST
@patient_view(write=True)
def item_sced(request: HttpRequest, patient: Patient, item_id: int) -> HttpResponse:
    item = _item(patient, item_id)
    form = ScedOutcomeForm(request.POST)
    if form.is_valid():
        try:
            services.hierarchy_item_make_sced_outcome(
                actor=request.user,
                item=item,
                episode=Episode.objects.current_for(patient),
                kind=form.cleaned_data["kind"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request, _("A single-case study now measures this activity every day.")
            )
            return redirect(_url("hierarchy", patient))
    else:
        messages.error(request, _("Choose daily fear or daily performance."))
    return _hierarchy_page(request, patient, status=400, sced_form=form)


@require_POST
@patient_view(write=True)
def item_move(request: HttpRequest, patient: Patient, item_id: int) -> HttpResponse:
    """Up/down buttons: the hand order of the hierarchy, apart from the fear rating. Back on the
    page, treatment.js puts the keyboard focus on the same button of the moved step."""
    item = _item(patient, item_id)
    form = MoveForm(request.POST)
    if form.is_valid():
        direction = form.cleaned_data["direction"]
        try:
            services.hierarchy_item_move(actor=request.user, item=item, direction=direction)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            return redirect(_url("hierarchy", patient) + f"#move-{direction}-{item.pk}")
    else:
        messages.error(request, _("Move a step up or down."))
    return _hierarchy_page(request, patient, status=400)


@require_POST
@patient_view(write=True)
def item_retire(request: HttpRequest, patient: Patient, item_id: int) -> HttpResponse:
    item = _item(patient, item_id)
    form = RetireForm(request.POST)
    if form.is_valid():
        try:
            services.hierarchy_item_retire(
                actor=request.user, item=item, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request, _("Step retired; it stays on record, with its sessions, in the charts.")
            )
            return redirect(_url("hierarchy", patient))
    else:
        messages.error(request, _("Say why the step is retired."))
    return _hierarchy_page(request, patient, status=400)


@require_GET
@patient_view()
def exposure_chart(request: HttpRequest, patient: Patient) -> HttpResponse:
    items = selectors.hierarchy_for(patient)
    return _svg(figures.exposure_chart(selectors.sessions_for(items)))


@require_GET
@patient_view()
def hierarchy_chart(request: HttpRequest, patient: Patient) -> HttpResponse:
    return _svg(figures.hierarchy_chart(selectors.hierarchy_for(patient)))


# --- pacing -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@patient_view(write=True)
def pacing_list(request: HttpRequest, patient: Patient) -> HttpResponse:
    form = PacingPlanForm(request.POST or None)
    gate = _gate_context(request, patient, "pacing", "pacing-form")
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.pacing_plan_create(
                actor=request.user,
                patient=patient,
                data=form.cleaned_data,
                override_reason=request.POST.get("override_reason", ""),
            )
        except ValidationError as exc:
            _gate_error(gate, form, exc)
        else:
            messages.success(request, _("Pacing plan set."))
            return redirect(_url("pacing_detail", patient, pacing_id=plan.pk))
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "treatment/pacing_list.html",
        {
            "patient": patient,
            "form": form,
            "overviews": selectors.pacing_overviews(patient),
            **gate,
        },
        status=status,
    )


def _pacing_page(request, patient, plan, form, status=200) -> HttpResponse:
    return render(
        request,
        "treatment/pacing_detail.html",
        {"patient": patient, "o": selectors.pacing_overview(plan), "form": form},
        status=status,
    )


@require_GET
@patient_view()
def pacing_detail(request: HttpRequest, patient: Patient, pacing_id: int) -> HttpResponse:
    plan = selectors.pacing_plan_for(patient, pacing_id)
    form = PacingLogForm(action=_url("pacing_log", patient, pacing_id=plan.pk))
    return _pacing_page(request, patient, plan, form)


@require_POST
@patient_view(write=True)
def pacing_log(request: HttpRequest, patient: Patient, pacing_id: int) -> HttpResponse:
    plan = selectors.pacing_plan_for(patient, pacing_id)
    form = PacingLogForm(request.POST, action=_url("pacing_log", patient, pacing_id=plan.pk))
    if form.is_valid():
        try:
            services.pacing_log_record(actor=request.user, plan=plan, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Day logged."))
            return redirect(_url("pacing_detail", patient, pacing_id=plan.pk))
    plan = selectors.pacing_plan_for(patient, pacing_id)
    return _pacing_page(request, patient, plan, form, status=400)


@require_http_methods(["GET", "POST"])
@patient_view(write=True)
def pacing_change(request: HttpRequest, patient: Patient, pacing_id: int) -> HttpResponse:
    """A new version of the schedule from a given day; the earlier versions and the log stay."""
    plan = selectors.pacing_plan_for(patient, pacing_id)
    overview = selectors.pacing_overview(plan)
    latest = overview.versions[-1].source
    form = PacingScheduleChangeForm(
        request.POST or None,
        current_baseline=latest.baseline,
        initial={f: getattr(latest, f) for f in services.SCHEDULE_FIELDS if f != "baseline"},
        schedule_state=services.pacing_schedule_state(plan),
    )
    saving = FormSave(form)
    gate = _gate_context(request, patient, "pacing", "pacing-change-form")
    if request.method == "POST":
        saving = save_form(
            form,
            lambda: services.pacing_schedule_change(
                actor=request.user,
                plan=plan,
                effective_from=form.cleaned_data["effective_from"],
                data=form.cleaned_data,
                reason=form.cleaned_data["reason"],
                override_reason=request.POST.get("override_reason", ""),
                edit_token=concurrency.posted_token(request),
            ),
            refused=lambda form, exc: _gate_error(gate, form, exc),
        )
        if saving.saved:
            messages.success(request, _("New schedule set; the earlier one and the log are kept."))
            return redirect(_url("pacing_detail", patient, pacing_id=plan.pk))
        if saving.conflict:  # the page below shows the schedule in force now, re-read
            overview = selectors.pacing_overview(plan)
    return render(
        request,
        "treatment/pacing_change.html",
        {"patient": patient, "o": overview, "form": form, **saving.context(), **gate},
        status=saving.status if request.method == "POST" else 200,
    )


@require_GET
@patient_view()
def pacing_chart(request: HttpRequest, patient: Patient, pacing_id: int) -> HttpResponse:
    overview = selectors.pacing_overview(selectors.pacing_plan_for(patient, pacing_id))
    return _svg(figures.pacing_chart(overview))


# --- flare-up plan ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@patient_view(write=True)
def flare_up(request: HttpRequest, patient: Patient) -> HttpResponse:
    current = selectors.current_flare_up_plan(patient)
    conflict = None
    if request.method == "POST":
        form = FlareUpForm(request.POST)
        if form.is_valid():
            try:
                services.flare_up_plan_save(
                    actor=request.user,
                    patient=patient,
                    data=form.cleaned_data,
                    expected_version=form.cleaned_data["version"],
                    change_reason=form.cleaned_data["change_reason"],
                )
            except services.EditConflict as exc:
                conflict = exc
                posted = concurrency.posted_on_top_of(request, exc.current)
                form = FlareUpForm(posted)
                form.is_valid()
                current = exc.current
            except ValidationError as exc:
                if hasattr(exc, "error_dict") and "safety_net" in exc.error_dict:
                    form.add_error("safety_net", exc.message_dict["safety_net"])
                else:
                    form.add_error(None, exc)
            else:
                messages.success(request, _("The flare-up plan is signed."))
                return redirect(_url("flare_up", patient))
        status = 409 if conflict else 400
    else:
        if current is None:
            initial = {
                "version": 0,
                "opportunity_text": str(DEFAULT_SETBACK_TEXT),
                "safety_net": str(SAFETY_NET_DEFAULT),
            }
        else:
            initial = {
                "version": current.version,
                **{f: getattr(current, f) for f in services.FLARE_UP_FIELDS},
            }
        form = FlareUpForm(initial=initial)
        status = 200
    return render(
        request,
        "treatment/flare_up.html",
        {
            "patient": patient,
            "form": form,
            "current": current,
            "conflict": conflict,
            "history": selectors.flare_up_history(patient),
        },
        status=status,
    )


# --- printable documents ----------------------------------------------------------------------


def patient_document_language(request, patient) -> str:
    """The language a patient's own document (handout, summary, flare-up plan) is printed in:
    the patient's preferred language when the interface has it (painclinic.i18n), unless the
    clinician asks for another of settings.LANGUAGES with ``?language=<code>`` (e.g. to print
    it in the clinic's English). Any other value is ignored."""
    asked = request.GET.get("language", "")
    if asked in {code for code, _name in settings.LANGUAGES}:
        return asked
    return supported_language(patient.preferred_language)


def _document(request, patient, *, document, template, context, pdf) -> HttpResponse:
    """One printable document, as the print page or as a PDF of the same template (with
    ``pdf`` set, ``_print_base.html`` frames it for paper). Either way one EXPORT audit event."""
    services.document_export(
        actor=request.user, patient=patient, document=f"{document}_pdf" if pdf else document
    )
    if not pdf:
        page = render(request, template, context)
        page["Content-Language"] = translation.get_language()
        return page
    html = render_to_string(template, {**context, "pdf": True}, request=request)
    data = documents.html_to_pdf(html, base_url=request.build_absolute_uri())
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{document.replace("_", "-")}.pdf"'
    response["Cache-Control"] = "private, no-store"
    response["Content-Language"] = translation.get_language()
    return response


def _with_charts(context: dict, *, gas: bool = True) -> dict:
    """The charts inlined as data URIs (no URL for the browser or WeasyPrint to fetch). The
    patient's summary leaves out the GAS chart: its title and axis carry the clinicians' method
    (T-score, Kiresuk & Sherman, rho), and the summary's table says the same in plain words."""
    if gas and context["gas_history"]:
        chart = figures.gas_chart(context["gas_history"])
        context["gas_chart_uri"] = documents.svg_data_uri(chart.content)
    if context["sessions"]:
        chart = figures.exposure_chart(context["sessions"])
        context["exposure_chart_uri"] = documents.svg_data_uri(chart.content)
    return context


def _flare_up_document(request, patient, *, pdf) -> HttpResponse:
    """The patient's flare-up plan, in the patient's language (patient_document_language)."""
    with translation.override(patient_document_language(request, patient)):
        plan = selectors.current_flare_up_plan(patient)
        context = {"patient": patient, "plan": plan, **handouts.flare_up_texts(plan)}
        return _document(
            request,
            patient,
            document="flare_up_plan",
            template="treatment/flare_up_print.html",
            context=context,
            pdf=pdf,
        )


def _clinician_summary_document(request, patient, *, pdf) -> HttpResponse:
    """The treatment summary as it was printed before issue #14: the formulation, the goals
    with their scaled levels and scores, the exposure chart. For clinicians (a colleague, a
    case conference); the patient's own summary is views_handouts.summary."""
    context = _with_charts({"patient": patient, **selectors.treatment_overview(patient)}, gas=False)
    # The safety-netting too: the clinician's edited section of the current flare-up plan, else
    # the default (issue #10; safety.md §5).
    flare_up = selectors.current_flare_up_plan(patient)
    context["safety_net"] = flare_up.safety_net if flare_up else str(SAFETY_NET_DEFAULT)
    return _document(
        request,
        patient,
        document="clinician_summary",
        template="treatment/clinician_summary_print.html",
        context=context,
        pdf=pdf,
    )


@require_GET
@patient_view()
def flare_up_print(request: HttpRequest, patient: Patient) -> HttpResponse:
    return _flare_up_document(request, patient, pdf=False)


@require_GET
@patient_view()
def flare_up_pdf(request: HttpRequest, patient: Patient) -> HttpResponse:
    return _flare_up_document(request, patient, pdf=True)


@require_GET
@patient_view()
def clinician_summary(request: HttpRequest, patient: Patient) -> HttpResponse:
    return _clinician_summary_document(request, patient, pdf=False)


@require_GET
@patient_view()
def clinician_summary_pdf(request: HttpRequest, patient: Patient) -> HttpResponse:
    return _clinician_summary_document(request, patient, pdf=True)
