"""Ana takes Jannick from his fear-avoidance profile to a signed plan, a fear hierarchy, his first
behavioural experiment and his first goal review with its GAS T-score (issue #5, "done means")."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from painclinic.models import AuditAction, AuditEvent
from treatment.models import (
    ExposureSession,
    GoalReview,
    HierarchyItem,
    SuggestionRecord,
    TreatmentPlan,
)


@pytest.mark.django_db(transaction=True)
def test_ana_plans_jannicks_graded_exposure_and_sees_his_first_gas_t_score(
    page, live_server, login, screenshot, ana, jannick
):
    from tests.assessment.factories import answers_all, signed_result

    # Jannick's signed profile: TSK-11 33 (high by clinic policy) and PCS 39 (clinically relevant).
    signed_result(patient=jannick, key="tsk11", answers=answers_all("tsk11", 3), actor=ana)
    signed_result(patient=jannick, key="pcs", answers=answers_all("pcs", 3), actor=ana)

    page.set_default_timeout(10_000)
    login("ana")
    page.goto(f"{live_server.url}/patients/{jannick.pk}/")
    section = page.get_by_role("region", name="Treatment")
    expect(section.get_by_text("Pain education and graded exposure in vivo")).to_be_visible()
    section.get_by_role("link", name="Treatment plan and suggestions").click()

    # 1. The profile suggests pain education and graded exposure; Ana accepts.
    suggestion = page.get_by_role("article", name="Pain education and graded exposure in vivo")
    expect(suggestion.get_by_text("TSK-11 ≥ 24")).to_be_visible()
    expect(suggestion.get_by_text("PCS ≥ 30")).to_be_visible()
    screenshot("treatment_01_suggestions")
    suggestion.get_by_label("Note (optional)").fill("Agreed with Jannick")
    suggestion.get_by_role(
        "button", name="Accept: Pain education and graded exposure in vivo"
    ).click()
    expect(page.get_by_text("Suggestion accepted")).to_be_visible()
    expect(suggestion.get_by_text("Accepted · Ana Costa")).to_be_visible()

    # 2. The plan starts from the accepted interventions; Ana writes the formulation and signs.
    page.get_by_role("link", name="Write the plan").click()
    expect(page.get_by_label("Graded exposure in vivo")).to_be_checked()
    expect(page.get_by_label("Pain education / reconceptualisation")).to_be_checked()
    page.locator("#id_formulation").fill(
        "Jannick believes lifting will damage his back; he avoids lifting and bending, "
        "which keeps the fear and the disability going."
    )
    page.get_by_label("Fear of movement / (re)injury (in the profile)").check()
    page.get_by_label("Catastrophizing (in the profile)").check()
    page.locator("#id_by_graded_exposure").select_option(label="Ana Costa")
    page.locator("#id_by_pain_education").select_option(label="Ana Costa")
    screenshot("treatment_02_plan_form")
    page.get_by_role("button", name="Sign the plan").click()
    expect(page.get_by_text("The treatment plan is signed.")).to_be_visible()
    expect(page.get_by_text("Signed · version 1")).to_be_visible()
    expect(page.get_by_text("Graded exposure in vivo — Ana Costa")).to_be_visible()
    screenshot("treatment_03_plan_signed")

    # 3. A three-step fear hierarchy, in Jannick's words.
    page.get_by_role("link", name="Graded exposure").first.click()
    steps = [
        ("Bending to tie shoelaces", "30", "My back will lock and I won't get up"),
        ("Lifting a crate of 10 kg", "70", "Something in my spine will snap"),
        ("Kicking a football", "55", "The twist will slip a disc"),
    ]
    for n, (activity, fear, consequence) in enumerate(steps):
        if n:
            page.get_by_text("Add a feared activity").click()
        page.get_by_label("Activity").fill(activity)
        page.get_by_label("Fear / perceived harm (0-100)").fill(fear)
        page.get_by_label("Feared consequence, in the patient's words").fill(consequence)
        page.get_by_role("button", name="Add to the hierarchy").click()
        expect(page.get_by_text("Added to the hierarchy.")).to_be_visible()
    rows = page.locator("#hierarchy-table tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("Bending to tie shoelaces")  # least feared first
    expect(rows.nth(2)).to_contain_text("Lifting a crate of 10 kg")
    screenshot("treatment_04_hierarchy")

    # 4. The first behavioural experiment, on the least feared step, in two steps: the
    # prediction before it, the outcome after it (shown against the prediction).
    page.get_by_role("link", name="Record a prediction: Bending to tie shoelaces").click()
    page.get_by_label("The prediction, in the patient's words").fill("My back will lock.")
    page.get_by_label("How likely is the feared outcome? (0-100)").fill("80")
    page.get_by_label("Fear before (0-100)").fill("60")
    page.get_by_role("button", name="Record the prediction").click()
    expect(page.get_by_text("Prediction recorded.")).to_be_visible()
    page.get_by_role("link", name="Log the outcome: Bending to tie shoelaces").click()
    expect(page.locator("#the-prediction")).to_contain_text("My back will lock.")
    expect(page.locator("#the-prediction")).to_contain_text("80 out of 100")
    page.get_by_label("How far did the feared outcome happen? (0-100)").fill("10")
    page.get_by_label("What happened").fill("Tied both shoes three times; back stiff, no lock.")
    page.get_by_label("Peak fear (0-100)").fill("75")
    page.get_by_label("Fear after (0-100)").fill("30")
    page.get_by_label("How likely is the feared outcome now? (0-100)").fill("35")
    page.get_by_role("button", name="Log the outcome").click()
    expect(page.get_by_text("Outcome logged.")).to_be_visible()
    session_row = page.locator("#sessions-table tbody tr").first
    expect(session_row.locator(".violation")).to_have_text("70")  # expected 80, happened 10
    expect(session_row.locator(".belief-change")).to_have_text("45")  # 80 before, 35 after
    expect(page.locator("#exposure-means")).to_contain_text("Mean expectancy violation: 70.0")
    screenshot("treatment_05_exposure_session")

    # 5. A goal in Jannick's words with its five GAS levels.
    page.get_by_role("link", name="Plan and goals").click()
    page.get_by_role("link", name="Set a goal").click()
    page.get_by_label("Goal in the patient's own words").fill(
        "I want to play football with my son again"
    )
    page.get_by_label("Values domain").select_option("family")
    page.locator("#id_what").fill("Play football with his son")
    page.get_by_label("How much / how often").fill("15 minutes, twice a week")
    page.get_by_label("By when").fill((date.today() + timedelta(days=84)).isoformat())
    page.get_by_label("+2 much more than expected").fill("Plays a full match with the team")
    page.get_by_label("+1 somewhat more than expected").fill("Plays 30 minutes")
    page.get_by_label("0 expected outcome").fill("Plays 15 minutes in the park")
    page.get_by_label("−1 somewhat less than expected").fill("Kicks a ball gently for 2 minutes")
    page.get_by_label("−2 much less than expected").fill("Cannot kick a ball at all")
    screenshot("treatment_06_goal_form")
    page.get_by_role("button", name="Set the goal").click()
    expect(page.get_by_text("Goal set.")).to_be_visible()
    expect(page.get_by_role("heading", name="Play football with his son")).to_be_visible()

    # 6. The first review: attained +1, so with one goal T = 50 + 10 × 1 = 60.
    page.get_by_label("Level attained").select_option("1")
    page.get_by_label("Note").fill("Played 30 minutes on Saturday")
    page.get_by_role("button", name="Record the review").click()
    expect(page.get_by_text("Review recorded.")).to_be_visible()
    gas = page.locator("#gas")
    expect(gas.locator("tbody tr").nth(0)).to_contain_text("40.0")  # baseline −1
    expect(gas.locator("tbody tr").nth(1)).to_contain_text("60.0")
    chart = gas.get_by_role("img")
    expect(chart).to_be_visible()
    assert page.evaluate("img => img.naturalWidth", chart.element_handle()) > 0
    screenshot("treatment_07_goal_review_t_score")

    page.goto(f"{live_server.url}/patients/{jannick.pk}/")
    expect(page.get_by_role("region", name="Treatment").get_by_text("60.0")).to_be_visible()
    screenshot("treatment_08_patient_page")

    assert TreatmentPlan.objects.get(episode__patient=jannick).version == 1
    assert SuggestionRecord.objects.get(episode__patient=jannick).decision == "accepted"
    assert HierarchyItem.objects.filter(patient=jannick).count() == 3
    experiment = ExposureSession.objects.get(item__patient=jannick)
    assert (experiment.expectancy_violation, experiment.belief_change) == (70, 45)
    assert GoalReview.objects.get(goal__episode__patient=jannick).attained_level == 1
    creates = AuditEvent.objects.filter(patient=jannick, action=AuditAction.CREATE, actor=ana)
    assert creates.filter(object_type="treatment.treatmentplan").exists()
    assert creates.filter(object_type="treatment.suggestionrecord").exists()
    assert creates.filter(object_type="treatment.goalreview").exists()
