"""Derived columns: stored facts the services keep current, and one way to rebuild them all.

The team review and the caseload read facts stored by the services instead of computing them on
each request (issue #16): an episode's last signed assessment, its first and latest result per
instrument, its latest plan's yellow flags, whether it has goals, its GAS T, a study's NAP in
force, an analysis run's finding. Anything that writes the underlying rows without the services
(the bench seed's ``bulk_create``, a restore of part of a dump, a hand-made fix in SQL) leaves them
stale, and the pages then show wrong lists without any error.

Each app says here, in its ``AppConfig.ready()``, which facts it keeps and how to rebuild them
(``register``); ``manage.py refresh_derived`` runs every registered fact over its rows in batches,
each batch in its own transaction, and ``--check`` counts the stale rows without writing. This
module is the bottom layer: it knows no app, only the functions the apps give it (the layers
contract in pyproject.toml).

A fact gives three functions:
- ``rows()``: the queryset of the rows it is keyed on (the episodes, the studies, …), which the
  runner walks in primary-key order, ``batch_size`` at a time (a keyset page: only the ids of
  one batch are ever held, whatever the size of the table);
- ``check(batch)``: how many of ``batch``'s rows hold a value other than the rule gives (reads
  only);
- ``refresh(batch)``: rewrite those rows and return how many it rewrote (0 when none was stale,
  so a second run rewrites nothing).

Facts run in the order they were registered: a fact read by another (an analysis run's finding,
read for a study's NAP in force) is registered first by its app.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.db.models import QuerySet

DEFAULT_BATCH_SIZE = 1_000


@dataclass(frozen=True)
class DerivedFact:
    name: str  # "episode.gas_t_score": the model and column(s), as the command prints them
    rows: Callable[[], QuerySet[Any]]
    check: Callable[[QuerySet[Any]], int]
    refresh: Callable[[QuerySet[Any]], int]
    description: str = ""


@dataclass(frozen=True)
class FactOutcome:
    name: str
    rows: int  # stale rows found (check) or rewritten (refresh)
    examined: int  # rows of ``rows()`` walked
    batches: int
    seconds: float


_facts: dict[str, DerivedFact] = {}


def register(
    name: str,
    *,
    rows: Callable[[], QuerySet[Any]],
    check: Callable[[QuerySet[Any]], int],
    refresh: Callable[[QuerySet[Any]], int],
    description: str = "",
) -> None:
    """Register a derived fact (from an ``AppConfig.ready()``). Registering the same name again
    replaces it in place (``ready()`` may run twice in tests) and keeps its order."""
    _facts[name] = DerivedFact(name, rows, check, refresh, description)


def registered() -> list[DerivedFact]:
    """Every registered fact, in registration order."""
    return list(_facts.values())


def _batches(rows: QuerySet[Any], batch_size: int):
    """The primary keys of ``rows``, ``batch_size`` at a time, in key order (keyset pages: one
    short query per batch, never the whole table in memory)."""
    last = None
    while True:
        page = rows.order_by("pk")
        if last is not None:
            page = page.filter(pk__gt=last)
        ids = list(page.values_list("pk", flat=True)[:batch_size])
        if not ids:
            return
        yield ids
        last = ids[-1]


def run(fact: DerivedFact, *, write: bool, batch_size: int = DEFAULT_BATCH_SIZE) -> FactOutcome:
    """Check or rebuild one fact over all its rows, batch by batch, each batch in its own
    transaction (a long rebuild holds no lock for long and keeps what it finished if stopped).

    When writing, the batch's rows are locked first (``FOR NO KEY UPDATE``, as the services'
    own refreshes lock the episode): a service saving one of them meanwhile waits for the batch
    to commit and then writes its own newer value, instead of being overwritten by a value read
    before its commit."""
    started = time.perf_counter()
    total = examined = batches = 0
    for ids in _batches(fact.rows(), batch_size):
        with transaction.atomic():
            batch = fact.rows().filter(pk__in=ids)
            if write:
                list(batch.select_for_update(no_key=True).order_by("pk").values_list("pk"))
                total += fact.refresh(batch)
            else:
                total += fact.check(batch)
        examined += len(ids)
        batches += 1
    return FactOutcome(fact.name, total, examined, batches, time.perf_counter() - started)


def run_all(*, write: bool, batch_size: int = DEFAULT_BATCH_SIZE) -> list[FactOutcome]:
    """``run`` every registered fact, in registration order."""
    return [run(fact, write=write, batch_size=batch_size) for fact in registered()]
