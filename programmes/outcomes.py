"""Cohort outcomes: reliable change per participant and its counts and rates per cohort.

PURE: plain inputs, no Django. Reliable change is the Jacobson & Truax RCI computed by the
assessment library (``assessment.instruments.change.reliable_change_index``, instruments.md §23):
|RC| > 1.96 is reliable. Rates carry Wilson 95% intervals (painclinic.estimates.wilson_interval).

Scores come from the participants' SIGNED assessments: per time point a window around an anchor
date (the programme's settings, ``Window``), and in it the signed result nearest the anchor
(``nearest``). A score entered by hand is the fallback for scores collected outside painclinic.
The RCI uses the SD and reliability the programme entered, else the instrument's own parameters
(SD and reliability, or the SEM; instruments.md §23); with neither it is "not available".

Published residential PMPs report 0–3.4% of participants reliably worse after the programme
(issue #6); the cohort's reliable-deterioration rate is shown beside that range.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from assessment.instruments import Unscorable
from assessment.instruments.change import reliable_change_index
from painclinic.estimates import Estimate, wilson_interval

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

RELIABLY_IMPROVED = "reliably_improved"
NO_RELIABLE_CHANGE = "no_reliable_change"
RELIABLY_DETERIORATED = "reliably_deteriorated"
NOT_AVAILABLE = "not_available"
CLASS_LABELS = {
    RELIABLY_IMPROVED: "Reliably improved",
    NO_RELIABLE_CHANGE: "No reliable change",
    RELIABLY_DETERIORATED: "Reliably deteriorated",
    NOT_AVAILABLE: "Not available",
}

PUBLISHED_DETERIORATION_RANGE = (0.0, 0.034)
# Source: the range named in issue #6 (published residential PMP outcomes); kept off the page.
PUBLISHED_DETERIORATION_SOURCE = "Residential PMPs report 0–3.4% of participants reliably worse."


PRE, POST, FOLLOW_UP = "pre", "post", "follow_up"
TIME_POINTS = (PRE, POST, FOLLOW_UP)
REASON_NO_PARAMETERS = (
    "Not available: no SD and reliability entered for this programme, and {name} has no "
    "reliable-change parameters of its own."
)


@dataclass(frozen=True)
class WindowSettings:
    """A programme's outcome windows, in weeks (defaults: models.Programme)."""

    pre_weeks_before: int = 6
    pre_weeks_after: int = 1
    post_weeks_around: int = 4
    follow_up_weeks: int = 12
    follow_up_weeks_around: int = 4


@dataclass(frozen=True)
class Window:
    time_point: str
    anchor: date
    start: date
    end: date

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end


def windows(start: date, end: date, settings: WindowSettings) -> dict[str, Window]:
    """The three windows of a cohort running from ``start`` to ``end`` (dates inclusive)."""
    week = timedelta(weeks=1)
    follow_anchor = end + settings.follow_up_weeks * week
    return {
        PRE: Window(
            PRE,
            start,
            start - settings.pre_weeks_before * week,
            start + settings.pre_weeks_after * week,
        ),
        POST: Window(
            POST,
            end,
            end - settings.post_weeks_around * week,
            end + settings.post_weeks_around * week,
        ),
        FOLLOW_UP: Window(
            FOLLOW_UP,
            follow_anchor,
            follow_anchor - settings.follow_up_weeks_around * week,
            follow_anchor + settings.follow_up_weeks_around * week,
        ),
    }


@dataclass(frozen=True)
class Candidate:
    """One signed result: its id, date and the score compared (the instrument's total)."""

    result_id: int
    day: date
    value: float


def nearest(candidates: Iterable[Candidate], window: Window, exclude=frozenset()):
    """The candidate inside ``window`` nearest its anchor, or None.

    Ties (same distance): the earlier date, so a pre score taken before the start beats one taken
    as long after it; on the same date the later-signed result (higher id), as in
    ``assessment.selectors.signed_results``. ``exclude`` holds result ids already used for an
    earlier time point, so one assessment is never both pre and post when windows overlap.
    """
    inside = [c for c in candidates if c.day in window and c.result_id not in exclude]
    if not inside:
        return None
    return min(inside, key=lambda c: (abs((c.day - window.anchor).days), c.day, -c.result_id))


def choose(candidates: Sequence[Candidate], found: dict[str, Window]) -> dict[str, Candidate]:
    """Per time point, the nearest signed result in its window; each result used once."""
    chosen: dict[str, Candidate] = {}
    used: set[int] = set()
    for point in TIME_POINTS:
        best = nearest(candidates, found[point], frozenset(used))
        if best is not None:
            chosen[point] = best
            used.add(best.result_id)
    return chosen


@dataclass(frozen=True)
class MeasureSpec:
    """What reliable change of one measure needs. ``sd`` and ``reliability`` entered by the
    programme come first; else ``sem`` / ``sd`` + ``reliability`` from the instrument."""

    key: str
    label: str
    direction: str  # "higher_is_better" | "higher_is_worse"
    sd: float | None
    reliability: float | None
    sem: float | None = None
    parameters_source: str = ""
    no_parameters_reason: str = ""

    @property
    def has_parameters(self) -> bool:
        return (self.sd is not None and self.reliability is not None) or self.sem is not None


@dataclass(frozen=True)
class ParticipantChange:
    classification: str
    rc: float | None
    reason: str = ""

    @property
    def label(self) -> str:
        return CLASS_LABELS[self.classification]


def participant_change(
    spec: MeasureSpec, baseline: float | None, follow_up: float | None
) -> ParticipantChange:
    if spec.sd is not None and spec.reliability is not None:
        error = {"sd": spec.sd, "reliability": spec.reliability}
    elif spec.sem is not None:
        error = {"sem": spec.sem}
    else:
        error = {"sd": spec.sd, "reliability": spec.reliability}
    result = reliable_change_index(baseline, follow_up, direction=spec.direction, **error)
    if isinstance(result, Unscorable):
        reason = result.reason
        if not spec.has_parameters and baseline is not None and follow_up is not None:
            reason = spec.no_parameters_reason or reason
        return ParticipantChange(NOT_AVAILABLE, None, reason)
    return ParticipantChange(result.classification, result.rc)


@dataclass(frozen=True)
class ChangeCounts:
    improved: int
    no_change: int
    deteriorated: int
    not_available: int

    @property
    def classified(self) -> int:
        return self.improved + self.no_change + self.deteriorated

    @property
    def total(self) -> int:
        return self.classified + self.not_available

    def rate(self, which: str) -> Estimate:
        successes = {
            RELIABLY_IMPROVED: self.improved,
            NO_RELIABLE_CHANGE: self.no_change,
            RELIABLY_DETERIORATED: self.deteriorated,
        }[which]
        return wilson_interval(successes, self.classified)


def count_changes(classifications: Iterable[str]) -> ChangeCounts:
    values = list(classifications)
    return ChangeCounts(
        improved=values.count(RELIABLY_IMPROVED),
        no_change=values.count(NO_RELIABLE_CHANGE),
        deteriorated=values.count(RELIABLY_DETERIORATED),
        not_available=values.count(NOT_AVAILABLE),
    )


def deterioration_beside_published(counts: ChangeCounts) -> str:
    """A sentence placing the cohort's reliable-deterioration rate beside 0–3.4%."""
    if counts.classified == 0:
        return "No participant has both scores yet. " + PUBLISHED_DETERIORATION_SOURCE
    rate = counts.deteriorated / counts.classified
    low, high = PUBLISHED_DETERIORATION_RANGE
    where = "within" if low <= rate <= high else "above"
    return (
        f"{counts.deteriorated} of {counts.classified} ({rate:.1%}) reliably deteriorated, "
        f"{where} the published 0–3.4% for residential PMPs."
    )


def cohort_counts(
    spec: MeasureSpec, pairs: Sequence[tuple[float | None, float | None]]
) -> ChangeCounts:
    return count_changes(participant_change(spec, a, b).classification for a, b in pairs)
