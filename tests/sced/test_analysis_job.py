"""The analysis job: idempotent, a failure is shown with its error and can be retried."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sced import services
from sced.models import AnalysisPlot, AnalysisRun, AnalysisState
from sced.tasks import run_analysis
from tests.sced.conftest import BASELINE, INTERVENTION, fill


def _full(study, actor, draw):
    return fill(
        study, actor, (BASELINE * 3)[: draw.start - 1] + (INTERVENTION * 2)[: 22 - draw.start]
    )


@pytest.mark.django_db
def test_the_job_stores_results_and_plots_and_a_second_run_is_a_no_op(
    ana, ab_study, django_capture_on_commit_callbacks
):
    draw = services.study_randomize(actor=ana, study=ab_study, seed=11)
    with django_capture_on_commit_callbacks(execute=True):
        _full(ab_study, ana, draw)
    run = AnalysisRun.objects.get()
    assert run.state == AnalysisState.DONE
    assert run.attempts == 1
    measure = run.results["measures"][0]
    assert measure["improvement"] == "decrease"
    es = measure["analysis"]["comparisons"]["A-B"]["effect_sizes"]
    assert es["NAP"]["estimate"] == 1.0
    rand = measure["randomization"]
    assert rand["n_assignments"] == 16
    assert rand["actual_start_session"] == draw.start
    assert rand["p_value"] * 16 == pytest.approx(round(rand["p_value"] * 16))
    assert any("1/16" in c for c in measure["reading"]["cautions"])
    kinds = sorted(AnalysisPlot.objects.values_list("kind", flat=True))
    assert kinds == ["randomization", "sced"]
    assert bytes(AnalysisPlot.objects.get(kind="sced").png).startswith(b"\x89PNG")
    assert run_analysis(run.pk) == AnalysisState.DONE
    run.refresh_from_db()
    assert run.attempts == 1
    assert AnalysisPlot.objects.count() == 2
    assert run_analysis(999_999) == "gone"


@pytest.mark.django_db
def test_undefined_statistics_are_results_not_failures(
    ana, ab_study, django_capture_on_commit_callbacks
):
    draw = services.study_randomize(actor=ana, study=ab_study, seed=11)
    with django_capture_on_commit_callbacks(execute=True):
        fill(ab_study, ana, [5] * (draw.start - 1) + [0] * (22 - draw.start))
    run = AnalysisRun.objects.get()
    assert run.state == AnalysisState.DONE
    es = run.results["measures"][0]["analysis"]["comparisons"]["A-B"]["effect_sizes"]
    assert es["SMD_baseline"]["estimate"] is None
    assert es["SMD_baseline"]["not_defined_reason"]


@pytest.mark.django_db
def test_a_failed_job_shows_its_error_and_can_be_retried(
    client, ana, jannick, ab_study, monkeypatch, django_capture_on_commit_callbacks
):
    draw = services.study_randomize(actor=ana, study=ab_study, seed=11)

    def broken(inputs, **kwargs):
        raise RuntimeError("plotting backend exploded")

    monkeypatch.setattr("sced.study_analysis.analyse_study", broken)
    with django_capture_on_commit_callbacks(execute=True):
        _full(ab_study, ana, draw)
    run = AnalysisRun.objects.get()
    assert run.state == AnalysisState.FAILED
    assert run.error == "RuntimeError: plotting backend exploded"
    client.force_login(ana)
    kwargs = {"patient_id": jannick.pk, "study_id": ab_study.pk}
    page = client.get(reverse("sced:results_panel", kwargs=kwargs)).content.decode()
    assert "The analysis failed" in page
    assert "plotting backend exploded" in page
    assert "Retry" in page
    assert "every 2s" not in page

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("sced:analysis_retry", kwargs={**kwargs, "run_id": run.pk}),
            HTTP_HX_REQUEST="true",
        )
    assert response.status_code == 200
    run.refresh_from_db()
    assert run.state == AnalysisState.DONE
    assert run.attempts == 2
    assert run.error == ""
    assert "Done" in client.get(reverse("sced:results_panel", kwargs=kwargs)).content.decode()


@pytest.mark.django_db
def test_a_queued_job_makes_the_panel_poll(client, ana, jannick, ab_study):
    services.study_randomize(actor=ana, study=ab_study, seed=11)
    fill(ab_study, ana, [8, 7])  # on_commit never fires here: the run stays queued
    client.force_login(ana)
    url = reverse("sced:results_panel", kwargs={"patient_id": jannick.pk, "study_id": ab_study.pk})
    html = client.get(url).content.decode()
    assert 'hx-trigger="every 2s"' in html
    assert "Queued" in html
