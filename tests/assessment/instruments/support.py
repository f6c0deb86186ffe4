"""Small helpers for the instrument tests (not a test module)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from assessment.instruments.base import Score, Unscorable

if TYPE_CHECKING:
    from collections.abc import Iterable


def numbered(values: Iterable[Any], start: int = 1) -> dict[str, Any]:
    """[a, b, c] -> {"1": a, "2": b, "3": c}: answers in printed item order."""
    return {str(number): value for number, value in enumerate(values, start)}


def scored(result: Score | Unscorable) -> Score:
    assert isinstance(result, Score), getattr(result, "reason", result)
    return result


def unscorable(result: Score | Unscorable) -> Unscorable:
    assert isinstance(result, Unscorable), result
    return result
