"""One cache for every chart a page shows (issue #16: "charts cached per data hash; no page draws
a chart in the request").

A chart is stored under its kind, a SHA-256 of exactly the data it draws and the version of its
renderer: new data (a review, a session, a dose, today's date where the chart shows it) or a new
way of drawing makes a new key, and an unchanged chart is drawn once. Nothing is invalidated by
hand, so no save can forget to.

The store is the Django cache ``charts`` (settings.CACHES): files in CHART_CACHE_DIR, which web
and worker share (Compose mounts one ``charts`` volume). It is never a public URL: charts are
health data and leave only through the access-checked, audited views that ask for them.

When a chart is not stored yet the view draws it once and stores it (the first view pays, later
views and the PDFs read it). Saves that change what a chart shows send a pre-render job after
their commit (``prerender_on_commit``) to the plots queue, so with a worker running the next view
finds it drawn. In-process ("eager") mode pre-renders nothing: that would draw in the save.

Bottom layer: no clinical app here; the apps pass their data and renderer.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.cache import caches

from painclinic import jobs
from painclinic.celery import app

if TYPE_CHECKING:
    from collections.abc import Callable

CACHE_ALIAS = "charts"  # settings.CACHES: how long a chart is kept, how many, where


def _plain(value: object) -> object:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not chart data")


def chart_key(kind: str, data: Any, *, version: int) -> str:
    """``kind:<sha256>`` of the kind, the renderer's version and the data, as canonical JSON
    (sorted keys; dates as ISO text; a tuple and a list are the same data)."""
    canonical = json.dumps(
        {"kind": kind, "v": version, "data": data},
        sort_keys=True,
        default=_plain,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return f"{kind}:{hashlib.sha256(canonical.encode()).hexdigest()}"


@dataclass(frozen=True)
class Chart:
    """A chart as the view serves it: its content (SVG text or PNG bytes) and its key."""

    content: str | bytes
    key: str

    @property
    def data(self) -> bytes:
        """The content as bytes (a PNG as is, an SVG as UTF-8)."""
        return self.content if isinstance(self.content, bytes) else self.content.encode()

    @property
    def etag(self) -> str:
        return '"' + self.key.rsplit(":", 1)[-1] + '"'


def cached_chart(
    kind: str, data: Any, render: Callable[..., str | bytes], *, version: int
) -> Chart:
    """The chart of ``kind`` for ``data``, drawn with ``render(*data)`` only when it is not
    stored yet (``data`` is the tuple of the renderer's arguments, plain values only)."""
    key = chart_key(kind, data, version=version)
    store = caches[CACHE_ALIAS]
    content = store.get(key)
    if content is None:
        content = render(*data)
        store.set(key, content)
    return Chart(content, key)


def is_cached(kind: str, data: Any, *, version: int) -> bool:
    return caches[CACHE_ALIAS].has_key(chart_key(kind, data, version=version))


def prerender_on_commit(task: Any, args: tuple) -> bool:
    """Send a pre-render job (a thin, idempotent task that draws what is missing) after the
    commit. Not in eager mode: the job would then run inside the save's request, which is what
    the cache exists to avoid; the next view draws instead. A broker that is down only costs the
    warm cache (the view draws). True when a job was asked for."""
    if app.conf.task_always_eager:
        return False
    jobs.enqueue_on_commit(task, args)
    return True
