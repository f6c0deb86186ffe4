"""SCED pages. Each view: the patient through the access policy, objects scoped to the patient,
a form, one service or selector, render (shared/STYLE.md §3.2)."""

from __future__ import annotations

import contextlib
import re
from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from painclinic import concurrency
from painclinic.access import public_view
from patients.access import patient_view
from patients.models import Episode, Patient
from sced import selectors, services
from sced.forms import (
    AmendForm,
    BackfillForm,
    CloseForm,
    CriterionForm,
    DiaryEntryForm,
    DiaryLinkForm,
    ImportForm,
    MeasureForm,
    RandomizeForm,
    SessionValuesForm,
    StrikeOutForm,
    StudyForm,
    ValueForm,
)
from sced.models import (
    AnalysisPlot,
    AnalysisRun,
    AnalysisState,
    DiaryLink,
    Measure,
    Measurement,
    PlotsState,
    Study,
)
from sced.stats.phases import comparison_title
from sced.visual_panel import stacked_plot, visual_panels

CONTENT_TYPES = {"png": "image/png", "svg": "image/svg+xml"}
MSG_ANALYSIS_LATER = _lazy(
    "The analysis will run when the job service is back; there is nothing more to do."
)
# Display order (sced.md §4: NAP, Tau and the trend-corrected indices first; PND/PEM last, with
# their caution) and names that tell apart indices sharing a base name.
EFFECT_ORDER = (
    "NAP",
    "Tau",
    "Tau_BC",
    "Tau_U",
    "Tau_U_SingleCaseES",
    "SMD_baseline",
    "SMD_pool",
    "LRRd",
    "LRRi",
    "LRM",
    "PoGO",
    "IRD",
    "PAND",
    "PEM",
    "PND",
)
EFFECT_LABELS = {
    "SMD_baseline": "SMD (baseline SD, Hedges g)",
    "SMD_pool": "SMD (pooled SD, Hedges g)",
    "Tau_U_SingleCaseES": "Tau-U (Parker, m·n denominator; SingleCaseES)",
}


# A reference to the design notes at the end of a stored reason, e.g. "(P9)" or
# "(sced.md §5 P11)": provenance stays in the code, never on the page (issue #9).
INTERNAL_REFERENCE = re.compile(r"\s*\((?:[a-z_]+\.md\b[^)]*|P\d+(?:,\s*P\d+)*)\)")
RANDOMIZATION_METHODS = {
    "exact": "every assignment computed",
    "monte_carlo": "a random sample of the assignments",
}


def clinic_words(text: str | None) -> str | None:
    """A stored message without its internal references."""
    return INTERNAL_REFERENCE.sub("", text) if text else text


def _effect_rows(effects: dict) -> list[dict]:
    keys = sorted(effects, key=lambda k: EFFECT_ORDER.index(k) if k in EFFECT_ORDER else 99)
    return [
        {
            **effects[k],
            "label": EFFECT_LABELS.get(k, effects[k]["name"]),
            "not_defined_reason": clinic_words(effects[k].get("not_defined_reason")),
        }
        for k in keys
    ]


def _study(patient: Patient, study_id: int) -> Study:
    return get_object_or_404(
        Study.objects.select_related("episode", "draw"), pk=study_id, episode__patient=patient
    )


def _open_episodes(patient: Patient):
    return Episode.objects.filter(patient=patient).open().select_related("team")


@require_GET
@patient_view()
def study_list(request: HttpRequest, patient: Patient) -> HttpResponse:
    return render(
        request,
        "sced/study_list.html",
        {"patient": patient, "studies": list(selectors.studies_of(patient))},
    )


@require_http_methods(["GET", "POST"])
@patient_view(write=True)
def study_create(request: HttpRequest, patient: Patient) -> HttpResponse:
    form = StudyForm(request.POST or None, episodes=_open_episodes(patient))
    if request.method == "POST" and form.is_valid():
        try:
            study = services.study_create(actor=request.user, **form.service_kwargs())
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("The study is set up. Next: draw the intervention start."))
            return redirect("sced:study_detail", patient_id=patient.pk, study_id=study.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "sced/study_create.html", {"patient": patient, "form": form}, status=status
    )


@require_http_methods(["GET", "POST"])
@patient_view(write=True)
def measure_edit(
    request: HttpRequest, patient: Patient, study_id: int, measure_id: int | None = None
) -> HttpResponse:
    """Add a process measure, or edit a measure (its direction and range only before data)."""
    study = _study(patient, study_id)
    measure = get_object_or_404(Measure, pk=measure_id, study=study) if measure_id else None
    initial = {}
    if measure is not None:
        initial = {
            k: getattr(measure, k)
            for k in ("name", "unit", "range_min", "range_max", "improvement", "description")
        }
    form = MeasureForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.measure_save(
                actor=request.user, study=study, measure=measure, **form.cleaned_data
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Measure saved."))
            return _back(patient, study)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "sced/measure_edit.html",
        {"patient": patient, "study": study, "measure": measure, "form": form},
        status=status,
    )


# Stands for a value's id in a reversed URL; never a real id.
_ID_MARK = 987654321987


def _url_of_each(name: str, kwargs: dict):
    """The URL of ``name`` for any value's id: reversed once, the id put in its place (the
    same URL ``reverse`` gives; issue #16: two reverses per row of the data table)."""
    url = reverse(name, kwargs={**kwargs, "measurement_id": _ID_MARK})
    head, tail = url.rsplit(str(_ID_MARK), 1)
    return lambda pk: f"{head}{pk}{tail}"


def _detail_context(request: HttpRequest, patient: Patient, study: Study, **forms) -> dict:
    """The study page. ``forms`` replaces an entry form by the bound one that failed, so what
    was typed comes back with its errors (value_form, backfill_form, import_form)."""
    measures = list(study.measures.all())
    latest = max(
        (
            m.session
            for measure in measures
            for m in measure.measurements.all()
            if m.struck_out_at is None
        ),
        default=0,
    )
    hidden = selectors.concealment(study, latest_session=latest, today=date.today())
    ids = {"patient_id": patient.pk, "study_id": study.pk}
    amend_url = _url_of_each("sced:measurement_amend", ids)
    strike_url = _url_of_each("sced:measurement_strike_out", ids)
    rows = []
    for measure in measures:
        starts = selectors.phase_starts_for(study, measure.pk)
        for m in measure.measurements.all():
            phase = selectors.phase_of_session(
                m.session, starts, study.phase_labels, study.atd_sequence
            )
            if hidden.concealed and hidden.until_session and m.session >= hidden.until_session:
                phase = "?"
            rows.append(
                {
                    "measure": measure,
                    "m": m,
                    "phase": phase,
                    "amend_url": amend_url(m.pk),
                    "strike_url": strike_url(m.pk),
                }
            )
    next_sessions = selectors.next_expected_sessions(study, measures, hidden=hidden)
    value_initial = {}
    if next_sessions:
        value_initial = {
            "measure": next_sessions[0].measure.pk,
            "session": next_sessions[0].session,
        }
    draw = selectors.draw_of(study)
    spans = selectors.phase_spans(study)
    now = timezone.now()
    links = [(link, link.status(now)) for link in selectors.diary_links_of(study)]
    return {
        "patient": patient,
        "study": study,
        "draw": draw,
        "measures": measures,
        "rows": rows,
        "concealment": hidden,
        # Rendered only when the start may be seen (the template's concealed branch says less).
        "phase_spans": spans,
        # (label, first, last session, criterion, still editable: no value at or after its start)
        "criterion_plan": [
            (label, first, last, study.criterion_of(label), label != "A" and latest < first)
            for label, first, last in spans
        ]
        if study.is_changing_criterion
        else [],
        "criterion_form": CriterionForm(prefix="criterion"),
        "drawn_starts": [(label, first) for label, first, _last in spans[1:]],
        "next_sessions": next_sessions,
        "next_by_measure": {str(n.measure.pk): n.session for n in next_sessions},
        "value_form": ValueForm(
            initial=value_initial, study=study, measures=measures, prefix="entry"
        ),
        "backfill_form": BackfillForm(study=study, measures=measures, prefix="backfill"),
        # One session of every measure (issue #12): offered when the study has more than one.
        "session_form": SessionValuesForm(
            initial={"session": min((n.session for n in next_sessions), default=1)},
            measures=measures,
            prefix="session",
        ),
        "import_form": ImportForm(prefix="import"),
        "randomize_form": RandomizeForm(),
        "tier_starts": selectors.tier_starts(study, measures),
        "diary_links": links,
        "diary_form": DiaryLinkForm(prefix="diary"),
        "close_form": CloseForm(prefix="close"),
        **forms,
        **_results_context(study, _aids(request)),
    }


def _aids(request: HttpRequest) -> dict:
    """The visual aids asked for on the results page (GET toggles)."""
    return {
        "shown": request.GET.get("stacked") == "1",
        "envelope": request.GET.get("envelope") == "1",
        "cdc": request.GET.get("cdc") == "1",
    }


def _results_context(study: Study, aids: dict | None = None) -> dict:
    run = selectors.latest_run(study)
    plots: dict[int, dict[str, int]] = {}
    if run is not None and run.state == AnalysisState.DONE and run.plots_state == PlotsState.READY:
        for plot in selectors.plots_of(run):
            plots.setdefault(plot.measure_id, {})[plot.kind] = plot.pk
    measures = []
    visual: dict = {}
    across_tiers: list[str] = []
    if run is not None and run.state == AnalysisState.DONE:
        panels = visual_panels(run.inputs)
        visual, across_tiers = panels["by_measure"], panels["across_tiers"]
    primary = (
        next(
            (
                e["name"]
                for e in (run.results or {}).get("measures", [])
                if e.get("role") == "primary"
            ),
            None,
        )
        if run is not None
        else None
    )
    if run is not None and run.results:
        for entry in run.results["measures"]:
            entry = dict(entry)
            entry["plots"] = plots.get(entry["measure_id"], {})
            if "analysis" in entry:
                comps = entry["analysis"]["comparisons"]
                entry["comparison_rows"] = [
                    {
                        "name": comparison_title(name),
                        "n_a": c["n_a"],
                        "n_b": c["n_b"],
                        "a": c["a"],
                        "b": c["b"],
                        "effects": _effect_rows(c["effect_sizes"]),
                    }
                    for name, c in comps.items()
                ]
            if "atd" in entry:  # alternating treatments: B sessions against A sessions
                entry["atd_effects"] = _effect_rows(entry["atd"]["effect_sizes"])
            if "reading" in entry:
                entry["reading"] = {
                    key: [clinic_words(line) for line in lines]
                    for key, lines in entry["reading"].items()
                }
            for key in ("not_ready",):
                entry[key] = clinic_words(entry.get(key))
            if "randomization" in entry:
                rand = dict(entry["randomization"])
                rand["error"] = clinic_words(rand.get("error"))
                rand["method"] = RANDOMIZATION_METHODS.get(rand.get("method"), rand.get("method"))
                entry["randomization"] = rand
            entry["visual"] = visual.get(entry["measure_id"])
            measures.append(entry)
    mbd = None
    if run is not None and run.results and "mbd" in run.results:
        # The stacked graph and the test across tiers are stored with the first tier's measure.
        mbd_plots = {k: v for p in plots.values() for k, v in p.items() if k.startswith("mbd")}
        mbd = {**run.results["mbd"], "plots": mbd_plots}
        mbd["error"] = clinic_words(mbd.get("error"))
        mbd["method"] = RANDOMIZATION_METHODS.get(mbd.get("method"), mbd.get("method"))
    return {
        "run": run,
        "mbd": mbd,
        "result_measures": measures,
        "aids": aids or {},
        "across_tiers": across_tiers,
        # Issue #12: the randomization test belongs to the primary outcome; said on the page
        # when there are other measures (not for a multiple baseline, whose tiers are all tested).
        "primary_name": primary if len(measures) > 1 and not study.is_mbd else None,
        # Not enqueued too: the panel shows when the sweep has sent the job (issue #15); and
        # while the graphs of a done run are drawn (issue #16: statistics first).
        "polling": run is not None
        and (
            run.state in (AnalysisState.QUEUED, AnalysisState.RUNNING, AnalysisState.NOT_ENQUEUED)
            or (
                run.state == AnalysisState.DONE
                and run.plots_state in (PlotsState.PENDING, PlotsState.DRAWING)
            )
        ),
        "plots_stuck": run is not None and services.plots_are_stuck(run),
        "stuck": run is not None
        and run.state != AnalysisState.DONE
        and selectors.run_is_stuck(run),
    }


def _saved(request: HttpRequest, study: Study, text: str) -> None:
    """The success message of a save; when the job service could not take the analysis, the
    values are saved all the same and the message says when the analysis will come (issue #15)."""
    study.refresh_from_db(fields=["analysis_input_hash"])  # the save named the run in force
    run = selectors.latest_run(study)
    if run is not None and run.state == AnalysisState.NOT_ENQUEUED:
        messages.warning(request, f"{text} {MSG_ANALYSIS_LATER}")
    else:
        messages.success(request, text)


@require_GET
@patient_view()
def study_detail(request: HttpRequest, patient: Patient, study_id: int) -> HttpResponse:
    try:
        study = selectors.study_page(study_id, patient)
    except Study.DoesNotExist:
        raise Http404("No such study.") from None
    return render(request, "sced/study_detail.html", _detail_context(request, patient, study))


@require_GET
@patient_view()
def results_panel(request: HttpRequest, patient: Patient, study_id: int) -> HttpResponse:
    """The results panel alone: htmx polls it every 2 s while the job is queued or running."""
    return _render_results(request, patient, _study(patient, study_id))


def _render_results(request: HttpRequest, patient: Patient, study: Study) -> HttpResponse:
    return render(
        request,
        "sced/_results.html",
        {"patient": patient, "study": study, **_results_context(study, _aids(request))},
    )


def _back(patient: Patient, study: Study, anchor: str = "") -> HttpResponse:
    url = reverse("sced:study_detail", kwargs={"patient_id": patient.pk, "study_id": study.pk})
    return redirect(url + anchor)


def _refuse(
    request: HttpRequest,
    patient: Patient,
    study: Study,
    exc: ValidationError,
    *,
    where: str = "",
    **forms,
) -> HttpResponse:
    """Re-display the study page with the service's messages; nothing is written. ``where``
    ("entry", "backfill", "import") shows the messages beside that form, opened, and ``forms``
    puts back the bound form so what was typed is kept (issue #9)."""
    page = selectors.study_page(study.pk, patient)
    context = _detail_context(request, patient, page, **forms)
    if page.is_closed:
        where = ""  # the entry forms are gone: the page's own message box says why
    context[f"{where}_errors" if where else "errors"] = exc.messages
    if where:
        context[f"{where}_needs_confirm"] = _needs_confirm(exc)
    return render(request, "sced/study_detail.html", context, status=400)


def _needs_confirm(exc: ValidationError) -> bool:
    """True when a value is after the planned sessions: the confirmation box is then shown."""
    return any(getattr(e, "code", None) == "outside_plan" for e in exc.error_list)


def _form_errors(form) -> ValidationError:
    """A form's errors as one list, each with its field's label (non-field errors as they are)."""
    out = []
    for name, errs in form.errors.items():
        label = form.fields[name].label if name in form.fields else None
        out += [f"{label}: {e}" if label and not str(e).startswith("Line ") else e for e in errs]
    return ValidationError(out)


@require_POST
@patient_view(write=True)
def study_criterion_set(request: HttpRequest, patient: Patient, study_id: int) -> HttpResponse:
    """Change the criterion of a changing-criterion phase that has not started (issue #12)."""
    study = _study(patient, study_id)
    form = CriterionForm(request.POST, prefix="criterion")
    if not form.is_valid():
        return _refuse(request, patient, study, _form_errors(form))
    try:
        services.study_criterion_set(
            actor=request.user,
            study=study,
            label=form.cleaned_data["label"],
            criterion=form.cleaned_data["criterion"],
        )
    except ValidationError as exc:
        return _refuse(request, patient, study, exc)
    _saved(request, study, _("The criterion is changed."))
    return _back(patient, study)


@require_POST
@patient_view(write=True)
def study_randomize(request: HttpRequest, patient: Patient, study_id: int) -> HttpResponse:
    study = _study(patient, study_id)
    form = RandomizeForm(request.POST)
    if not form.is_valid():
        return _refuse(request, patient, study, ValidationError(_("Check the start window.")))
    try:
        services.study_randomize(
            actor=request.user,
            study=study,
            concealed=form.cleaned_data["concealed"],
            earliest=form.cleaned_data["earliest"],
            latest=form.cleaned_data["latest"],
        )
    except ValidationError as exc:
        # A second draw is refused with the page and the reason (400: tests/test_access.py
        # expects 200/302/400 from the care team; the draw itself is never changed).
        return _refuse(request, patient, study, exc)
    messages.success(request, _("The intervention start is drawn and recorded."))
    return _back(patient, study)


@require_POST
@patient_view(write=True)
def measurement_add(request: HttpRequest, patient: Patient, study_id: int) -> HttpResponse:
    """One value at an explicit session. With htmx, answers with the refreshed data and results
    panels; an error re-shows the form as typed (and the confirmation box when the session is
    after the planned ones)."""
    study = _study(patient, study_id)
    form = ValueForm(request.POST, study=study, prefix="entry")
    error: ValidationError | None = None
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.measurement_record(
                actor=request.user,
                measure=d["measure"],
                value=d["value"],
                session=d["session"],
                confirm_outside_plan=d["confirm_outside_plan"],
            )
        except ValidationError as exc:
            error = exc
        else:
            if not request.headers.get("HX-Request"):
                _saved(request, study, _("Value saved."))
                return _back(patient, study, "#entry")
    else:
        error = _form_errors(form)
    if request.headers.get("HX-Request"):
        page = selectors.study_page(study.pk, patient)
        context = _detail_context(request, patient, page)
        if error is not None:
            context["entry_errors"] = error.messages
            context["entry_needs_confirm"] = _needs_confirm(error)
            context["value_form"] = form
        else:
            context["saved"] = True
        return render(request, "sced/_entry_and_data.html", context, status=400 if error else 200)
    assert error is not None
    return _refuse(request, patient, study, error, where="entry", value_form=form)


@require_POST
@patient_view(write=True)
def measurements_session(request: HttpRequest, patient: Patient, study_id: int) -> HttpResponse:
    """One session's value of every measure in one form (issue #12): one write, all or nothing,
    through the measurement service (audited, one analysis request). An error re-shows the form
    with every value as typed and nothing saved."""
    study = _study(patient, study_id)
    form = SessionValuesForm(request.POST, measures=study.measures.all(), prefix="session")
    if not form.is_valid():
        return _refuse(
            request, patient, study, _form_errors(form), where="session", session_form=form
        )
    session = form.cleaned_data["session"]
    rows = [services.Row(m, value, session=session) for m, value in form.values()]
    try:
        created = services.measurements_record(
            actor=request.user,
            study=study,
            rows=rows,
            confirm_outside_plan=form.cleaned_data["confirm_outside_plan"],
        )
    except ValidationError as exc:
        return _refuse(request, patient, study, exc, where="session", session_form=form)
    _saved(
        request,
        study,
        ngettext("%(n)d value saved.", "%(n)d values saved.", len(created)) % {"n": len(created)},
    )
    return _back(patient, study, "#entry")


@require_POST
@patient_view(write=True)
def measurements_backfill(request: HttpRequest, patient: Patient, study_id: int) -> HttpResponse:
    """A pasted table: every line's problem is reported and the table comes back as typed."""
    study = _study(patient, study_id)
    form = BackfillForm(request.POST, study=study, prefix="backfill")
    if not form.is_valid():
        return _refuse(
            request, patient, study, _form_errors(form), where="backfill", backfill_form=form
        )
    measure = form.cleaned_data["measure"]
    confirm = form.cleaned_data["confirm_outside_plan"]
    rows = [
        services.Row(measure, value, session=n, line=line)
        if kind == "session"
        else services.Row(measure, value, day=date.fromordinal(n), line=line)
        for line, kind, value, n in form.cleaned_data["table"]
    ]
    if form.line_errors:
        # Unreadable lines and the problems of the readable ones, in line order.
        found = [(line, ValidationError(msg)) for line, msg in form.line_errors]
        found += services.measurements_check(study=study, rows=rows, confirm_outside_plan=confirm)
        found.sort(key=lambda item: item[0] or 0)
        error = ValidationError([e for _, e in found])
        return _refuse(request, patient, study, error, where="backfill", backfill_form=form)
    try:
        created = services.measurements_record(
            actor=request.user, study=study, rows=rows, confirm_outside_plan=confirm
        )
    except ValidationError as exc:
        return _refuse(request, patient, study, exc, where="backfill", backfill_form=form)
    _saved(
        request,
        study,
        ngettext("%(n)d value saved.", "%(n)d values saved.", len(created)) % {"n": len(created)},
    )
    return _back(patient, study, "#data")


@require_POST
@patient_view(write=True)
def measurements_import(request: HttpRequest, patient: Patient, study_id: int) -> HttpResponse:
    """A scan CSV, uploaded or pasted: every line's problem at once; after an error the file's
    text is put in the text box so the clinician can correct it there."""
    study = _study(patient, study_id)
    form = ImportForm(request.POST, request.FILES, prefix="import")
    if not form.is_valid():
        return _refuse(
            request, patient, study, _form_errors(form), where="import", import_form=form
        )
    text = form.cleaned_data["text"]
    try:
        created = services.measurements_import_csv(
            actor=request.user,
            study=study,
            text=text,
            confirm_outside_plan=form.cleaned_data["confirm_outside_plan"],
        )
    except ValidationError as exc:
        form.data = form.data.copy()
        form.data[form.add_prefix("text")] = text
        return _refuse(request, patient, study, exc, where="import", import_form=form)
    _saved(
        request,
        study,
        ngettext("%(n)d value imported.", "%(n)d values imported.", len(created))
        % {"n": len(created)},
    )
    return _back(patient, study, "#data")


@require_GET
@patient_view()
def measurements_export(request: HttpRequest, patient: Patient, study_id: int) -> HttpResponse:
    study = _study(patient, study_id)
    text = services.measurements_export_csv(actor=request.user, study=study)
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="sced-study-{study.pk}.csv"'
    return response


@require_http_methods(["GET", "POST"])
@patient_view(write=True)
def measurement_amend(
    request: HttpRequest, patient: Patient, study_id: int, measurement_id: int
) -> HttpResponse:
    study = _study(patient, study_id)
    measurement = get_object_or_404(
        Measurement.objects.select_related("measure", "struck_out_by"),
        pk=measurement_id,
        measure__study=study,
    )
    form = AmendForm(
        request.POST or None, initial={"value": measurement.value}, measurement=measurement
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.measurement_amend(
                actor=request.user,
                measurement=measurement,
                value=form.cleaned_data["value"],
                reason=form.cleaned_data["reason"],
                edit_token=concurrency.posted_token(request),
            )
        except concurrency.EditConflict as exc:
            conflict = exc
            form.rebase_on(exc.current)
            measurement = exc.current
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            _saved(request, study, _("Amended; the original value is kept."))
            return _back(patient, study, "#data")
    status = (409 if conflict else 400) if request.method == "POST" else 200
    return render(
        request,
        "sced/measurement_amend.html",
        {
            "patient": patient,
            "study": study,
            "measurement": measurement,
            "amendments": list(measurement.amendments.select_related("amended_by")),
            "form": form,
            "conflict": conflict,
            "conflict_rows": concurrency.conflict_rows(conflict, form) if conflict else [],
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@patient_view(write=True)
def measurement_strike_out(
    request: HttpRequest, patient: Patient, study_id: int, measurement_id: int
) -> HttpResponse:
    """Strike out a value entered in error, with a reason; the value is kept, shown struck out."""
    study = _study(patient, study_id)
    measurement = get_object_or_404(
        Measurement.objects.select_related("measure", "struck_out_by"),
        pk=measurement_id,
        measure__study=study,
    )
    form = StrikeOutForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.measurement_strike_out(
                actor=request.user, measurement=measurement, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            _saved(
                request,
                study,
                _("The value is struck out; it is kept in the record and not analysed."),
            )
            return _back(patient, study, "#data")
    status = 400 if request.method == "POST" else 200
    starts = selectors.phase_starts_for(study, measurement.measure_id)
    label = selectors.phase_of_session(
        measurement.session, starts, study.phase_labels, study.atd_sequence
    )
    latest = (
        Measurement.objects.in_force()
        .filter(measure__study=study)
        .order_by("-session")
        .values_list("session", flat=True)
        .first()
    ) or 0
    hidden = selectors.concealment(study, latest_session=latest, today=date.today())
    concealed = hidden.concealed and measurement.session >= (hidden.until_session or 0)
    return render(
        request,
        "sced/measurement_strike.html",
        {
            "patient": patient,
            "study": study,
            "measurement": measurement,
            "phase": None if concealed else selectors.phase_in_words(label),
            "form": form,
        },
        status=status,
    )


@require_POST
@patient_view(write=True)
def analysis_retry(
    request: HttpRequest, patient: Patient, study_id: int, run_id: int
) -> HttpResponse:
    study = _study(patient, study_id)
    run = get_object_or_404(AnalysisRun, pk=run_id, study=study)
    # A run that is not failed (any more) is a double click: show the current state. On a done
    # run the retry is that of its graphs (drawn after the statistics, issue #16).
    with contextlib.suppress(ValidationError):
        if run.state == AnalysisState.DONE:
            services.plots_retry(actor=request.user, run=run)
        else:
            services.analysis_retry(actor=request.user, run=run)
    if request.headers.get("HX-Request"):
        return _render_results(request, patient, study)
    return _back(patient, study, "#results")


@require_GET
@patient_view()
def plot_image(
    request: HttpRequest, patient: Patient, study_id: int, run_id: int, plot_id: int, fmt: str
) -> HttpResponse:
    """A stored plot, only through the patient's access check (never a public media URL)."""
    if fmt not in CONTENT_TYPES:
        raise Http404("Unknown image format.")
    plot = get_object_or_404(
        AnalysisPlot.objects.only("id", "run_id", "measure_id", "kind", fmt),
        pk=plot_id,
        run_id=run_id,
        run__study_id=study_id,
        run__study__episode__patient=patient,
    )
    # The SVG download is drawn on its first request and kept (services.plot_image).
    response = HttpResponse(services.plot_image(plot, fmt), content_type=CONTENT_TYPES[fmt])
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    if fmt == "svg":
        # An SVG opened on its own must not run anything.
        response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@require_GET
@patient_view()
def measures_plot(
    request: HttpRequest, patient: Patient, study_id: int, run_id: int
) -> HttpResponse:
    """Every measure of a run stacked on one session axis, with the stability envelope and the
    conservative dual criterion when asked (drawn from what the run analysed the first time it
    is asked for, then read from the chart cache)."""
    run = get_object_or_404(
        AnalysisRun.objects.only("id", "inputs"),
        pk=run_id,
        study_id=study_id,
        study__episode__patient=patient,
    )
    aids = _aids(request)
    svg = stacked_plot(run.inputs, envelope=aids["envelope"], cdc=aids["cdc"])
    if not svg:
        raise Http404("Nothing to draw.")
    response = HttpResponse(svg, content_type=CONTENT_TYPES["svg"])
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    # An SVG opened on its own must not run anything.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@require_GET
@patient_view()
def patient_summary(request: HttpRequest, patient: Patient) -> HttpResponse:
    """The SCED part of the patient page, loaded by htmx after the page itself."""
    studies = list(selectors.studies_of(patient)[:5])
    return render(request, "sced/_patient_summary.html", {"patient": patient, "studies": studies})


@require_POST
@patient_view(write=True)
def study_close(request: HttpRequest, patient: Patient, study_id: int) -> HttpResponse:
    study = _study(patient, study_id)
    form = CloseForm(request.POST, prefix="close")
    if not form.is_valid():
        return _refuse(
            request, patient, study, ValidationError(gettext(services.MSG_CLOSE_CONFIRM))
        )
    try:
        services.study_close(actor=request.user, study=study)
    except ValidationError as exc:
        return _refuse(request, patient, study, exc)
    messages.success(request, _("The study is closed; its values and analyses are kept."))
    return _back(patient, study)


@require_POST
@patient_view(write=True)
def diary_link_issue(request: HttpRequest, patient: Patient, study_id: int) -> HttpResponse:
    """Issue a diary link; the page shows its address once (only its hash is stored)."""
    study = _study(patient, study_id)
    form = DiaryLinkForm(request.POST, prefix="diary")
    if not form.is_valid():
        errors = [m for errs in form.errors.values() for m in errs]
        return _refuse(request, patient, study, ValidationError(errors))
    try:
        link, token = services.diary_link_issue(
            actor=request.user,
            study=study,
            kind=form.cleaned_data["kind"],
            days=form.cleaned_data["days"],
        )
    except ValidationError as exc:
        if exc.code == "consent_missing":
            page = selectors.study_page(study.pk, patient)
            context = _detail_context(request, patient, page)
            context["consent_missing"] = " ".join(exc.messages)
            return render(request, "sced/study_detail.html", context, status=400)
        return _refuse(request, patient, study, exc)
    page = selectors.study_page(study.pk, patient)
    context = _detail_context(request, patient, page)
    context["new_link"] = link
    context["new_link_url"] = request.build_absolute_uri(reverse("sced:diary", args=[token]))
    response = render(request, "sced/study_detail.html", context)
    response["Cache-Control"] = "no-store"  # the token is on this page, once
    return response


@require_POST
@patient_view(write=True)
def diary_link_revoke(
    request: HttpRequest, patient: Patient, study_id: int, link_id: int
) -> HttpResponse:
    study = _study(patient, study_id)
    link = get_object_or_404(DiaryLink, pk=link_id, study=study)
    with contextlib.suppress(ValidationError):  # already revoked: a double click
        services.diary_link_revoke(actor=request.user, link=link)
    messages.success(request, _("The diary link is revoked."))
    return _back(patient, study, "#diary")


# --- the patient's daily diary (public, through the link only) ---------------------------------

LINK_STATUS = {"invalid": 404, "not_started": 200}


def _diary_closed(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    code = getattr(exc, "code", None)
    return render(
        request,
        "sced_diary/closed.html",
        {"message": " ".join(exc.messages), "code": code},
        status=LINK_STATUS.get(code, 410),
    )


@require_http_methods(["GET", "POST"])
@public_view
def diary(request: HttpRequest, token: str) -> HttpResponse:
    """Today's values on the patient's phone: the measures' names and ranges in plain words,
    today's date, one big field per measure. Nothing else of the record is reachable. The page,
    its messages and its dates are in the patient's language (painclinic/i18n.py)."""
    language = selectors.diary_link_language(token)
    with translation.override(language):
        response = _diary(request, token)
    response["Content-Language"] = language
    return response


def _diary(request: HttpRequest, token: str) -> HttpResponse:
    try:
        day = services.diary_link_redeem(token=token)
    except ValidationError as exc:
        return _diary_closed(request, exc)
    if not day.to_enter and request.method == "GET":
        return render(request, "sced_diary/thanks.html", {"day": day, "again": True})
    form = DiaryEntryForm(request.POST or None, measures=day.to_enter, prefix="diary")
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.diary_record(token=token, values=form.values(), today=day.today)
            except ValidationError as exc:
                if getattr(exc, "code", None) in ("invalid", "used", "expired", "closed", "ended"):
                    return _diary_closed(request, exc)
                if getattr(exc, "code", None) == "already_today":
                    return render(request, "sced_diary/thanks.html", {"day": day, "again": True})
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                return render(request, "sced_diary/thanks.html", {"day": day})
        status = 400
    response = render(request, "sced_diary/entry.html", {"day": day, "form": form}, status=status)
    return response
