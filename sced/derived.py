"""The derived facts the SCED models keep (painclinic/derived.py): rebuilt in batches by
``manage.py refresh_derived`` after a load that bypassed ``AnalysisRun.save`` and
``analysis_request``.

- ``analysis_run.finding``: the first measure's result cut down to what the team review reads
  (``models.store_findings``);
- ``study.finding_nap``: the NAP of the finding in force and its interval
  (``models.store_in_force_findings``), from the finding of the run in force as
  ``store_findings`` makes it (registered after the findings all the same).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from painclinic import derived
from sced.models import (
    AnalysisRun,
    AnalysisState,
    Study,
    in_force_finding_changes,
    stale_findings,
    store_findings,
)

if TYPE_CHECKING:
    from django.db.models import QuerySet


_NAP_COLUMNS = ("finding_nap", "finding_nap_ci_lower", "finding_nap_ci_upper")


def _done_runs() -> QuerySet[AnalysisRun]:
    return AnalysisRun.objects.filter(state=AnalysisState.DONE)


def finding_check(runs: QuerySet[AnalysisRun]) -> int:
    return len(stale_findings(runs))


def finding_refresh(runs: QuerySet[AnalysisRun]) -> int:
    stale = stale_findings(runs)
    if stale:
        store_findings(AnalysisRun.objects.filter(pk__in=stale))
    return len(stale)


def _in_force_changes(studies: QuerySet[Study]) -> list[Study]:
    # From the runs' results, not their stored findings: checked on its own, a stale finding
    # would otherwise hide a stale NAP (and in a rebuild the findings are already current).
    return in_force_finding_changes(studies, finding_from_results=True)


def in_force_check(studies: QuerySet[Study]) -> int:
    return len(_in_force_changes(studies))


def in_force_refresh(studies: QuerySet[Study]) -> int:
    changed = _in_force_changes(studies)
    Study.objects.bulk_update(changed, list(_NAP_COLUMNS), batch_size=1_000)
    return len(changed)


def register() -> None:
    derived.register(
        "analysis_run.finding",
        rows=_done_runs,
        check=finding_check,
        refresh=finding_refresh,
        description="the part of a done analysis the team review reads",
    )
    derived.register(
        "study.finding_nap",
        rows=Study.objects.all,
        check=in_force_check,
        refresh=in_force_refresh,
        description="NAP (95% CI) of the finding in force",
    )
