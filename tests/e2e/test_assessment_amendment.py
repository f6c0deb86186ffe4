"""Ana corrects Jannick's STarT Back: the score after the amendment follows the answers as she
changes them (no reason typed yet), and the pathway decision made on the old group is flagged for
review on his profile (issue #9)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from assessment import selectors, services, yellow_flags
from tests.assessment.factories import signed_result

STARTBACK_HIGH = {str(i): 1 for i in range(1, 9)} | {"9": 4}  # 9, psychosocial 5: high risk


@pytest.mark.django_db(transaction=True)
def test_the_amendment_preview_is_live_and_the_old_decision_is_flagged(
    page, live_server, login, screenshot, ana, jannick
):
    result = signed_result(patient=jannick, key="startback", answers=STARTBACK_HIGH, actor=ana)
    suggestion = yellow_flags.matched_care_suggestion(selectors.latest_scores(jannick))
    services.matched_care_decide(
        actor=ana, patient=jannick, chosen_pathway="pipt", suggestion=suggestion.as_dict()
    )
    login("ana")
    kwargs = {"patient_id": jannick.pk, "administration_id": result.pk}
    page.goto(live_server.url + reverse("assessment:amend", kwargs=kwargs))
    preview = page.locator("#score-preview")
    expect(preview.locator("[data-testid=score-total]")).to_have_text("9")

    page.locator("input[name='item_5'][value='0']").check()
    expect(preview.locator("[data-testid=score-total]")).to_have_text("8")
    page.locator("input[name='item_6'][value='0']").check()
    expect(preview.locator("[data-testid=score-total]")).to_have_text("7")
    expect(preview).to_contain_text("Medium risk")
    expect(preview.get_by_test_id("decision-at-stake")).to_contain_text("flags that decision")
    expect(page.get_by_label("Reason for the amendment")).to_have_value("")
    screenshot("assessment_30_amendment_preview")

    page.get_by_label("Reason for the amendment").fill("Items 5 and 6 were misread")
    page.get_by_role("button", name="Save amendment").click()
    expect(page.get_by_text("Amendment saved")).to_be_visible()

    page.goto(live_server.url + reverse("assessment:profile", kwargs={"patient_id": jannick.pk}))
    flag = page.get_by_test_id("decision-needs-review")
    expect(flag).to_contain_text("High risk → Medium risk")
    screenshot("assessment_31_decision_to_review")
