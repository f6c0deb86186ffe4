"""Ana types one session of Jannick's fear of lifting and his walking minutes in one form on the
study page (issue #12); a session after the plan comes back with both typed values, then both save."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from sced import services
from sced.models import Measurement
from tests.sced.conftest import FEAR, make_study

WALKING = {
    "name": "Walking",
    "unit": "minutes",
    "range_min": 0,
    "range_max": 120,
    "improvement": "increase",
}


@pytest.mark.django_db(transaction=True)
def test_ana_enters_one_session_of_both_measures(
    page, live_server, login, screenshot, ana, jannick
):
    study = make_study(ana, jannick, measures=[FEAR, WALKING])
    services.study_randomize(actor=ana, study=study, seed=5, concealed=False)
    login("ana")
    page.goto(f"{live_server.url}/patients/{jannick.pk}/sced/{study.pk}/")
    page.locator("#session-entry summary").click()
    form = page.locator("form.sced-session-entry")
    # A value out of its range is stopped by the browser (the field carries the range); a
    # session after the plan is refused by the clinic's rule and comes back with what was typed.
    form.get_by_label("Session").fill("30")
    form.get_by_label("Fear of lifting a crate (0-10)").fill("8")
    form.get_by_label("Walking (minutes)").fill("25")
    form.get_by_role("button", name="Save the session").click()
    expect(
        page.get_by_text("Nothing was saved. Correct these values and save again:")
    ).to_be_visible()
    form = page.locator("form.sced-session-entry")
    expect(form.get_by_label("Walking (minutes)")).to_have_value("25")
    expect(form.get_by_label("Fear of lifting a crate (0-10)")).to_have_value("8")
    screenshot("sced_session_entry_error")
    assert not Measurement.objects.exists()
    form.get_by_role("spinbutton", name="Session").fill("1")
    form.get_by_role("button", name="Save the session").click()
    expect(page.get_by_text("2 values saved.")).to_be_visible()
    assert sorted(Measurement.objects.values_list("session", "value")) == [(1, 8.0), (1, 25.0)]
    page.locator("#session-entry summary").click()
    screenshot("sced_session_entry_saved")
