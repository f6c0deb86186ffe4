"""Ana records Jannick's oxycodone and pregabalin, sees his daily oral morphine equivalent and the
co-prescription warning, plans a 10 %-a-month taper with him, records two steps, and sees the dose
beside his pain scores (issue #11)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from medicines.models import TaperStep
from tests.assessment.factories import signed_result


@pytest.mark.django_db(transaction=True)
def test_ana_records_medicines_and_tapers_jannicks_oxycodone(
    page, live_server, login, screenshot, ana, jannick, settings
):
    settings.OME_TABLE = "cdc2022"
    today = date.today()
    for weeks_ago, nrs in ((9, 7), (5, 6), (1, 6)):
        signed_result(patient=jannick, key="nrs", answers={"1": nrs}, actor=ana,
                      on=today - timedelta(weeks=weeks_ago))  # fmt: skip
    page.set_default_timeout(15_000)
    login("ana")
    page.goto(f"{live_server.url}/patients/{jannick.pk}/")
    page.get_by_role("link", name="Medication list and opioid dose").click()
    expect(page.get_by_role("heading", name="Medicines", exact=True)).to_be_visible()

    page.get_by_role("link", name="Add a medication").click()
    page.locator("#id_product").select_option(label="Oxycodone (oral)")
    page.locator("#id_strength").fill("20")
    page.locator("#id_unit").select_option("mg")
    page.locator("#id_doses_per_day").fill("2")
    page.locator("#id_start_date").fill((today - timedelta(days=70)).isoformat())
    page.locator("#id_prescriber").fill("Dr Patel (GP)")
    page.locator("#id_indication").fill("Low back pain")
    screenshot("medicines_01_add_oxycodone")
    page.get_by_role("button", name="Record the medication").click()
    expect(page.get_by_text("The medication is recorded.")).to_be_visible()

    page.get_by_role("link", name="Add a medication").click()
    page.locator("#id_name").fill("Pregabalin 150 mg twice a day")
    page.locator("#id_start_date").fill((today - timedelta(days=70)).isoformat())
    page.locator("#id_indication").fill("Leg pain")
    page.get_by_role("button", name="Record the medication").click()
    expect(page.get_by_text("The medication is recorded.")).to_be_visible()

    # CDC 2022: oxycodone 20 mg twice a day = 40 mg x 1.5 = 60 mg oral morphine a day
    expect(page.locator("#ome-total")).to_contain_text("60.0")
    expect(page.get_by_text("Co-prescription: an opioid with a gabapentinoid")).to_be_visible()
    expect(page.get_by_text("offering naloxone")).to_be_visible()
    screenshot("medicines_02_ome_and_co_prescription")

    page.get_by_role("link", name="Plan an opioid taper").click()
    expect(page.locator("#id_start_dose")).to_have_value("60.0")
    page.locator("#id_start_date").fill((today - timedelta(days=56)).isoformat())
    page.locator("#id_target_dose").fill("30")
    page.locator("#id_percent").fill("10")
    page.locator("#id_interval_days").fill("28")
    page.locator("#id_reason").fill("No meaningful gain in function at this dose")
    page.locator("#id_shared_decision").fill(
        "Jannick agrees to reduce slowly; pause if sleep worsens"
    )
    page.get_by_role("button", name="Sign the taper plan").click()
    expect(page.get_by_text("The taper plan is signed.")).to_be_visible()

    for days_ago, before, after in ((56, "60", "54"), (28, "54", "48.6")):
        page.get_by_role("link", name="Record a taper step").click()
        page.locator("#id_on").fill((today - timedelta(days=days_ago)).isoformat())
        page.locator("#id_dose_before").fill(before)
        page.locator("#id_dose_after").fill(after)
        page.locator("#id_reason").fill("Planned step")
        page.locator("#id_shared_decision").check()
        page.locator("#id_withdrawal").fill("Mild restlessness for a few days")
        page.locator("#id_mood").fill("Steady")
        page.get_by_role("button", name="Record the step").click()
        expect(page.get_by_text("The taper step is recorded.")).to_be_visible()
    assert TaperStep.objects.filter(patient=jannick).count() == 2

    # The prescription follows the first step: a new version of the oxycodone from that day
    page.locator("#medication-list").get_by_role("link", name="Change or stop").first.click()
    page.locator("#id_strength").fill("18")
    page.locator("#id_effective_from").fill((today - timedelta(days=56)).isoformat())
    page.locator("#id_change_reason").fill("Taper step 1")
    page.get_by_role("button", name="Save the change").click()
    expect(
        page.get_by_text("The change is recorded; the previous version is kept.")
    ).to_be_visible()
    expect(page.locator("#ome-total")).to_contain_text("54.0")  # 18 mg x 2 x 1.5
    expect(page.locator("#medication-list")).to_contain_text("version 2")

    steps = page.locator("#taper-steps")
    expect(steps).to_contain_text("60 → 54")
    expect(steps).to_contain_text("54 → 48.6")
    expect(steps).to_contain_text("-10.0 %")
    page.wait_for_function(
        "() => ['ome-chart', 'ome-outcomes-chart'].every(id => {"
        " const i = document.getElementById(id); return i.complete && i.naturalWidth > 0; })"
    )
    page.locator("#ome-outcomes-chart").scroll_into_view_if_needed()
    screenshot("medicines_03_taper_and_ome_beside_nrs")
    svg = page.request.get(
        f"{live_server.url}/patients/{jannick.pk}/medicines/ome-outcomes.svg"
    ).text()
    assert "NRS" in svg
    assert "Daily oral morphine equivalent" in svg
    assert "Taper plan" in svg
