"""Ana saves Jannick's last value: the statistics are on the page at once, the graphs say they
are being drawn, and they fill in by themselves when their job has drawn them (issue #16)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from sced import services
from sced.models import AnalysisPlot, AnalysisRun, PlotsState
from sced.tasks import render_plots
from tests.sced.conftest import BASELINE, INTERVENTION, fill, make_study


@pytest.mark.django_db(transaction=True)
def test_the_graphs_fill_in_after_the_statistics(
    page, live_server, login, screenshot, ana, jannick
):
    study = make_study(ana, jannick)
    draw = services.study_randomize(actor=ana, study=study, seed=11)
    fill(study, ana, (BASELINE * 3)[: draw.start - 1] + (INTERVENTION * 2)[: 22 - draw.start])
    run = AnalysisRun.objects.get(study=study)  # one save of all values: one run
    # The graphs' job has not run yet: the statistics are stored, the graphs are being drawn.
    AnalysisPlot.objects.filter(run=run).delete()
    AnalysisRun.objects.filter(pk=run.pk).update(plots_state=PlotsState.DRAWING)
    login("ana")
    page.goto(live_server.url + reverse("sced:study_detail", args=[jannick.pk, study.pk]))
    results = page.locator("#results")
    expect(results.get_by_text("The graphs are being drawn")).to_be_visible()
    expect(results.get_by_text("Effect sizes").first).to_be_visible()
    expect(results.locator("img")).to_have_count(0)
    screenshot("sced_graphs_being_drawn")

    assert render_plots(run.pk, run.plots_dispatch) == PlotsState.READY
    expect(results.locator("img").first).to_be_visible(timeout=10_000)  # the 2 s polling
    expect(results.get_by_text("The graphs are being drawn")).to_have_count(0)
    screenshot("sced_graphs_ready")
