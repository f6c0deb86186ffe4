"""Jannick's profile makes suggestions; Ana's accept/decline decisions are recorded and audited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from painclinic.models import AuditAction, AuditEvent
from tests.treatment.factories import episode_of
from treatment.models import SuggestionRecord


def decide_url(patient):
    return reverse(
        "treatment:suggestion_decide",
        kwargs={"patient_id": patient.pk, "episode_id": episode_of(patient).pk},
    )


def overview_url(patient):
    return reverse("treatment:overview", kwargs={"patient_id": patient.pk})


@pytest.mark.django_db
def test_jannick_high_fear_gets_the_exposure_suggestion_with_its_evidence(
    client, ana, jannick_profile
):
    client.force_login(ana)
    page = client.get(overview_url(jannick_profile)).content.decode()
    assert "Pain education and graded exposure in vivo" in page
    assert "TSK-11 ≥ 24" in page
    assert "score 33" in page
    assert "PCS ≥ 30" in page
    assert "score 39" in page
    assert "Vlaeyen &amp; Linton" in page  # the source is shown


@pytest.mark.django_db
def test_accepting_records_the_decision_with_evidence_and_is_audited(client, ana, jannick_profile):
    client.force_login(ana)
    response = client.post(
        decide_url(jannick_profile),
        {"rule_key": "fear_avoidance_exposure", "decision": "accepted", "note": "agreed"},
    )
    assert response.status_code == 302
    record = SuggestionRecord.objects.get()
    assert (record.decision, record.decided_by, record.note) == ("accepted", ana, "agreed")
    assert {e["instrument"] for e in record.evidence} == {"tsk11", "pcs"}
    assert "Vlaeyen" in record.source
    assert AuditEvent.objects.filter(
        patient=jannick_profile,
        action=AuditAction.CREATE,
        object_type="treatment.suggestionrecord",
    ).exists()
    page = client.get(overview_url(jannick_profile)).content.decode()
    assert "Accepted · Ana Costa" in page
    # The new plan starts from the accepted interventions.
    plan_page = client.get(
        reverse(
            "treatment:plan_edit",
            kwargs={"patient_id": jannick_profile.pk, "episode_id": episode_of(jannick_profile).pk},
        )
    ).content.decode()
    assert 'id="id_iv_graded_exposure" checked' in plan_page
    assert 'id="id_iv_pain_education" checked' in plan_page
    assert 'id="id_iv_cbt" checked' not in plan_page


@pytest.mark.django_db
def test_declining_then_accepting_keeps_both_and_the_latest_counts(client, ana, jannick_profile):
    client.force_login(ana)
    url = decide_url(jannick_profile)
    client.post(url, {"rule_key": "fear_avoidance_exposure", "decision": "declined"})
    client.post(url, {"rule_key": "fear_avoidance_exposure", "decision": "accepted"})
    assert [r.decision for r in SuggestionRecord.objects.all()] == ["accepted", "declined"]
    history = client.get(
        reverse(
            "treatment:plan_history",
            kwargs={"patient_id": jannick_profile.pk, "episode_id": episode_of(jannick_profile).pk},
        )
    ).content.decode()
    assert history.count("<td>Pain education and graded exposure in vivo</td>") == 2
    assert "<td>Declined</td>" in history
    assert "<td>Accepted</td>" in history


@pytest.mark.django_db
def test_a_suggestion_the_profile_does_not_make_cannot_be_accepted(client, ana, jannick_profile):
    client.force_login(ana)
    response = client.post(
        decide_url(jannick_profile),
        {"rule_key": "depression_cbt_liaison", "decision": "accepted"},
    )
    assert response.status_code == 400
    assert "no longer made by the profile" in response.content.decode()
    assert not SuggestionRecord.objects.exists()


@pytest.mark.django_db
def test_susan_with_no_signed_questionnaires_gets_no_suggestions(client, ana, susan):
    client.force_login(ana)
    page = client.get(overview_url(susan)).content.decode()
    assert "No suggestions" in page
