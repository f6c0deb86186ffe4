"""Ana gives Jannick a diary link; Jannick enters today's fear on his phone. Then Ana reads a
three-tier multiple-baseline study: stacked panels and the randomization test across tiers."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from sced import services
from sced.models import Measurement
from tests.sced.conftest import make_study
from tests.sced.test_mbd import fill_tiers, three_tier_study


@pytest.mark.django_db(transaction=True)
def test_jannick_enters_todays_fear_through_a_diary_link(
    page, live_server, login, screenshot, ana, jannick
):
    study = make_study(ana, jannick, start_date=timezone.localdate() - timedelta(days=2))
    services.study_randomize(actor=ana, study=study, seed=5)
    login("ana")
    page.goto(f"{live_server.url}/patients/{jannick.pk}/sced/{study.pk}/")
    diary = page.locator("#diary")
    diary.get_by_label("Kind of link").select_option("recurring")
    diary.get_by_label("Valid for (days)").fill("14")
    diary.get_by_role("button", name="Issue a link").click()
    expect(page.get_by_text("it is shown only once")).to_be_visible()
    url = page.get_by_role("textbox", name="Diary link").input_value()
    assert re.search(r"/d/[\w-]{43,}/$", url)
    screenshot("sced_10_diary_link_issued")

    # Jannick's phone: no login, a small screen.
    phone = page.context.browser.new_context(viewport={"width": 390, "height": 844})
    mobile = phone.new_page()
    mobile.goto(url)
    expect(mobile.get_by_role("heading", name="My daily diary")).to_be_visible()
    expect(mobile.get_by_text("Choose a number from 0 to 10")).to_be_visible()
    choice = mobile.get_by_text("6", exact=True)
    box = choice.bounding_box()
    assert box["width"] >= 44  # touch target (WCAG 2.5.5)
    assert box["height"] >= 44
    mobile.screenshot(path="test-artifacts/screenshots/sced_11_diary_phone.png", full_page=True)
    choice.click()
    mobile.get_by_role("button", name="Save today's values").click()
    expect(mobile.get_by_text("Today's values are saved")).to_be_visible()
    mobile.screenshot(path="test-artifacts/screenshots/sced_12_diary_saved.png", full_page=True)
    mobile.goto(url)
    expect(mobile.get_by_text("already entered today")).to_be_visible()
    phone.close()
    m = Measurement.objects.get()
    assert (m.session, m.value, m.recorded_by) == (3, 6.0, None)

    page.goto(f"{live_server.url}/patients/{jannick.pk}/sced/{study.pk}/")
    expect(page.locator("#data").get_by_text("by the patient")).to_be_visible()
    page.locator("#diary").get_by_role("button", name="Revoke").click()
    expect(page.locator("#diary").get_by_text("revoked", exact=True)).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_ana_reads_a_three_tier_multiple_baseline(
    page, live_server, login, screenshot, ana, jannick
):
    study = three_tier_study(ana, jannick)
    draw = services.study_randomize(actor=ana, study=study, seed=2024, concealed=False)
    fill_tiers(study, ana, draw)
    login("ana")
    page.goto(f"{live_server.url}/patients/{jannick.pk}/sced/{study.pk}/")
    expect(page.get_by_text("Staggered intervention starts")).to_be_visible()
    results = page.locator("#results")
    expect(results.get_by_text("Done")).to_be_visible(timeout=60_000)
    graph = results.get_by_role("img", name="Multiple-baseline graph")
    expect(graph).to_be_visible()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=graph.element_handle()
    )
    expect(results.get_by_text("Randomization test across tiers")).to_be_visible()
    expect(
        results.get_by_text("900 admissible assignments (every assignment computed)")
    ).to_be_visible()
    screenshot("sced_13_mbd_results")
    # Closing keeps the analysis.
    page.get_by_label(re.compile("Data collection has ended")).check()
    page.get_by_role("button", name="Close the study").click()
    expect(page.get_by_text(re.compile("Closed by"))).to_be_visible()
    expect(page.locator("#results").get_by_text("Randomization test across tiers")).to_be_visible()
    screenshot("sced_14_closed")
