"""Ana sets Susan's pacing quota from her baseline, logs a boom-and-bust week, writes her flare-up
plan and prints it with the treatment summary."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from treatment.models import FlareUpPlan, PacingPlan


@pytest.mark.django_db(transaction=True)
def test_ana_sets_susans_pacing_quota_and_flare_up_plan(
    page, live_server, login, screenshot, ana, susan
):
    page.set_default_timeout(10_000)
    login("ana")
    page.goto(f"{live_server.url}/patients/{susan.pk}/treatment/pacing/")
    page.get_by_label("Activity").fill("Gardening")
    page.get_by_label("Baseline recordings").fill("20, 10, 15")
    page.locator("#id_increment_amount").fill("2")
    page.get_by_label("First day of the quota").fill((date.today() - timedelta(days=3)).isoformat())
    page.get_by_role("button", name="Set the quota").click()
    expect(page.get_by_text("Pacing plan set.")).to_be_visible()
    expect(page.get_by_text("12.0 minutes")).to_be_visible()  # 80% of the mean 15
    for offset, done in ((3, "12"), (2, "25"), (1, "3")):
        page.get_by_label("Day").fill((date.today() - timedelta(days=offset)).isoformat())
        page.get_by_label("Done").fill(done)
        page.get_by_role("button", name="Log the day").click()
        expect(page.get_by_text("Day logged.")).to_be_visible()
    expect(page.get_by_text("1 boom-and-bust episode")).to_be_visible()
    page.wait_for_function(
        "() => [...document.querySelectorAll('img.chart')].every(i => i.complete && i.naturalWidth > 0)"
    )
    screenshot("treatment_11_pacing")

    page.get_by_role("link", name="Flare-up plan").first.click()
    expect(page.get_by_label("Setbacks are a chance to practise")).to_contain_text(
        "chance to practise the skills"
    )
    page.get_by_label("What can trigger a flare-up").fill("A long day in the garden")
    page.get_by_label("Early signs").fill("Aching hands in the evening")
    page.get_by_label("What I will do").fill("Halve the quota for two days, then build up again")
    page.get_by_label("When and whom to contact").fill("The pain team if not better in 2 weeks")
    page.get_by_role("button", name="Sign the flare-up plan").click()
    expect(page.get_by_text("The flare-up plan is signed.")).to_be_visible()
    page.get_by_role("link", name="Printable version for the patient").click()
    expect(page.get_by_role("heading", name="My flare-up plan — Susan Whitfield")).to_be_visible()
    screenshot("treatment_12_flare_up_print")

    page.goto(f"{live_server.url}/patients/{susan.pk}/treatment/")
    expect(page.get_by_text("Graded activity and pacing")).to_be_visible()  # from the pacing log
    screenshot("treatment_13_susan_suggestions")
    page.goto(f"{live_server.url}/patients/{susan.pk}/treatment/letter/")
    expect(page.get_by_text("Dear colleague,")).to_be_visible()
    page.emulate_media(media="print")
    screenshot("treatment_14_gp_letter_print")

    assert PacingPlan.objects.get(patient=susan).log.count() == 3
    assert FlareUpPlan.objects.get(patient=susan).version == 1
