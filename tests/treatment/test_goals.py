"""Goals in the patient's words, scaled for GAS; reviews, amendments and the T-score history.
The formula itself is tested purely in tests/assessment/instruments/test_gas.py: here the flow."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import DatabaseError, transaction
from django.urls import reverse

from painclinic.models import AuditAction, AuditEvent
from patients.models import Episode
from tests.treatment.factories import GAS_LEVELS, goal_for, review_for
from treatment import selectors, services
from treatment.models import Goal, GoalReview


def url(name, patient, **kwargs):
    return reverse(f"treatment:{name}", kwargs={"patient_id": patient.pk, **kwargs})


def history(patient):
    goals = selectors.goals_for(Episode.objects.current_for(patient))
    return [
        (p.label, None if p.t_score is None else round(p.t_score, 2))
        for p in selectors.gas_history(goals)
    ]


@pytest.mark.django_db
def test_ana_sets_jannicks_goal_in_his_words_with_five_levels(client, ana, jannick):
    client.force_login(ana)
    data = {
        "patient_words": "I want to play football with my son",
        "domain": "family",
        "what": "Play football",
        "how_much": "15 minutes",
        "by_when": (date.today() + timedelta(days=60)).isoformat(),
        **GAS_LEVELS,
        "baseline_level": "-2",
        "weight": "2",
        "linked_measure": "psfs",
        "linked_measure_label": "Kicking a ball",
    }
    response = client.post(url("goal_add", jannick), data)
    goal = Goal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("goal_detail", jannick, goal_id=goal.pk)
    assert (goal.baseline_level, goal.weight, goal.linked_measure) == (-2, Decimal("2.0"), "psfs")
    assert AuditEvent.objects.filter(
        object_type="treatment.goal", action=AuditAction.CREATE
    ).exists()


@pytest.mark.django_db
def test_a_goal_form_with_errors_keeps_what_was_typed(client, ana, jannick):
    client.force_login(ana)
    response = client.post(
        url("goal_add", jannick),
        {"patient_words": "Back to work full days", "by_when": "2000-01-01"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Back to work full days" in page
    assert "cannot be in the past" in page


@pytest.mark.django_db
def test_a_review_through_the_page_shows_the_t_score(client, ana, jannick):
    goal = goal_for(jannick, ana)
    client.force_login(ana)
    response = client.post(
        url("goal_review", jannick, goal_id=goal.pk),
        {"review_date": date.today().isoformat(), "attained_level": "0", "note": "as planned"},
    )
    assert response.status_code == 302
    page = client.get(url("goal_detail", jannick, goal_id=goal.pk)).content.decode()
    assert '<span class="gas-t">40.0</span>' in page  # baseline −1
    assert '<span class="gas-t">50.0</span>' in page  # attained as expected


@pytest.mark.django_db
def test_equal_weights_two_goals_t_score_per_review_date(ana, jannick):
    today = date.today()
    football = goal_for(jannick, ana, what="Football")
    lifting = goal_for(jannick, ana, what="Lift the shopping")
    review_for(football, ana, level=1, on=today)
    review_for(lifting, ana, level=0, on=today)
    # T = 50 + 10·(1 + 0) / √(0.7·2 + 0.3·4) = 50 + 10/√2.6 = 56.20 (Kiresuk & Sherman, ρ = 0.3)
    # Baseline both −1: 50 − 20/√2.6 = 37.60
    assert history(jannick) == [("Baseline", 37.6), (today.strftime("%d %b %Y"), 56.2)]


@pytest.mark.django_db
def test_unequal_weights_change_the_t_score(ana, jannick):
    football = goal_for(jannick, ana, what="Football", weight=3)
    lifting = goal_for(jannick, ana, what="Lift the shopping", weight=1)
    review_for(football, ana, level=2)
    review_for(lifting, ana, level=-1)
    # 50 + 10·(3·2 − 1) / √(0.7·10 + 0.3·16) = 50 + 50/√11.8 = 64.56
    assert history(jannick)[-1][1] == 64.56


@pytest.mark.django_db
def test_a_goal_not_yet_reviewed_makes_the_date_unscorable_with_the_reason(client, ana, jannick):
    football = goal_for(jannick, ana, what="Football")
    goal_for(jannick, ana, what="Lift the shopping")
    review_for(football, ana, level=1)
    points = selectors.gas_history(selectors.goals_for(Episode.objects.current_for(jannick)))
    assert points[-1].t_score is None
    assert points[-1].reason == "Goal 2 has not been reviewed yet (no attained level)."
    client.force_login(ana)
    page = client.get(url("goal_detail", jannick, goal_id=football.pk)).content.decode()
    assert "Goal 2 has not been reviewed yet" in page


@pytest.mark.django_db
def test_an_amendment_keeps_the_original_review_and_changes_the_t_score(client, ana, bob, jannick):
    goal = goal_for(jannick, ana)
    review = review_for(goal, ana, level=1)
    client.force_login(bob)
    response = client.post(
        url("review_amend", jannick, review_id=review.pk),
        {"attained_level": "0", "note": "", "reason": "Level 1 was entered by mistake"},
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.attained_level == 1  # the original stays
    assert review.amendments.get().attained_level == 0
    assert history(jannick)[-1][1] == 50.0
    page = client.get(url("goal_detail", jannick, goal_id=goal.pk)).content.decode()
    assert "amended to 0 by Bob Hughes" in page
    assert "entered by mistake" in page
    event = AuditEvent.objects.get(action=AuditAction.CHANGE, object_type="treatment.goalreview")
    assert event.changed_fields == ["attained_level"]


@pytest.mark.django_db
def test_an_amendment_needs_a_reason(client, ana, jannick):
    review = review_for(goal_for(jannick, ana), ana, level=1)
    client.force_login(ana)
    response = client.post(
        url("review_amend", jannick, review_id=review.pk), {"attained_level": "0", "reason": ""}
    )
    assert response.status_code == 400
    assert not review.amendments.exists()


@pytest.mark.django_db
def test_a_review_cannot_be_in_the_future(client, ana, jannick):
    goal = goal_for(jannick, ana)
    client.force_login(ana)
    response = client.post(
        url("goal_review", jannick, goal_id=goal.pk),
        {"review_date": (date.today() + timedelta(days=1)).isoformat(), "attained_level": "1"},
    )
    assert response.status_code == 400
    assert not GoalReview.objects.exists()
    with pytest.raises(services.ValidationError):
        services.goal_review_record(
            actor=ana, goal=goal, review_date=date.today() + timedelta(days=1), attained_level=0
        )


@pytest.mark.django_db
def test_a_signed_review_cannot_be_overwritten_in_the_database(ana, jannick, is_postgres):
    if not is_postgres:
        pytest.skip("the trigger under test is PostgreSQL's")
    review = review_for(goal_for(jannick, ana), ana, level=1)
    with pytest.raises(DatabaseError), transaction.atomic():
        GoalReview.objects.filter(pk=review.pk).update(attained_level=2)


@pytest.mark.django_db
def test_another_patients_goal_is_404_under_jannicks_url(client, ana, jannick, susan):
    susans = goal_for(susan, ana)
    client.force_login(ana)
    assert client.get(url("goal_detail", jannick, goal_id=susans.pk)).status_code == 404
