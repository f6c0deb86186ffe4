"""Ana sets up an AB single-case study for Jannick, randomizes the start, enters the baseline and
intervention data and reads the graph, the effect sizes and the randomization test."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from sced.models import AnalysisRun, AnalysisState, Draw

BASELINE = [8, 7, 8, 8, 7, 8, 7, 8, 7, 8, 8, 7, 8, 7, 8, 7, 8, 8]
INTERVENTION = [6, 5, 5, 4, 4, 3, 3, 2, 3, 2, 2, 1, 2, 1, 1, 2, 1, 1]


@pytest.mark.django_db(transaction=True)
def test_ana_runs_an_ab_study_for_jannick(page, live_server, login, screenshot, ana, jannick):
    login("ana")
    page.goto(f"{live_server.url}/patients/{jannick.pk}/")
    section = page.get_by_role("region", name="Single-case experiments")
    expect(section.get_by_text("No single-case study yet.")).to_be_visible()
    section.get_by_role("link", name="New study").click()

    page.get_by_label("Clinical question").fill(
        "Does graded exposure reduce Jannick's fear of lifting a crate?"
    )
    page.get_by_label("Design").select_option("AB")
    page.get_by_label("Planned sessions per baseline (A) phase").fill("7")
    page.get_by_label("Planned sessions per intervention (B) phase").fill("14")
    page.get_by_label("Outcome measure").fill("Fear of lifting a crate")
    page.get_by_label("Unit").fill("0-10")
    page.get_by_label("Direction of improvement").select_option("decrease")
    page.get_by_label("Source of the measure").fill(
        "Daily fear of lifting a crate (exposure hierarchy item)"
    )
    screenshot("sced_01_create")
    page.get_by_role("button", name="Create study").click()

    expect(page.get_by_role("heading", name="Randomization")).to_be_visible()
    page.get_by_role("button", name="Draw the intervention start").click()
    expect(page.get_by_text("Intervention start concealed until day 4")).to_be_visible()
    screenshot("sced_02_randomized")
    start = Draw.objects.get().start

    # Session 1 through the fast entry form (htmx, no reload): type and press Enter.
    page.locator("#id_entry-session").fill("1")
    page.locator("#id_entry-value").fill("8")
    page.locator("#id_entry-value").press("Enter")
    expect(page.get_by_text("Value saved.")).to_be_visible()
    expect(page.locator("#id_entry-value")).to_be_focused()

    values = BASELINE[: start - 2] + INTERVENTION[: 21 - (start - 1)]
    table = "\n".join(f"{i} {v}" for i, v in enumerate(values, start=2))
    page.get_by_text("Backfill a table").click()
    page.get_by_label("Values, one per line").fill(table)
    page.get_by_role("button", name="Save the table").click()
    expect(page.get_by_text("20 values saved.")).to_be_visible()

    results = page.locator("#results")
    expect(results.get_by_text("Done")).to_be_visible(timeout=30_000)
    graph = results.get_by_role("img", name="Single-case graph of Fear of lifting a crate")
    expect(graph).to_be_visible()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=graph.element_handle()
    )
    expect(results.get_by_role("rowheader", name="NAP")).to_be_visible()
    expect(results.get_by_text("lower is better (improvement = decrease)")).to_be_visible()
    expect(results.get_by_text("Randomization test: p =")).to_be_visible()
    expect(
        results.get_by_text("admissible assignments (every assignment computed)")
    ).to_be_visible()
    expect(page.get_by_text(f"Intervention (B) starts at session {start}")).to_be_visible()
    screenshot("sced_03_results")

    # One run for session 1 alone (not analysable yet), one for the full data.
    assert AnalysisRun.objects.count() == 2
    run = AnalysisRun.objects.filter(state=AnalysisState.DONE).latest("created_at")
    nap = run.results["measures"][0]["analysis"]["comparisons"]["A-B"]["effect_sizes"]["NAP"]
    assert nap["estimate"] == 1.0
    assert run.plots.count() == 2

    # Back on Jannick's overview the study's state badge can be read: a background and a text
    # colour that differ (issue #9: it was white on transparent there, sced.css not loaded).
    page.goto(f"{live_server.url}/patients/{jannick.pk}/")
    section = page.get_by_role("region", name="Single-case experiments")
    badge = section.locator(".badge", has_text="Collecting data")
    expect(badge).to_be_visible()
    background, colour = badge.evaluate(
        "el => [getComputedStyle(el).backgroundColor, getComputedStyle(el).color]"
    )
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")
    assert background != colour
    expect(section.get_by_text("1 measure", exact=False)).to_be_visible()
