"""No questionnaire or decision form presets an answer, so "required" really requires one (issue
#9: a preset answer is indistinguishable from one the clinician or patient gave)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from assessment import instruments, services
from assessment.forms import AdministrationForm, MatchedCareForm
from assessment.models import MatchedCareDecision
from tests.assessment.factories import made_up_wording, signed_result

pytestmark = pytest.mark.django_db
STARTBACK_HIGH = {str(i): 1 for i in range(1, 9)} | {"9": 4}


@pytest.mark.parametrize("key", [d.key for d in instruments.all_instruments()])
def test_a_new_questionnaire_has_no_answer_ticked(key):
    html = str(AdministrationForm(definition=instruments.get(key)).as_p())
    assert not re.search(r"<input[^>]* checked", html)
    assert not re.search(r'type="number"[^>]* value="', html)


def test_the_pathway_decision_is_not_preselected_even_when_a_group_suggests_one(
    client, jannick, ana
):
    signed_result(patient=jannick, key="startback", answers=STARTBACK_HIGH, actor=ana)
    client.force_login(ana)
    page = client.get(reverse("assessment:profile", kwargs={"patient_id": jannick.pk}))
    select = page.content.decode().split('name="chosen_pathway"')[1].split("</select>")[0]
    assert not re.search(r'<option value="[^"]+" selected', select)
    assert not MatchedCareForm(data={"chosen_pathway": ""}).is_valid()
    refused = client.post(
        reverse("assessment:decide", kwargs={"patient_id": jannick.pk}), {"chosen_pathway": ""}
    )
    assert refused.status_code == 400
    assert not MatchedCareDecision.objects.exists()


def test_the_patient_link_form_has_no_answer_ticked(client, susan, ana):
    session = services.session_start(
        actor=ana,
        patient=susan,
        episode=susan.episodes.get(),
        time_point="review",
        instrument_keys=["phq9", "gad7", "phoda"],
    )
    made_up_wording("phoda")
    _link, token = services.patient_link_issue(actor=ana, session=session)
    page = client.get(f"/p/{token}/").content.decode()
    assert not re.search(r"<input[^>]* checked", page)
    assert not re.search(r'type="number"[^>]* value="', page)
