"""The derived facts the treatment services keep (painclinic/derived.py): rebuilt in batches by
``manage.py refresh_derived`` after a load that bypassed the services.

- ``episode.plan_and_goal_facts``: Episode.latest_plan_flags and has_goals
  (``services.refresh_plan_and_goal_facts``);
- ``episode.gas_t_score``: Episode.gas_t_score (``services.refresh_gas_t_scores``).

Both use the services' own rules; only the stale rows are written, so a second run writes none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from painclinic import derived
from patients.models import Episode
from treatment import services

if TYPE_CHECKING:
    from django.db.models import QuerySet

_FACTS = ("latest_plan_flags", "has_goals")  # the keys of services.plan_and_goal_facts_rule()


def _plan_and_goal_stale(episodes: QuerySet[Episode]) -> list[int]:
    wanted = {f"wanted_{name}": rule for name, rule in services.plan_and_goal_facts_rule().items()}
    rows = episodes.order_by().annotate(**wanted).values_list("pk", *_FACTS, *wanted)
    n = len(_FACTS)
    return [pk for pk, *values in rows if values[:n] != values[n:]]


def plan_and_goal_facts_check(episodes: QuerySet[Episode]) -> int:
    return len(_plan_and_goal_stale(episodes))


def plan_and_goal_facts_refresh(episodes: QuerySet[Episode]) -> int:
    stale = _plan_and_goal_stale(episodes)
    if stale:
        services.refresh_plan_and_goal_facts(Episode.objects.filter(pk__in=stale))
    return len(stale)


def gas_t_score_check(episodes: QuerySet[Episode]) -> int:
    return len(services.gas_t_score_changes(episodes))


def register() -> None:
    derived.register(
        "episode.plan_and_goal_facts",
        rows=Episode.objects.all,
        check=plan_and_goal_facts_check,
        refresh=plan_and_goal_facts_refresh,
        description="latest plan's yellow flags, whether goals are set",
    )
    derived.register(
        "episode.gas_t_score",
        rows=Episode.objects.all,
        check=gas_t_score_check,
        refresh=services.refresh_gas_t_scores,
        description="GAS T of the goals at their latest review",
    )
