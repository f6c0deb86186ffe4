"""The shapes every supervisor rating scale shares (pure)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping


class InvalidRating(ValueError):
    """A rating that cannot be scored; the message says why in the clinic's words."""


@dataclass(frozen=True)
class Item:
    id: str
    label: str
    group: str = ""


@dataclass(frozen=True)
class Result:
    """What a rating scores to. ``summary`` is the headline figure (a total, a percentage, the
    two MITI summaries); ``band`` a word ("competent", "fair" …) or "" where the scale has no
    threshold; ``parts`` the other figures shown (label -> value)."""

    summary: str
    band: str
    parts: dict[str, float | int | str] = field(default_factory=dict)
    threshold_note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "summary": self.summary,
            "band": self.band,
            "parts": dict(self.parts),
            "threshold_note": self.threshold_note,
        }


@dataclass(frozen=True)
class Scale:
    key: str
    name: str
    use: str  # which sessions it is for, in the clinic's words
    items: tuple[Item, ...]
    options: tuple[tuple[Any, str], ...]  # (value, label) for every item
    scorer: Callable[[Mapping[str, Any]], Result]
    source: str

    def score(self, values: Mapping[str, Any]) -> Result:
        return self.scorer(values)

    def item_ids(self) -> tuple[str, ...]:
        return tuple(item.id for item in self.items)


def number(text: str) -> str:
    """A figure as pages print it: whole numbers without decimals, else one decimal."""
    value = float(text)
    return f"{value:.0f}" if value.is_integer() else f"{value:.1f}"
