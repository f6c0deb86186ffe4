"""Ana follows Jannick's fear of lifting (the primary outcome) and his daily walking minutes (a
process measure) in one AB study: she adds both on the form, enters both for 20 sessions, and
reads two graphs, two effect-size tables, a visual analysis per measure and, on request, both
measures stacked on one session axis with the stability envelope and the dual criterion."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from sced.models import Draw, Measure

FEAR = {"A": [8, 7, 8, 8, 7, 8, 7, 8, 7, 8], "B": [5, 4, 4, 3, 3, 2, 3, 2, 2, 1, 2, 1, 1, 2]}
WALKING = {"A": [20, 25, 20, 22, 30, 20, 25, 24, 21, 23], "B": [40, 45, 50, 48, 55, 60, 58, 62]}


def _series(values: dict, start: int, n: int = 20) -> list[float]:
    a, b = values["A"], values["B"] * 3
    return (a * 2)[: start - 1] + b[: n - (start - 1)]


@pytest.mark.django_db(transaction=True)
def test_ana_follows_an_outcome_and_a_process_measure(
    page, live_server, login, screenshot, ana, jannick
):
    login("ana")
    page.goto(f"{live_server.url}/patients/{jannick.pk}/sced/new/")
    page.get_by_label("Clinical question").fill(
        "Does graded exposure reduce Jannick's fear of lifting, and does he walk more?"
    )
    page.get_by_label("Design").select_option("AB")
    page.get_by_label("Planned sessions per baseline (A) phase").fill("7")
    page.get_by_label("Planned sessions per intervention (B) phase").fill("13")
    page.get_by_label("Outcome measure").fill("Fear of lifting a crate")
    page.get_by_label("Unit").fill("0-10")
    page.get_by_label("Direction of improvement").select_option("decrease")
    page.get_by_label("Process measures, one per line").fill("Walking; minutes; 0; 120; higher")
    page.get_by_role("button", name="Create study").click()

    page.get_by_role("button", name="Draw the intervention start").click()
    expect(page.get_by_text("Intervention start concealed", exact=False)).to_be_visible()
    start = Draw.objects.get().start

    for name, values in (("Fear of lifting a crate", FEAR), ("Walking", WALKING)):
        page.locator("#backfill").evaluate("el => { el.open = true; }")
        measure = Measure.objects.get(name=name)
        page.locator("#id_backfill-measure").select_option(value=str(measure.pk))
        series = _series(values, start)
        page.get_by_label("Values, one per line").fill(
            "\n".join(f"{s} {v}" for s, v in enumerate(series, start=1))
        )
        page.get_by_role("button", name="Save the table").click()
        expect(page.get_by_text("20 values saved.")).to_be_visible()

    results = page.locator("#results")
    expect(results.get_by_text("Done")).to_be_visible(timeout=60_000)
    expect(results.locator(".sced-primary-note")).to_have_text(
        "The randomization test was declared on Fear of lifting a crate before data "
        "collection; other measures are described, not tested."
    )
    for name in ("Fear of lifting a crate", "Walking"):
        graph = results.get_by_role("img", name=f"Single-case graph of {name} by session")
        expect(graph).to_be_visible()
        page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=graph.element_handle()
        )
    expect(results.locator("table.sced-effects")).to_have_count(2)
    expect(results.locator("table.sced-visual-changes")).to_have_count(2)
    expect(results.get_by_role("region", name="Visual analysis of Walking")).to_contain_text(
        "an immediate improvement"
    )
    screenshot("sced_several_measures_results")

    results.get_by_label("Stability envelope", exact=False).check()
    results.get_by_label("Conservative dual criterion", exact=False).check()
    results.get_by_role("button", name="Draw").click()
    stacked = page.get_by_role("img", name="Every measure of the study", exact=False)
    expect(stacked).to_be_visible()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=stacked.element_handle()
    )
    assert "envelope=1" in page.url
    assert "cdc=1" in page.url
    stacked.scroll_into_view_if_needed()
    screenshot("sced_several_measures_stacked")
