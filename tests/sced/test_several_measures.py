"""Jannick's study follows his fear of lifting (the primary outcome) and his daily walking
minutes (a process measure that should move with it): the form takes both, the CSV import and
the entry carry both, each gets its own effect sizes and visual analysis, and the randomization
test stays on the outcome it was declared on before the data."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sced import selectors, services
from sced.models import AnalysisRun, AnalysisState, Measure, Measurement, MeasureRole, Study
from tests.sced.conftest import FEAR, make_study

pytestmark = pytest.mark.django_db

WALKING = {
    "name": "Walking",
    "unit": "minutes",
    "range_min": 0,
    "range_max": 120,
    "improvement": "increase",
}
FORM = {
    "episode": None,
    "clinical_question": "Does graded exposure reduce Jannick's fear of lifting?",
    "design": "AB",
    "baseline_length": "7",
    "intervention_length": "13",
    "min_phase_length": "3",
    "measure_name": "Fear of lifting a crate",
    "measure_unit": "0-10",
    "measure_min": "0",
    "measure_max": "10",
    "measure_improvement": "decrease",
}


def _url(name, study, **extra):
    return reverse(
        name,
        kwargs={"patient_id": study.episode.patient.pk, "study_id": study.pk, **extra},
    )


def test_the_study_form_adds_process_measures_after_the_primary_outcome(client, ana, jannick):
    client.force_login(ana)
    url = reverse("sced:study_create", kwargs={"patient_id": jannick.pk})
    data = {
        **FORM,
        "episode": jannick.episodes.first().pk,
        "process_measures": "Walking; minutes; 0; 120; higher\nExpectancy; 0-10; 0; 10; higher",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    study = Study.objects.get()
    measures = list(study.measures.all())
    assert [(m.name, m.role) for m in measures] == [
        ("Fear of lifting a crate", MeasureRole.PRIMARY),
        ("Walking", MeasureRole.PROCESS),
        ("Expectancy", MeasureRole.PROCESS),
    ]
    assert (measures[1].unit, measures[1].range_max, measures[1].improvement) == (
        "minutes",
        120,
        "increase",
    )


def test_bad_process_lines_are_each_named_and_the_text_comes_back(client, ana, jannick):
    client.force_login(ana)
    url = reverse("sced:study_create", kwargs={"patient_id": jannick.pk})
    typed = "Walking; minutes; 120; 0; higher\nExpectancy; 0-10\nMood; 0-10; 0; 10; sideways"
    response = client.post(
        url, {**FORM, "episode": jannick.episodes.first().pk, "process_measures": typed}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Line 1: the lowest and highest values must be numbers, lowest first." in page
    assert "Line 2: write name; unit; lowest; highest; higher or lower." in page
    assert "Line 3: say &#x27;higher&#x27; or &#x27;lower&#x27; is better." in page
    assert "Mood; 0-10; 0; 10; sideways" in page
    assert not Study.objects.exists()


def test_a_csv_file_with_two_measures_files_each_value_under_its_measure(client, ana, jannick):
    study = make_study(ana, jannick, measures=[FEAR, WALKING])
    services.study_randomize(actor=ana, study=study, seed=5, concealed=False)
    text = "case,phase,values,mt\n" + "\n".join(
        f"{case},A,{value},{s}"
        for s in (1, 2, 3)
        for case, value in (("Fear of lifting a crate", 8 - s), ("walking", 10 * s))
    )
    client.force_login(ana)
    response = client.post(_url("sced:measurements_import", study), {"import-text": text})
    assert response.status_code == 302
    by_measure = {
        m.name: [(x.session, x.value) for x in m.measurements.order_by("session")]
        for m in study.measures.all()
    }
    assert by_measure == {
        "Fear of lifting a crate": [(1, 7.0), (2, 6.0), (3, 5.0)],
        "Walking": [(1, 10.0), (2, 20.0), (3, 30.0)],
    }


def test_a_one_outcome_study_keeps_the_input_shape_its_runs_were_hashed_with(ana, ab_study):
    services.study_randomize(actor=ana, study=ab_study, seed=5)
    services.measurements_record(
        actor=ana,
        study=ab_study,
        rows=[services.Row(ab_study.measures.first(), 7.0, session=1)],
    )
    stored = selectors.analysis_inputs(ab_study).to_json()
    assert "role" not in stored["measures"][0]


def test_two_measures_get_two_analyses_and_the_test_stays_on_the_primary_outcome(
    client, ana, jannick, django_capture_on_commit_callbacks, monkeypatch
):
    study = make_study(
        ana, jannick, measures=[FEAR, WALKING], planned_phase_lengths={"A": 7, "B": 13}
    )
    start = services.study_randomize(actor=ana, study=study, seed=3, concealed=False).start
    fear, walking = study.measures.all()
    rows = []
    for s in range(1, 21):
        before = s < start
        rows.append(services.Row(fear, 8.0 - (s % 2) if before else 3.0 - (s % 2), session=s))
        # a missed walking day (session 4) is allowed: one value per measure per session
        if s != 4:
            rows.append(services.Row(walking, 20.0 + s % 3 if before else 50.0 + s, session=s))
    with django_capture_on_commit_callbacks(execute=True):
        services.measurements_record(actor=ana, study=study, rows=rows)
    run = AnalysisRun.objects.get(input_hash=Study.objects.get().analysis_input_hash)
    assert run.state == AnalysisState.DONE, run.error
    fear_result, walking_result = run.results["measures"]
    assert "p_value" in fear_result["randomization"]
    assert "p_value" not in walking_result["randomization"]
    assert walking_result["randomization"]["not_tested"] is True
    assert walking_result["n"] == 19

    client.force_login(ana)
    page = client.get(_url("sced:study_detail", study)).content.decode()
    assert (
        "The randomization test was declared on Fear of lifting a crate before data "
        "collection; other measures are described, not tested."
    ) in page
    assert page.count("Effect sizes A vs B") == 2
    assert page.count('class="table table-sm sced-effects"') == 2
    assert page.count('class="sced-visual mt-3"') == 2
    assert "Visual analysis of Walking" in page
    assert "minutes" in page
    # every measure stacked, drawn on request with the aids asked for
    assert "sced-stacked" not in page
    asked = client.get(_url("sced:study_detail", study) + "?stacked=1&envelope=1&cdc=1")
    assert 'class="sced-figure sced-stacked"' in asked.content.decode()
    plot_url = _url("sced:measures_plot", study, run_id=run.pk)
    plain = client.get(plot_url)
    aided = client.get(plot_url + "?envelope=1&cdc=1")
    assert plain["Content-Type"] == "image/svg+xml"
    assert b"CDC mean criterion" not in plain.content
    assert b"CDC mean criterion" in aided.content
    assert b"envelope" in aided.content
    assert b"Walking (minutes)" in aided.content
    # Drawn once per data and choice of aids (issue #16), then read from the chart cache.
    from sced import plots

    draws = []
    real = plots.render_measures_stacked

    def counting(*args, **kwargs):
        draws.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(plots, "render_measures_stacked", counting)
    assert client.get(plot_url).content == plain.content
    assert client.get(plot_url + "?envelope=1&cdc=1").content == aided.content
    assert draws == []
    assert client.get(plot_url + "?cdc=1").status_code == 200
    assert len(draws) == 1


def test_the_stacked_plot_is_only_for_the_patients_own_runs(client, ana, jannick, ab_study):
    services.study_randomize(actor=ana, study=ab_study, seed=5)
    services.measurements_record(
        actor=ana, study=ab_study, rows=[services.Row(ab_study.measures.first(), 7.0, session=1)]
    )
    client.force_login(ana)
    assert client.get(_url("sced:measures_plot", ab_study, run_id=999999)).status_code == 404
    assert Measurement.objects.count() == Measure.objects.count() == 1


def test_a_process_measure_added_later_and_a_scale_that_cannot_change_under_its_data(
    client, ana, jannick, ab_study
):
    client.force_login(ana)
    added = client.post(
        _url("sced:measure_add", ab_study),
        {
            "name": "Expectancy",
            "unit": "0-10",
            "range_min": "0",
            "range_max": "10",
            "improvement": "increase",
        },
    )
    assert added.status_code == 302
    expectancy = ab_study.measures.get(name="Expectancy")
    assert (expectancy.role, expectancy.position) == (MeasureRole.PROCESS, 1)
    # Before any value the direction can still be corrected.
    fixed = client.post(
        _url("sced:measure_edit", ab_study, measure_id=expectancy.pk),
        {
            "name": "Expectancy",
            "unit": "0-10",
            "range_min": "0",
            "range_max": "10",
            "improvement": "decrease",
        },
    )
    assert fixed.status_code == 302
    services.study_randomize(actor=ana, study=ab_study, seed=5)
    fear = ab_study.measures.get(role=MeasureRole.PRIMARY)
    services.measurements_record(
        actor=ana, study=ab_study, rows=[services.Row(fear, 7.0, session=1)]
    )
    refused = client.post(
        _url("sced:measure_edit", ab_study, measure_id=fear.pk),
        {
            "name": "Fear of lifting",
            "unit": "0-100",
            "range_min": "0",
            "range_max": "100",
            "improvement": "decrease",
        },
    )
    assert refused.status_code == 400
    assert "already has values: its direction of improvement and its range cannot change" in (
        refused.content.decode()
    )
    fear.refresh_from_db()
    assert (fear.name, fear.range_max) == ("Fear of lifting a crate", 10)
    # the name alone may change (a clearer wording is not a new scale)
    renamed = client.post(
        _url("sced:measure_edit", ab_study, measure_id=fear.pk),
        {
            "name": "Fear of lifting",
            "unit": "0-10",
            "range_min": "0",
            "range_max": "10",
            "improvement": "decrease",
        },
    )
    assert renamed.status_code == 302
    fear.refresh_from_db()
    assert fear.name == "Fear of lifting"
