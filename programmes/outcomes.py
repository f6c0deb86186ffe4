"""Cohort outcomes: reliable change per participant and its counts and rates per cohort.

PURE: plain inputs, no Django. Reliable change is the Jacobson & Truax RCI computed by the
assessment library (``assessment.instruments.change.reliable_change_index``, instruments.md §23):
|RC| > 1.96 is reliable. Rates carry Wilson 95% intervals (patients.review.wilson_interval).

Published residential PMPs report 0–3.4% of participants reliably worse after the programme
(issue #6); the cohort's reliable-deterioration rate is shown beside that range.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from assessment.instruments import Unscorable
from assessment.instruments.change import reliable_change_index
from patients.review import Estimate, wilson_interval

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
PUBLISHED_DETERIORATION_SOURCE = (
    "Residential PMPs report 0–3.4% of participants reliably worse (issue #6)."
)


@dataclass(frozen=True)
class MeasureSpec:
    key: str
    label: str
    direction: str  # "higher_is_better" | "higher_is_worse"
    sd: float | None
    reliability: float | None


@dataclass(frozen=True)
class ParticipantChange:
    classification: str
    rc: float | None
    reason: str = ""


def participant_change(
    spec: MeasureSpec, baseline: float | None, follow_up: float | None
) -> ParticipantChange:
    result = reliable_change_index(
        baseline, follow_up, sd=spec.sd, reliability=spec.reliability, direction=spec.direction
    )
    if isinstance(result, Unscorable):
        return ParticipantChange(NOT_AVAILABLE, None, result.reason)
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
