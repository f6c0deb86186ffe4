"""The derived facts the assessment services keep (painclinic/derived.py): rebuilt in batches
by ``manage.py refresh_derived`` after a load that bypassed the services.

- ``episode.last_signed_assessment``: the session date of the episode's latest signed scorable
  result (the rule of ``services.refresh_last_signed_assessment``, grouped per batch);
- ``assessment.result_summary``: the ResultSummary rows, first and latest result per episode and
  instrument with the RCI classification (``selectors.result_summaries_computed``, the rule of
  ``services.refresh_result_summaries``).

Both are keyed on the episode: a batch is a set of episodes, locked by the runner while it writes
(as ``refresh_result_summaries`` locks the episode), so a signature meanwhile waits and then
writes rows that include its own result.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from assessment import selectors
from assessment.models import ResultSummary
from painclinic import derived
from patients.models import Episode

if TYPE_CHECKING:
    from django.db.models import QuerySet

# Every stored column of a summary but its own id: two rows are the same fact when these agree.
_SUMMARY_FIELDS = tuple(f.attname for f in ResultSummary._meta.concrete_fields if not f.primary_key)


def _last_signed_changes(episodes: QuerySet[Episode]) -> list[Episode]:
    current = dict(episodes.values_list("pk", "last_signed_assessment"))
    latest = selectors.last_signed_assessment_by_episode(list(current))
    return [
        Episode(pk=pk, last_signed_assessment=latest.get(pk))
        for pk, stored in current.items()
        if stored != latest.get(pk)
    ]


def last_signed_assessment_check(episodes: QuerySet[Episode]) -> int:
    return len(_last_signed_changes(episodes))


def last_signed_assessment_refresh(episodes: QuerySet[Episode]) -> int:
    changed = _last_signed_changes(episodes)
    Episode.objects.bulk_update(changed, ["last_signed_assessment"], batch_size=1_000)
    return len(changed)


def _summary_values(summary: ResultSummary) -> tuple:
    # Totals come as JSON numbers from the score and as floats from the column: compare as floats.
    return tuple(
        float(v) if name.endswith("_total") and v is not None else v
        for name, v in ((n, getattr(summary, n)) for n in _SUMMARY_FIELDS)
    )


def _summary_changes(episodes: QuerySet[Episode]) -> tuple[int, list[int], list[ResultSummary]]:
    """(how many episode-instrument summaries are stale, ids of stored rows to delete, rows to
    insert): the rows that are missing, left over or differ from what the administrations give."""
    ids = list(episodes.values_list("pk", flat=True))
    wanted = {(s.episode_id, s.instrument_key): s for s in selectors.result_summaries_computed(ids)}
    stored = {
        (s.episode_id, s.instrument_key): s
        for s in ResultSummary.objects.filter(episode_id__in=ids)
    }
    stale = {
        key
        for key in wanted.keys() | stored.keys()
        if key not in wanted
        or key not in stored
        or _summary_values(wanted[key]) != _summary_values(stored[key])
    }
    return (
        len(stale),
        [stored[key].pk for key in stale if key in stored],
        [wanted[key] for key in stale if key in wanted],
    )


def result_summary_check(episodes: QuerySet[Episode]) -> int:
    """Episode-instrument summaries missing, left over or different."""
    return _summary_changes(episodes)[0]


def result_summary_refresh(episodes: QuerySet[Episode]) -> int:
    stale, to_delete, to_insert = _summary_changes(episodes)
    # Delete first: (episode, instrument) is unique.
    ResultSummary.objects.filter(pk__in=to_delete).delete()
    ResultSummary.objects.bulk_create(to_insert, batch_size=1_000)
    return stale


def register() -> None:
    derived.register(
        "episode.last_signed_assessment",
        rows=Episode.objects.all,
        check=last_signed_assessment_check,
        refresh=last_signed_assessment_refresh,
        description="date of the latest signed scorable result",
    )
    derived.register(
        "assessment.result_summary",
        rows=Episode.objects.all,
        check=result_summary_check,
        refresh=result_summary_refresh,
        description="first and latest result per episode and instrument, RCI classification",
    )
