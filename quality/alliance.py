"""PURE: the alliance's rupture cue (issue #13): a fall between two consecutive ratings larger
than the measure's reliable change (Jacobson & Truax 1991, instruments.md §23:
smallest reliable change = 1.96 · SD · √2 · √(1 − r)).

The reference gives no reliability (r) or norm SD for the WAI-SR (instruments.md §19: "Missing/
MCID: none found"; "track the trend; a sudden drop signals a rupture"). So ``WAISR_RELIABILITY``
is None, ``smallest_reliable_fall`` returns None and no cue is drawn: the chart says so in plain
words instead of inventing a figure.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

Z_95 = 1.96
WAISR_RELIABILITY: float | None = None  # not in the reference (instruments.md §19)
WAISR_SD: float | None = None  # not in the reference either


def smallest_reliable_fall(sd: float | None, reliability: float | None) -> float | None:
    """1.96 · SD · √2 · √(1 − r), or None when either figure is unknown."""
    if sd is None or reliability is None or not 0 <= reliability < 1 or sd <= 0:
        return None
    return Z_95 * sd * math.sqrt(2) * math.sqrt(1 - reliability)


def ruptures(totals: Sequence[float], smallest_fall: float | None) -> list[int]:
    """Indices of the ratings that fell from the previous one by more than ``smallest_fall``
    (none when it is unknown)."""
    if smallest_fall is None:
        return []
    return [i for i in range(1, len(totals)) if totals[i - 1] - totals[i] > smallest_fall]
