"""Therapist quality in the browser (issue #13):
- Jannick rates his working alliance with Ana privately by link; Ana sees it only once she marks
  the session ended; Bob then hands Jannick over to Dina, and the rating stays Ana's.
- Bob, the team lead, records a CTS-R of Ana's CBT session; Ana reads it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from assessment.models import Administration
from patients import services as patient_services
from quality.models import SupervisorRating
from tests.assessment.factories import made_up_wording


@pytest.mark.django_db(transaction=True)
def test_jannick_rates_the_alliance_by_link_and_it_stays_with_ana_after_a_reassignment(
    page, live_server, login, screenshot, jannick, ana, bob, dina
):
    made_up_wording("waisr")  # licensed: the clinic's (here invented) wording is uploaded
    login("ana")
    page.goto(f"{live_server.url}/patients/{jannick.pk}/assessment/")
    page.get_by_label("Or single instruments").select_option("waisr")
    page.get_by_label("Time point").select_option("review")
    expect(
        page.get_by_label("Clinician rated by the alliance or empathy questionnaire")
    ).to_have_value(str(ana.pk))
    page.get_by_role("button", name="Start session").click()
    expect(page.get_by_test_id("rated-clinician")).to_contain_text("Ana Costa")
    page.get_by_role("button", name="Issue a self-report link").click()
    link_url = page.locator("#link-url").input_value()

    # Jannick, at home on his phone, without an account.
    page.context.clear_cookies()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(link_url)
    expect(page.get_by_test_id("private-rating")).to_be_visible()
    for item in range(1, 13):
        page.locator(f"input[name$='item_{item}'][value='4']").check()
    screenshot("quality_01_alliance_by_link")
    page.get_by_role("button", name="Send to my clinician").click()
    expect(page.get_by_text("Thank you", exact=False)).to_be_visible()

    # Ana, during the session: the rating is not shown yet.
    page.set_viewport_size({"width": 1280, "height": 900})
    login("ana")
    administration = Administration.objects.get(instrument_key="waisr")
    page.goto(
        f"{live_server.url}/patients/{jannick.pk}/assessment/sessions/{administration.session_id}/"
    )
    expect(page.get_by_test_id("rating-hidden")).to_have_text("Shown once the session is over")
    screenshot("quality_02_rating_hidden_during_session")
    page.get_by_role("button", name="Mark the session ended").click()
    page.get_by_role("link", name="Enter WAI-SR").click()
    page.get_by_role("button", name="Sign").click()
    expect(page.get_by_test_id("rated-clinician")).to_contain_text("Ana Costa")

    # Bob hands Jannick over to Dina; the rating stays Ana's.
    patient_services.patient_reassign(actor=bob, episode=jannick.episodes.get(), to_clinician=dina)
    page.context.clear_cookies()
    login("bob")
    page.goto(f"{live_server.url}/patients/{jannick.pk}/alliance/")
    point = page.get_by_test_id("alliance-point")
    expect(point).to_have_count(1)
    expect(point).to_contain_text("48")
    expect(point).to_contain_text("Ana Costa")
    expect(page.get_by_test_id("no-rupture-cue")).to_be_visible()
    screenshot("quality_03_alliance_chart_after_reassignment")
    page.goto(f"{live_server.url}/team/")
    ana_rows = page.get_by_role("row").filter(has_text="WAI-SR")
    expect(ana_rows.first).to_contain_text("Ana Costa")
    expect(ana_rows.first).to_contain_text("48")
    screenshot("quality_04_team_review_credits_ana")
    assert Administration.objects.get(instrument_key="waisr").rated_clinician == ana


@pytest.mark.django_db(transaction=True)
def test_bob_records_a_ctsr_of_anas_cbt_session_and_ana_reads_it(
    page, live_server, login, screenshot, jannick, ana, bob
):
    login("bob")
    page.goto(f"{live_server.url}/quality/ratings/")
    page.get_by_role("link", name="CTS-R (cognitive therapy competence)").click()
    page.get_by_label("Clinician rated").select_option(label="Ana Costa")
    for number, score in zip(range(1, 13), [4, 3, 4, 3, 4, 3, 4, 3, 3, 3, 4, 2], strict=True):
        page.locator(f"select[name='item_{number}']").select_option(str(float(score)))
    page.get_by_label("Feedback for the clinician").fill("Clear agenda; set homework together.")
    screenshot("quality_05_ctsr_form")
    page.get_by_role("button", name="Record the rating").click()
    expect(page.get_by_test_id("rating-result")).to_contain_text("40 of 72")
    expect(page.get_by_test_id("rating-band")).to_have_text("competent")
    screenshot("quality_06_ctsr_recorded")
    page.goto(f"{live_server.url}/quality/outcomes/")
    expect(page.get_by_test_id("therapist-effects-warning")).to_contain_text("about 5 in every 100")
    screenshot("quality_07_outcomes_with_cautions")

    page.context.clear_cookies()
    login("ana")
    page.goto(f"{live_server.url}/quality/ratings/")
    page.get_by_role("link", name="Open").click()
    expect(page.get_by_text("Clear agenda; set homework together.")).to_be_visible()
    rating = SupervisorRating.objects.get()
    assert rating.clinician == ana
    assert rating.rater == bob
    assert rating.result["parts"]["Total"] == 40
