"""URL parameters for treatment views, for the access suite (tests/test_access.py)."""

from tests.treatment.factories import (
    exposure_prediction_for,
    goal_for,
    hierarchy_item_for,
    pacing_plan_for,
    review_for,
)
from tests.treatment.factories_letters import discharged_episode_for, participant_for


def url_kwargs(patient, actor) -> dict:
    """Create whatever treatment objects Jannick needs and return {url parameter: value}."""
    goal = goal_for(patient, actor)
    return {
        "goal_id": goal.pk,
        "review_id": review_for(goal, actor).pk,
        "item_id": hierarchy_item_for(patient, actor).pk,
        "experiment_id": exposure_prediction_for(hierarchy_item_for(patient, actor), actor).pk,
        "pacing_id": pacing_plan_for(patient, actor).pk,
        # The letters (issue #14): an earlier discharged episode, a programme place that ended.
        "discharged_episode_id": discharged_episode_for(patient, actor).pk,
        "participant_id": participant_for(patient, actor).pk,
    }
