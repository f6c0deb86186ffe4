"""Treatment pages. Each view: access through the policy, a form, one service or selector, render.

Objects under a patient are fetched scoped to that patient (404 otherwise).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from painclinic.access import patient_view
from patients.models import Patient
from treatment import charts, selectors, services
from treatment.forms import (
    ExposureSessionForm,
    FlareUpForm,
    GoalForm,
    GoalReviewAmendForm,
    GoalReviewForm,
    HierarchyItemForm,
    PacingLogForm,
    PacingPlanForm,
    PlanForm,
    ScedOutcomeForm,
    SuggestionDecisionForm,
)
from treatment.models import (
    DEFAULT_SETBACK_TEXT,
    FLAG_INSTRUMENTS,
    Goal,
    GoalReview,
    HierarchyItem,
    SuggestionDecision,
)

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
                posted = request.POST.copy()
                posted["version"] = exc.current.version if exc.current else 0
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
            form.add_error(None, services.UNKNOWN_SUGGESTION)
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
    episode = selectors.current_episode(patient)
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


def _goal_page(request, patient, goal, review_form, status=200) -> HttpResponse:
    goals = selectors.goals_for(goal.episode)
    this = next(g for g in goals if g.pk == goal.pk)
    return render(
        request,
        "treatment/goal_detail.html",
        {
            "patient": patient,
            "goal": this,
            "reviews": list(this.reviews.all()),
            "review_form": review_form,
            "gas_history": selectors.gas_history(goals),
            "n_goals": len(goals),
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


def _svg(svg: str) -> HttpResponse:
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@patient_view()
def gas_chart(request: HttpRequest, patient: Patient) -> HttpResponse:
    goals = selectors.goals_for(selectors.current_episode(patient))
    points = [(p.label, p.t_score) for p in selectors.gas_history(goals)]
    return _svg(charts.gas_chart(points))


# --- graded exposure --------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@patient_view(write=True)
def hierarchy(request: HttpRequest, patient: Patient) -> HttpResponse:
    form = HierarchyItemForm(request.POST or None, action=_url("hierarchy", patient))
    if request.method == "POST":
        if form.is_valid():
            services.hierarchy_item_add(actor=request.user, patient=patient, data=form.cleaned_data)
            messages.success(request, _("Added to the hierarchy."))
            return redirect(_url("hierarchy", patient))
        status = 400
    else:
        status = 200
    items = selectors.hierarchy_for(patient)
    return render(
        request,
        "treatment/hierarchy.html",
        {
            "patient": patient,
            "items": items,
            "form": form,
            "summary": selectors.exposure_summary(items),
            "sessions": selectors.sessions_for(items),
            "sced_form": ScedOutcomeForm(),
        },
        status=status,
    )


def _item(patient: Patient, item_id: int) -> HierarchyItem:
    return get_object_or_404(HierarchyItem, pk=item_id, patient=patient)


@require_http_methods(["GET", "POST"])
@patient_view(write=True)
def exposure_session_add(request: HttpRequest, patient: Patient, item_id: int) -> HttpResponse:
    item = _item(patient, item_id)
    form = ExposureSessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.exposure_session_record(actor=request.user, item=item, data=form.cleaned_data)
        messages.success(request, _("Behavioural experiment logged."))
        return redirect(_url("hierarchy", patient) + "#sessions")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "treatment/exposure_form.html",
        {"patient": patient, "item": item, "form": form},
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
                episode=selectors.current_episode(patient),
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
    items = selectors.hierarchy_for(patient)
    return render(
        request,
        "treatment/hierarchy.html",
        {
            "patient": patient,
            "items": items,
            "form": HierarchyItemForm(action=_url("hierarchy", patient)),
            "summary": selectors.exposure_summary(items),
            "sessions": selectors.sessions_for(items),
            "sced_form": form,
        },
        status=400,
    )


@require_GET
@patient_view()
def exposure_chart(request: HttpRequest, patient: Patient) -> HttpResponse:
    items = selectors.hierarchy_for(patient)
    rows = [
        (s.session_number, s.item.activity, s.expectancy_before, s.expectancy_after, s.fear_peak)
        for s in selectors.sessions_for(items)
    ]
    return _svg(charts.exposure_chart(rows))


@require_GET
@patient_view()
def hierarchy_chart(request: HttpRequest, patient: Patient) -> HttpResponse:
    items = selectors.hierarchy_for(patient)
    by_item = {s.item: s.mean_violation for s in selectors.exposure_summary(items).items}
    rows = [(i.activity, float(i.fear_rating), by_item.get(i.activity)) for i in items]
    return _svg(charts.hierarchy_chart(rows))


# --- pacing -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@patient_view(write=True)
def pacing_list(request: HttpRequest, patient: Patient) -> HttpResponse:
    form = PacingPlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        plan = services.pacing_plan_create(
            actor=request.user, patient=patient, data=form.cleaned_data
        )
        messages.success(request, _("Pacing plan set."))
        return redirect(_url("pacing_detail", patient, pacing_id=plan.pk))
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "treatment/pacing_list.html",
        {"patient": patient, "form": form, "overviews": selectors.pacing_overviews(patient)},
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


@require_GET
@patient_view()
def pacing_chart(request: HttpRequest, patient: Patient, pacing_id: int) -> HttpResponse:
    o = selectors.pacing_overview(selectors.pacing_plan_for(patient, pacing_id))
    return _svg(charts.pacing_chart(o.daily, o.done, o.plan.unit, o.plan.activity))


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
                posted = request.POST.copy()
                posted["version"] = exc.current.version if exc.current else 0
                form = FlareUpForm(posted)
                form.is_valid()
                current = exc.current
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The flare-up plan is signed."))
                return redirect(_url("flare_up", patient))
        status = 409 if conflict else 400
    else:
        if current is None:
            initial = {"version": 0, "opportunity_text": str(DEFAULT_SETBACK_TEXT)}
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


@require_GET
@patient_view()
def flare_up_print(request: HttpRequest, patient: Patient) -> HttpResponse:
    services.document_export(actor=request.user, patient=patient, document="flare_up_plan")
    return render(
        request,
        "treatment/flare_up_print.html",
        {"patient": patient, "plan": selectors.current_flare_up_plan(patient)},
    )


@require_GET
@patient_view()
def summary(request: HttpRequest, patient: Patient) -> HttpResponse:
    services.document_export(actor=request.user, patient=patient, document="summary")
    context = {"patient": patient, **selectors.treatment_overview(patient)}
    return render(request, "treatment/summary_print.html", context)


@require_GET
@patient_view()
def gp_letter(request: HttpRequest, patient: Patient) -> HttpResponse:
    services.document_export(actor=request.user, patient=patient, document="gp_letter")
    context = {"patient": patient, **selectors.treatment_overview(patient)}
    return render(request, "treatment/gp_letter.html", context)
