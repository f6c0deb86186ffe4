"""Keeping the plan current: a goal reworded before its first review (refused after it), goals and
hierarchy steps retired with a reason (never deleted), the hierarchy re-ordered by hand, and a
pacing schedule changed from a given day with its log kept."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils import timezone

from painclinic.concurrency import edit_token
from painclinic.models import AuditAction, AuditEvent
from tests.treatment.factories import (
    GAS_LEVELS,
    exposure_session_for,
    goal_for,
    hierarchy_item_for,
    pacing_plan_for,
    review_for,
)
from treatment import pacing, selectors, services
from treatment.forms import GoalForm
from treatment.models import Goal, HierarchyItem, PacingScheduleChange


def url(name, patient, **kwargs):
    return reverse(f"treatment:{name}", kwargs={"patient_id": patient.pk, **kwargs})


def goal_post(goal, **extra):
    """The edit form as opened now: its fields and the token of the goal as shown."""
    data = {
        "edit_token": edit_token(Goal.objects.get(pk=goal.pk), GoalForm.EDIT_TOKEN_FIELDS),
        "patient_words": goal.patient_words,
        "domain": goal.domain,
        "what": goal.what,
        "how_much": goal.how_much,
        "by_when": goal.by_when.isoformat(),
        **GAS_LEVELS,
        "baseline_level": goal.baseline_level,
        "weight": "1",
        "linked_measure": "",
        "linked_measure_label": "",
    }
    data.update(extra)
    return data


# --- goals ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_ana_rewords_jannicks_goal_before_its_first_review(client, ana, jannick):
    goal = goal_for(jannick, ana)
    client.force_login(ana)
    assert (
        "Save the goal" in client.get(url("goal_edit", jannick, goal_id=goal.pk)).content.decode()
    )
    response = client.post(
        url("goal_edit", jannick, goal_id=goal.pk),
        goal_post(goal, level_0="Plays football with his son for 20 minutes"),
    )
    assert response.status_code == 302
    goal.refresh_from_db()
    assert goal.level_0 == "Plays football with his son for 20 minutes"
    change = AuditEvent.objects.get(patient=jannick, action=AuditAction.CHANGE)
    assert change.changed_fields == ["level_0"]


@pytest.mark.django_db
def test_after_the_first_review_the_scale_is_fixed_and_the_page_says_why(client, ana, jannick):
    goal = goal_for(jannick, ana)
    review_for(goal, ana, level=0)
    client.force_login(ana)
    page = client.get(url("goal_edit", jannick, goal_id=goal.pk)).content.decode()
    assert "its wording and levels are fixed" in page
    response = client.post(
        url("goal_edit", jannick, goal_id=goal.pk), goal_post(goal, level_0="Something easier")
    )
    assert response.status_code == 400
    assert "Retire it with a reason and set a new goal" in response.content.decode()
    goal.refresh_from_db()
    assert goal.level_0 == GAS_LEVELS["level_0"]
    with pytest.raises(ValidationError, match="fixed"):
        services.goal_update(actor=ana, goal=goal, data={"level_0": "Something easier"})
    detail = client.get(url("goal_detail", jannick, goal_id=goal.pk)).content.decode()
    assert "Change the wording or levels" not in detail


@pytest.mark.django_db
def test_a_retired_goal_leaves_the_current_list_but_stays_in_history(client, ana, jannick):
    football = goal_for(jannick, ana)
    walking = goal_for(jannick, ana, what="Walk to the shop")
    client.force_login(ana)
    refused = client.post(url("goal_retire", jannick, goal_id=football.pk), {"reason": " "})
    assert refused.status_code == 400
    response = client.post(
        url("goal_retire", jannick, goal_id=football.pk),
        {"reason": "Replaced by a goal about cycling"},
    )
    assert response.status_code == 302
    football.refresh_from_db()
    assert football.retired_by == ana
    assert football.retired_reason.startswith("Replaced")
    assert Goal.objects.filter(pk=football.pk).exists()  # never deleted
    overview = selectors.treatment_overview(jannick)
    assert [g.pk for g in overview["goals"]] == [walking.pk]
    assert [g.pk for g in overview["retired_goals"]] == [football.pk]
    page = client.get(url("overview", jannick)).content.decode()
    assert "1 retired goal" in page
    assert "Replaced by a goal about cycling" in page
    detail = client.get(url("goal_detail", jannick, goal_id=football.pk)).content.decode()
    assert "Retired by" in detail
    assert "Record the review" not in detail
    with pytest.raises(ValidationError, match="retired"):
        review_for(football, ana)
    with pytest.raises(ValidationError, match="already retired"):
        services.goal_retire(actor=ana, goal=football, reason="again")


@pytest.mark.django_db
def test_a_retired_goal_counts_in_the_gas_t_score_only_before_its_retirement(ana, jannick):
    football = goal_for(jannick, ana)
    walking = goal_for(jannick, ana, what="Walk to the shop")
    withdrawn = goal_for(jannick, ana, what="Set by mistake")
    month_ago = timezone.now() - timedelta(days=30)
    Goal.objects.filter(pk__in=[football.pk, walking.pk, withdrawn.pk]).update(created_at=month_ago)
    ten_days_ago = date.today() - timedelta(days=10)
    football.refresh_from_db()
    walking.refresh_from_db()
    withdrawn.refresh_from_db()
    review_for(football, ana, level=2, on=ten_days_ago)
    review_for(walking, ana, level=0, on=ten_days_ago)
    services.goal_retire(actor=ana, goal=withdrawn, reason="Set by mistake")
    before = [p.t_score for p in selectors.gas_history(selectors.goals_for(football.episode))]
    services.goal_retire(actor=ana, goal=football, reason="Reached; a new goal replaces it")
    review_for(walking, ana, level=1)  # today, after the retirement

    history = selectors.gas_history(selectors.goals_for(football.episode))

    # The baseline and the review ten days ago keep both goals (the withdrawn one never counted);
    # today's point is over walking alone: one goal at +1, T = 60.
    assert [p.t_score for p in history[:2]] == pytest.approx(before)
    assert history[1].t_score > 60
    assert history[2].day == date.today()
    assert history[2].t_score == pytest.approx(60.0)


# --- the hierarchy ----------------------------------------------------------------------------


def order(patient):
    return [i.activity for i in selectors.hierarchy_for(patient) if not i.is_retired]


@pytest.mark.django_db
def test_ana_reorders_the_hierarchy_by_hand_and_the_fear_ratings_stay(client, ana, jannick):
    bend = hierarchy_item_for(jannick, ana, activity="Bending", fear=30)
    hierarchy_item_for(jannick, ana, activity="Running", fear=55)
    lift = hierarchy_item_for(jannick, ana, activity="Lifting", fear=80)
    assert order(jannick) == ["Bending", "Running", "Lifting"]
    client.force_login(ana)
    response = client.post(url("item_move", jannick, item_id=lift.pk), {"direction": "up"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#move-up-{lift.pk}")
    assert order(jannick) == ["Bending", "Lifting", "Running"]
    assert HierarchyItem.objects.get(pk=lift.pk).fear_rating == 80
    # At the top already: nothing moves.
    client.post(url("item_move", jannick, item_id=bend.pk), {"direction": "up"})
    assert order(jannick) == ["Bending", "Lifting", "Running"]
    assert client.post(url("item_move", jannick, item_id=bend.pk), {}).status_code == 400
    # A new step still goes in at its fear rating: after the last step rated no higher.
    hierarchy_item_for(jannick, ana, activity="Hoovering", fear=40)
    assert order(jannick) == ["Bending", "Hoovering", "Lifting", "Running"]
    page = client.get(url("hierarchy", jannick)).content.decode()
    assert f'id="move-up-{lift.pk}"' in page
    assert "Move down: Lifting" in page
    moves = AuditEvent.objects.filter(
        action=AuditAction.CHANGE, object_type="treatment.hierarchyitem"
    )
    assert [e.changed_fields for e in moves] == [["position"]]  # the no-op move is not logged


@pytest.mark.django_db
def test_a_retired_step_keeps_its_sessions_in_the_table_and_charts(client, ana, jannick):
    crate = hierarchy_item_for(jannick, ana, activity="Lifting a crate", fear=70)
    exposure_session_for(crate, ana)
    hierarchy_item_for(jannick, ana, activity="Running", fear=55)
    client.force_login(ana)
    response = client.post(
        url("item_retire", jannick, item_id=crate.pk), {"reason": "No longer feared"}
    )
    assert response.status_code == 302
    assert order(jannick) == ["Running"]
    page = client.get(url("hierarchy", jannick)).content.decode()
    assert "1 retired step" in page
    assert "No longer feared" in page
    assert page.count("Lifting a crate") >= 2  # the retired list and the session table
    chart = client.get(url("hierarchy_chart", jannick)).content.decode()
    assert "Lifting a crate (retired)" in chart
    refused = client.post(
        url("exposure_session_add", jannick, item_id=crate.pk),
        {"date": date.today().isoformat(), "expectancy_before": 50, "fear_before": 40},
    )
    assert refused.status_code == 400
    assert "retired" in refused.content.decode()
    with pytest.raises(ValidationError):
        services.hierarchy_item_move(actor=ana, item=crate, direction="up")


# --- pacing -----------------------------------------------------------------------------------


def change_form(**extra):
    return {
        "effective_from": date.today().isoformat(),
        "baseline": "",
        "rule_kind": "lowest_baseline_value",
        "rule_proportion": "1",
        "increment_kind": "fixed",
        "increment_amount": "5",
        "steps": "3",
        "days_per_step": "7",
        "target": "",
        "reason": "Susan copes well: larger steps",
        **extra,
    }


@pytest.mark.django_db
def test_susans_schedule_changes_from_today_and_the_days_before_keep_their_quota(
    client, ana, susan
):
    plan = pacing_plan_for(susan, ana, start=date.today() - timedelta(days=6))  # quota 12, +2/wk
    for offset in range(6, 0, -1):
        services.pacing_log_record(
            actor=ana, plan=plan, day=date.today() - timedelta(days=offset), done=Decimal(12)
        )
    client.force_login(ana)
    assert client.get(url("pacing_change", susan, pacing_id=plan.pk)).status_code == 200

    response = client.post(url("pacing_change", susan, pacing_id=plan.pk), change_form())

    assert response.status_code == 302
    overview = selectors.pacing_overview(selectors.pacing_plan_for(susan, plan.pk))
    # Days 1-6 keep 12; from today the new rule: the lowest baseline value (10), +5 a week.
    assert overview.daily[:6] == (12,) * 6
    assert overview.daily[6:8] == (10, 10)
    assert overview.daily[13] == 15
    assert len(overview.daily) == 6 + 21
    assert overview.start.value == 10
    assert overview.in_force.number == 2
    assert [d.status for d in overview.adherence.days] == ["on"] * 6  # the log is kept
    page = client.get(url("pacing_detail", susan, pacing_id=plan.pk)).content.decode()
    assert "Schedule versions" in page
    assert "Susan copes well" in page
    event = AuditEvent.objects.get(patient=susan, action=AuditAction.CHANGE)
    assert {"effective_from", "rule_kind", "increment_amount", "steps"} <= set(event.changed_fields)


@pytest.mark.django_db
def test_a_schedule_change_needs_a_reason_and_cannot_rewrite_the_past(client, ana, susan):
    plan = pacing_plan_for(susan, ana, start=date.today() - timedelta(days=6))
    client.force_login(ana)
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    past = client.post(
        url("pacing_change", susan, pacing_id=plan.pk), change_form(effective_from=yesterday)
    )
    assert past.status_code == 400
    assert "days already past keep" in past.content.decode()
    no_reason = client.post(url("pacing_change", susan, pacing_id=plan.pk), change_form(reason=""))
    assert no_reason.status_code == 400
    too_few = client.post(
        url("pacing_change", susan, pacing_id=plan.pk), change_form(baseline="5, 6")
    )
    assert too_few.status_code == 400
    assert "Only 2 baseline recordings:" in too_few.content.decode()
    assert not PacingScheduleChange.objects.exists()
    later = date.today() + timedelta(days=14)
    services.pacing_schedule_change(
        actor=ana,
        plan=plan,
        effective_from=later,
        data={**change_form(), "rule_proportion": Decimal(1), "increment_amount": Decimal(5),
              "steps": 3, "days_per_step": 7, "target": None, "baseline": []},
        reason="Planned",
    )  # fmt: skip
    with pytest.raises(ValidationError, match="latest change"):
        services.pacing_schedule_change(
            actor=ana,
            plan=plan,
            effective_from=date.today(),
            data={**change_form(), "rule_proportion": Decimal(1), "increment_amount": Decimal(5),
                  "steps": 3, "days_per_step": 7, "target": None, "baseline": []},
            reason="Earlier",
        )  # fmt: skip


@pytest.mark.django_db
def test_a_schedule_change_is_a_signed_row_the_database_will_not_update(ana, susan):
    plan = pacing_plan_for(susan, ana)
    change = services.pacing_schedule_change(
        actor=ana,
        plan=plan,
        effective_from=date.today(),
        data={"baseline": [], "rule_kind": "lowest_baseline_value", "rule_proportion": Decimal(1),
              "increment_kind": "fixed", "increment_amount": Decimal(5), "steps": 3,
              "days_per_step": 7, "target": None},
        reason="Larger steps",
    )  # fmt: skip
    with pytest.raises(DatabaseError), transaction.atomic():
        PacingScheduleChange.objects.filter(pk=change.pk).update(reason="rewritten")


class TestVersionedDailyQuotas:
    def test_a_later_version_replaces_the_days_from_its_start(self):
        assert pacing.versioned_daily_quotas([(0, (1, 1, 2, 2)), (2, (5, 6))]) == (1, 1, 5, 6)

    def test_a_gap_holds_the_last_quota(self):
        assert pacing.versioned_daily_quotas([(0, (1, 2)), (4, (9,))]) == (1, 2, 2, 2, 9)

    def test_the_same_day_twice_keeps_the_later_version(self):
        assert pacing.versioned_daily_quotas([(0, (1,)), (3, (4,)), (3, (7, 8))]) == (1, 1, 1, 7, 8)

    def test_versions_out_of_order_or_not_from_day_0_are_refused(self):
        with pytest.raises(ValueError, match="in the order of their first day"):
            pacing.versioned_daily_quotas([(0, (1,)), (3, (2,)), (1, (3,))])
        with pytest.raises(ValueError, match="must start on day 0"):
            pacing.versioned_daily_quotas([(2, (1,))])
