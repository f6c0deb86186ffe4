"""Statistics first, graphs after (issue #16): the analysis is shown as soon as its statistics
are stored; the graphs are drawn by their own job, once per input, with their own state."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from sced import plots as sced_plots
from sced import services
from sced.models import AnalysisPlot, AnalysisRun, AnalysisState, PlotsState
from sced.tasks import SUPERSEDED, render_plots, run_analysis
from tests.sced.conftest import BASELINE, INTERVENTION, fill


def _full(study, actor, draw):
    return fill(
        study, actor, (BASELINE * 3)[: draw.start - 1] + (INTERVENTION * 2)[: 22 - draw.start]
    )


def _panel(client, patient, study):
    kwargs = {"patient_id": patient.pk, "study_id": study.pk}
    return client.get(reverse("sced:results_panel", kwargs=kwargs)).content.decode()


@pytest.fixture
def draws(monkeypatch):
    """Counts every figure exported (one per plot and format)."""
    calls: list[tuple[str, ...]] = []
    export = sced_plots._export

    def counting(fig, formats):
        calls.append(tuple(formats))
        return export(fig, formats)

    monkeypatch.setattr(sced_plots, "_export", counting)
    return calls


@pytest.mark.django_db
def test_the_statistics_are_shown_while_the_graphs_are_still_to_be_drawn(
    client, ana, jannick, ab_study, draws, django_capture_on_commit_callbacks
):
    draw = services.study_randomize(actor=ana, study=ab_study, seed=11)
    # The plot job is not run: only the statistics job's commit is executed.
    with django_capture_on_commit_callbacks(execute=False) as sent:
        _full(ab_study, ana, draw)
    run = AnalysisRun.objects.get()
    with django_capture_on_commit_callbacks(execute=False) as after_stats:
        assert run_analysis(run.pk, run.dispatch) == AnalysisState.DONE
    assert sent  # the analysis job was sent after the values committed
    run.refresh_from_db()
    assert run.state == AnalysisState.DONE
    assert run.plots_state == PlotsState.PENDING
    assert draws == []  # no plot drawn before the statistics were stored
    assert AnalysisPlot.objects.count() == 0
    client.force_login(ana)
    page = _panel(client, jannick, ab_study)
    assert "Effect sizes" in page
    assert 'data-plots-state="pending"' in page
    assert "The graphs are being drawn" in page
    assert "every 2s" in page  # the panel fills in the graphs by itself
    assert "plots/" not in page

    # The statistics' commit sent the plot job; it draws the PNGs the page shows, nothing else.
    assert len(after_stats) == 1
    after_stats[0]()
    run.refresh_from_db()
    assert run.plots_state == PlotsState.READY
    assert draws == [("png",), ("png",)]
    assert sorted(AnalysisPlot.objects.values_list("kind", flat=True)) == [
        "randomization",
        "sced",
    ]
    assert AnalysisPlot.objects.filter(svg__isnull=True).count() == 2
    page = _panel(client, jannick, ab_study)
    assert "The graphs are being drawn" not in page
    assert "every 2s" not in page
    assert ".png" in page


@pytest.mark.django_db
def test_a_graph_is_drawn_once_per_input_and_its_svg_once_on_request(
    client, ana, jannick, ab_study, draws, django_capture_on_commit_callbacks
):
    draw = services.study_randomize(actor=ana, study=ab_study, seed=11)
    with django_capture_on_commit_callbacks(execute=True):
        _full(ab_study, ana, draw)
    run = AnalysisRun.objects.get()
    assert run.plots_state == PlotsState.READY
    assert len(draws) == 2
    # The same input asked again (a second save of the same values, a redelivery): no drawing.
    with django_capture_on_commit_callbacks(execute=True):
        again = services.analysis_request(actor=ana, study=ab_study)
    assert again.pk == run.pk
    assert render_plots(run.pk, run.plots_dispatch) == PlotsState.READY
    assert len(draws) == 2

    client.force_login(ana)
    plot = AnalysisPlot.objects.get(kind="sced")
    kwargs = {
        "patient_id": jannick.pk,
        "study_id": ab_study.pk,
        "run_id": run.pk,
        "plot_id": plot.pk,
    }
    png = client.get(reverse("sced:plot_image", kwargs={**kwargs, "fmt": "png"}))
    assert png.content.startswith(b"\x89PNG")
    assert len(draws) == 2  # the PNG was stored
    svg = client.get(reverse("sced:plot_image", kwargs={**kwargs, "fmt": "svg"}))
    assert b"<svg" in svg.content
    assert draws[2:] == [("svg",), ("svg",)]  # one pass drew the SVG of every graph of the run
    assert AnalysisPlot.objects.filter(svg__isnull=True).count() == 0
    again = client.get(reverse("sced:plot_image", kwargs={**kwargs, "fmt": "svg"}))
    assert again.content == svg.content
    assert len(draws) == 4  # kept: not drawn again


@pytest.mark.django_db
def test_graphs_that_fail_show_their_error_beside_the_statistics_and_can_be_retried(
    client, ana, jannick, ab_study, monkeypatch, django_capture_on_commit_callbacks
):
    draw = services.study_randomize(actor=ana, study=ab_study, seed=11)

    def broken(*args, **kwargs):
        raise RuntimeError("font cache unreadable")

    monkeypatch.setattr(sced_plots, "_export", broken)
    with django_capture_on_commit_callbacks(execute=True):
        _full(ab_study, ana, draw)
    run = AnalysisRun.objects.get()
    assert run.state == AnalysisState.DONE
    assert run.plots_state == PlotsState.FAILED
    assert run.plots_error == "RuntimeError: font cache unreadable"
    client.force_login(ana)
    page = _panel(client, jannick, ab_study)
    assert "The graphs could not be drawn." in page
    assert "font cache unreadable" in page
    assert "Effect sizes" in page  # the statistics stay shown
    assert "Retry" in page
    assert "every 2s" not in page

    monkeypatch.undo()
    kwargs = {"patient_id": jannick.pk, "study_id": ab_study.pk}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("sced:analysis_retry", kwargs={**kwargs, "run_id": run.pk}),
            HTTP_HX_REQUEST="true",
        )
    assert response.status_code == 200
    run.refresh_from_db()
    assert run.plots_state == PlotsState.READY
    assert run.plots_error == ""
    assert run.plots_dispatch == 2
    assert run.attempts == 1  # the statistics were not computed again
    assert AnalysisPlot.objects.filter(run=run).count() == 2
    page = _panel(client, jannick, ab_study)
    assert "could not be drawn" not in page
    assert ".png" in page


@pytest.mark.django_db
def test_the_plot_job_is_idempotent(ana, ab_study, draws, django_capture_on_commit_callbacks):
    draw = services.study_randomize(actor=ana, study=ab_study, seed=11)
    with django_capture_on_commit_callbacks(execute=True):
        _full(ab_study, ana, draw)
    run = AnalysisRun.objects.get()
    assert render_plots(999_999) == "gone"
    # A message of an earlier dispatch does nothing; a redelivery after the end draws nothing.
    AnalysisRun.objects.filter(pk=run.pk).update(plots_state=PlotsState.PENDING, plots_dispatch=2)
    assert render_plots(run.pk, 1) == SUPERSEDED
    # A redelivery after a partial write stores the missing plot and keeps the one stored.
    kept = AnalysisPlot.objects.get(run=run, kind="sced")
    AnalysisPlot.objects.filter(run=run, kind="randomization").delete()
    assert render_plots(run.pk, 2) == PlotsState.READY
    before = len(draws)
    assert render_plots(run.pk, 2) == PlotsState.READY  # a redelivery after the end
    assert len(draws) == before
    assert AnalysisPlot.objects.filter(run=run).count() == 2
    assert AnalysisPlot.objects.get(run=run, kind="sced").pk == kept.pk
    # A retry of graphs that are ready is refused (a double click).
    with pytest.raises(ValidationError):
        services.plots_retry(actor=ana, run=run)


@pytest.mark.django_db
def test_graphs_whose_job_was_lost_are_sent_again_by_the_sweep(
    ana, ab_study, django_capture_on_commit_callbacks
):
    draw = services.study_randomize(actor=ana, study=ab_study, seed=11)
    with django_capture_on_commit_callbacks(execute=True):
        _full(ab_study, ana, draw)
    run = AnalysisRun.objects.get()
    AnalysisPlot.objects.all().delete()
    # The worker died while drawing: the run is done, its graphs stay "drawing".
    AnalysisRun.objects.filter(pk=run.pk).update(plots_state=PlotsState.DRAWING)
    assert services.analysis_sweep() == {}  # not yet: it may still be drawing
    later = timezone.now() + timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 120)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.analysis_sweep(now=later) == {"plots": [run.pk]}
    run.refresh_from_db()
    assert run.plots_state == PlotsState.READY
    assert run.plots_dispatch == 2
    assert AnalysisPlot.objects.filter(run=run).count() == 2
