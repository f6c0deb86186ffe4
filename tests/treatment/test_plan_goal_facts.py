"""The episode's plan and goal facts the team review reads (Episode.latest_plan_flags,
Episode.has_goals, Episode.gas_t_score: issue #16) follow the plans, goals and reviews as the
treatment services write them."""

from __future__ import annotations

import pytest

from assessment.instruments.gas import GasGoal, gas_t_score
from patients.models import Episode
from tests.treatment.factories import episode_of, goal_for, plan_for, review_for
from treatment import services
from treatment.models import Goal, TreatmentPlan

pytestmark = pytest.mark.django_db


def _stored(episode):
    return Episode.objects.values_list("latest_plan_flags", "has_goals").get(pk=episode.pk)


def _from_the_records(episode):
    latest = TreatmentPlan.objects.filter(episode=episode).order_by("-version").first()
    return (
        latest.yellow_flags if latest else None,
        Goal.objects.filter(episode=episode).exists(),
    )


def test_a_new_episode_has_no_plan_and_no_goals(jannick):
    episode = episode_of(jannick)
    assert _stored(episode) == (None, False) == _from_the_records(episode)


def test_signing_and_changing_a_plan_and_setting_a_goal_keep_the_facts_current(jannick, ana):
    episode = episode_of(jannick)
    plan = plan_for(jannick, ana)
    assert _stored(episode) == (["fear_of_movement"], False) == _from_the_records(episode)
    services.plan_save(
        actor=ana,
        episode=episode,
        formulation=plan.formulation,
        yellow_flags=["fear_of_movement", "low_mood"],
        focus_areas=plan.focus_areas,
        interventions={"graded_exposure": ana},
        expected_version=1,
        change_reason="Low mood came up at the review",
    )
    assert _stored(episode) == (["fear_of_movement", "low_mood"], False)
    goal = goal_for(jannick, ana)
    assert _stored(episode) == (["fear_of_movement", "low_mood"], True)
    services.goal_retire(actor=ana, goal=goal, reason="Replaced by a smaller step")
    # A retired goal still counts as set (it keeps its reviews and its place in the GAS chart).
    assert (
        _stored(episode) == _from_the_records(episode) == (["fear_of_movement", "low_mood"], True)
    )


def test_a_plan_without_flags_is_a_plan(jannick, ana):
    episode = episode_of(jannick)
    services.plan_save(
        actor=ana,
        episode=episode,
        formulation="Pacing first",
        yellow_flags=[],
        focus_areas="",
        interventions={},
        expected_version=0,
    )
    assert _stored(episode) == ([], False) == _from_the_records(episode)


def _t(episode):
    return Episode.objects.values_list("gas_t_score", flat=True).get(pk=episode.pk)


def test_the_gas_t_follows_the_latest_review_of_each_goal_and_its_amendment(jannick, ana):
    """Kiresuk-Sherman T (rho 0.3) of the goals at their latest review, at the level in force:
    an amended review counts at its corrected level (as on the patient's own GAS chart)."""
    episode = episode_of(jannick)
    football = goal_for(jannick, ana, weight=2)
    walking = goal_for(jannick, ana, weight=1, what="Walk to the shop")
    assert _t(episode) is None  # no review yet: not scorable
    review_for(football, ana, level=-1)
    assert _t(episode) == pytest.approx(gas_t_score([GasGoal(-1, 2.0)]).t_score)
    first_walk = review_for(walking, ana, level=0)
    both = gas_t_score([GasGoal(-1, 2.0), GasGoal(0, 1.0)]).t_score
    assert _t(episode) == pytest.approx(both)
    services.goal_review_amend(
        actor=ana, review=first_walk, attained_level=1, note="", reason="Misread the scale"
    )
    amended = gas_t_score([GasGoal(-1, 2.0), GasGoal(1, 1.0)]).t_score
    assert _t(episode) == pytest.approx(amended)
    assert amended != pytest.approx(both)
