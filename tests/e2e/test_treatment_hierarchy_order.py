"""Ana and Jannick agree the order of his fear hierarchy with the keyboard alone, and retire a
step that no longer frightens him (issue #5: hierarchy maintenance)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.treatment.factories import hierarchy_item_for


@pytest.mark.django_db(transaction=True)
def test_ana_moves_a_step_up_with_the_keyboard_and_retires_another(
    page, live_server, login, screenshot, ana, jannick
):
    page.set_default_timeout(10_000)
    for activity, fear in (("Bending", 30), ("Running", 55), ("Lifting a crate", 80)):
        hierarchy_item_for(jannick, ana, activity=activity, fear=fear)
    login("ana")
    page.goto(f"{live_server.url}/patients/{jannick.pk}/treatment/exposure/")
    rows = page.locator("#hierarchy-table tbody tr")
    expect(rows.nth(2)).to_contain_text("Lifting a crate")

    up = page.get_by_role("button", name="Move up: Lifting a crate")
    up.focus()
    page.keyboard.press("Enter")
    expect(rows.nth(1)).to_contain_text("Lifting a crate")
    # The focus comes back to the same button, so pressing Enter again moves it again.
    expect(page.get_by_role("button", name="Move up: Lifting a crate")).to_be_focused()
    expect(rows.nth(1)).to_contain_text("80")  # the fear rating does not change
    screenshot("treatment_13_hierarchy_reordered")

    page.get_by_text("Retire: Bending").click()
    page.get_by_label("Reason for retiring: Bending").fill("No longer feared")
    page.get_by_role("button", name="Retire the step").first.click()
    expect(page.get_by_text("Step retired")).to_be_visible()
    expect(rows).to_have_count(2)
    expect(page.locator("#retired-steps")).to_contain_text("1 retired step")
    screenshot("treatment_14_hierarchy_retired")
