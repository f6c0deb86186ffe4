"""Helpers for pages that list many rows: what a template would do once per row (translate a
month's name, reverse a URL) done once per page instead (issue #16: the caseload's 50-row loop
made ~476 gettext look-ups and 100 URL reversals).
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils.dateformat import format as date_format

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import date

    from django.db.models import QuerySet

_PLACEHOLDER = uuid.UUID(int=0)


def day_formatter() -> Callable[[date | None], str | None]:
    """``date`` -> "7 Dec 2026", as the template filter ``date:"j M Y"`` writes it, each month's
    name translated once (the filter translates it on every call); None stays None."""
    months: dict[int, str] = {}

    def day(value: date | None) -> str | None:
        if value is None:
            return None
        if value.month not in months:
            months[value.month] = date_format(value, "M")
        return f"{value.day} {months[value.month]} {value.year:04d}"

    return day


def uuid_url(viewname: str, kwarg: str, **kwargs: Any) -> Callable[[uuid.UUID], str]:
    """``reverse(viewname, kwargs={kwarg: id, **kwargs})`` for many ids, reversed once: the URL
    of a placeholder id, with each id written where the placeholder was. The route's ``uuid``
    converter writes an id as ``str(id)``, as done here."""
    url = reverse(viewname, kwargs={kwarg: _PLACEHOLDER, **kwargs})
    placeholder = str(_PLACEHOLDER)
    if url.count(placeholder) != 1:  # the id does not appear once: reverse each one

        def each(value: uuid.UUID) -> str:
            return reverse(viewname, kwargs={kwarg: value, **kwargs})

        return each
    head, tail = url.split(placeholder)

    def url_of(value: uuid.UUID) -> str:
        return f"{head}{value}{tail}"

    return url_of


class Rows:
    """A page-able list of ``queryset``'s rows as dicts of ``columns`` and ``annotations`` (its
    ``values()``), counted on ``queryset`` alone: the COUNT of a ``values()`` queryset keeps the
    joins its related columns need, and computes nothing the rows show (issue #16). Give it to a
    ``Paginator`` like a queryset; ``queryset`` carries the filter and the order."""

    def __init__(self, queryset: QuerySet, columns: tuple[str, ...], **annotations: Any) -> None:
        self.queryset = queryset
        self.columns = columns
        self.annotations = annotations
        self.known_count: int | None = None

    def annotate(self, **annotations: Any) -> Rows:
        return Rows(self.queryset, self.columns, **self.annotations, **annotations)

    def counted(self, count: int) -> Rows:
        """The same rows, whose number was read with another query of the page (``count``
        of ``queryset``): the paginator asks no COUNT of its own."""
        rows = Rows(self.queryset, self.columns, **self.annotations)
        rows.known_count = count
        return rows

    @property
    def ordered(self) -> bool:
        return self.queryset.ordered

    def count(self) -> int:
        return self.queryset.count() if self.known_count is None else self.known_count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[dict[str, Any]]:
        return list(self.queryset.values(*self.columns).annotate(**self.annotations)[index])
