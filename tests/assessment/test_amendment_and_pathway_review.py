"""An amendment that moves a result out of the group a pathway decision was based on flags that
decision for review, until a clinician records it again (issue #9)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from assessment import selectors, services, yellow_flags
from assessment.models import MatchedCareDecision
from painclinic.models import AuditAction, AuditEvent
from tests.assessment.factories import signed_result

pytestmark = pytest.mark.django_db

STARTBACK_HIGH = {str(i): 1 for i in range(1, 9)} | {"9": 4}  # total 9, psychosocial 5: high
STARTBACK_MEDIUM = STARTBACK_HIGH | {"5": 0, "6": 0}  # total 7, psychosocial 3: medium
OMPSQ_HIGH = {str(i): 7 for i in range(1, 10)} | {"10": 5}  # 68: at or above the cut-off 50
OMPSQ_LOW = {str(i): 3 for i in range(1, 11)}  # 30


def _decide(patient, actor, pathway):
    suggestion = yellow_flags.matched_care_suggestion(selectors.latest_scores(patient))
    return services.matched_care_decide(
        actor=actor, patient=patient, chosen_pathway=pathway, suggestion=suggestion.as_dict()
    )


def _profile(client, patient):
    return client.get(reverse("assessment:profile", kwargs={"patient_id": patient.pk}))


def test_amending_startback_from_high_to_medium_flags_the_pipt_decision(client, jannick, ana):
    result = signed_result(patient=jannick, key="startback", answers=STARTBACK_HIGH, actor=ana)
    decision = _decide(jannick, ana, "pipt")
    assert not decision.needs_review

    amendment = services.administration_amend(
        actor=ana, administration=result, answers=STARTBACK_MEDIUM, reason="Items 5-6 misread"
    )

    decision.refresh_from_db()
    assert decision.needs_review
    assert decision.review_amendment == amendment
    assert AuditEvent.objects.filter(
        action=AuditAction.CHANGE,
        object_type="assessment.matchedcaredecision",
        object_id=str(decision.pk),
        changed_fields=["review_amendment"],
        actor=ana,
    ).exists()
    client.force_login(ana)
    page = _profile(client, jannick).content.decode()
    assert 'data-testid="decision-needs-review"' in page
    assert "High risk → Medium risk" in page
    summary = client.get(reverse("assessment:summary", kwargs={"patient_id": jannick.pk}))
    assert b"summary-decision-review" in summary.content  # on the patient page too

    # Ana looks again and records the decision on the amended result: the flag is gone.
    _decide(jannick, ana, "physiotherapy")
    page = _profile(client, jannick).content.decode()
    assert 'data-testid="decision-needs-review"' not in page
    assert MatchedCareDecision.objects.filter(review_amendment__isnull=False).count() == 1


def test_an_amendment_that_keeps_the_group_leaves_the_decision_alone(jannick, ana):
    result = signed_result(patient=jannick, key="startback", answers=STARTBACK_HIGH, actor=ana)
    decision = _decide(jannick, ana, "pipt")
    services.administration_amend(
        actor=ana, administration=result, answers=STARTBACK_HIGH | {"1": 0}, reason="Leg pain: no"
    )
    decision.refresh_from_db()
    assert not decision.needs_review


def test_an_ompsq_decision_is_flagged_when_its_band_changes(jannick, ana):
    result = signed_result(patient=jannick, key="ompsq10", answers=OMPSQ_HIGH, actor=ana)
    decision = _decide(jannick, ana, "pipt")
    assert decision.risk_category == "high_risk"
    services.administration_amend(
        actor=ana, administration=result, answers=OMPSQ_LOW, reason="Entered the wrong form"
    )
    decision.refresh_from_db()
    assert decision.needs_review


def test_the_amendment_preview_updates_without_a_reason(client, jannick, ana):
    """The preview endpoint scores what is typed; the reason is needed only to save (the page
    posts the preview from an element inside the form, so the browser's required check on the
    reason never blocks it: tests/e2e/test_assessment_amendment.py)."""
    result = signed_result(patient=jannick, key="startback", answers=STARTBACK_HIGH, actor=ana)
    client.force_login(ana)
    kwargs = {"patient_id": jannick.pk, "administration_id": result.pk}
    data = {f"item_{k}": str(v) for k, v in STARTBACK_MEDIUM.items()}
    preview = client.post(reverse("assessment:score_preview", kwargs=kwargs), data)
    assert preview.status_code == 200
    assert b"Medium risk" in preview.content
    page = client.get(reverse("assessment:amend", kwargs=kwargs)).content.decode()
    form = page.split('id="amend-form"')[1].split("</form>")[0]
    tag_of_form = page.split('id="amend-form"')[0].rsplit("<form", 1)[1]
    assert "hx-post" not in tag_of_form  # htmx would validate the form (required reason) first
    assert "hx-post" in form
    assert 'name="reason"' in form


def test_the_preview_says_before_saving_that_the_decision_will_be_flagged(client, jannick, ana):
    result = signed_result(patient=jannick, key="startback", answers=STARTBACK_HIGH, actor=ana)
    _decide(jannick, ana, "pipt")
    client.force_login(ana)
    url = reverse(
        "assessment:score_preview",
        kwargs={"patient_id": jannick.pk, "administration_id": result.pk},
    )
    same_group = client.post(url, {f"item_{k}": str(v) for k, v in STARTBACK_HIGH.items()})
    assert b"decision-at-stake" not in same_group.content
    medium = client.post(url, {f"item_{k}": str(v) for k, v in STARTBACK_MEDIUM.items()})
    assert b"flags that decision for review" in medium.content


def test_apps_above_hear_of_an_amendment_inside_its_transaction(jannick, ana):
    """treatment/ can flag a suggestion decision whose evidence was the old result."""
    from assessment.signals import result_amended

    heard = []

    def receiver(sender, administration, amendment, actor, **kwargs):
        heard.append((administration.pk, amendment.new_score["band"]["name"], actor))

    result = signed_result(patient=jannick, key="startback", answers=STARTBACK_HIGH, actor=ana)
    result_amended.connect(receiver)
    try:
        services.administration_amend(
            actor=ana, administration=result, answers=STARTBACK_MEDIUM, reason="misread"
        )
    finally:
        result_amended.disconnect(receiver)
    assert heard == [(result.pk, "medium", ana)]
