"""Graded exposure in vivo: expectancy violation and belief change in behavioural experiments.

Pure: stdlib only (STYLE.md §3.2). The hierarchy itself comes from 0-100 harmfulness ratings
(PHODA or the patient's own feared activities, instruments.md §18); this module scores what
happens when the patient does one of those activities as a behavioural experiment.

Sources (instruments.md is silent on these rules, so they are UNVERIFIED against it):
- Inhibitory learning: exposure works through *expectancy violation*, the mismatch between what
  the patient expected (the predicted likelihood or severity of the feared outcome, rated before
  the exposure) and what actually happened. Craske MG, Treanor M, Conway CC, Zbozinek T,
  Vervliet B. Maximizing exposure therapy: an inhibitory learning approach. Behav Res Ther
  2014;58:10-23, doi:10.1016/j.brat.2014.04.006. UNVERIFIED (general knowledge).
- shared/reference/competence.md §3 (graded-exposure fidelity): the session records the
  patient's prediction/expectancy before (0-100) and after, and "outcome discussed as expectancy
  violation" -- i.e. the prediction is recorded before the experiment and the outcome after it.
- Graded exposure in vivo for pain-related fear, with behavioural experiments that test the
  patient's predictions about harm: Vlaeyen JWS et al. Behav Res Ther 2001;39(2):151-66 and
  Vlaeyen, Morley, Linton, Boersma & de Jong, "Pain-related fear" (IASP Press 2012).
  UNVERIFIED (general knowledge).
- Craske et al. 2014 argue that fear reduction within a session is not needed for learning; it is
  reported here because clinicians chart it, not as a success criterion.

Definitions used here (all ratings 0-100; 100 = the feared outcome certain / happened fully):
- expectancy violation = expectancy before − what happened (``outcome_observed``). Positive: the
  feared outcome happened less than predicted, the mismatch that drives inhibitory learning.
- belief change = expectancy before − expectancy after. Positive: after the experiment the
  patient expects the feared outcome less. This is the *result* of the learning, not the
  violation (before issue #9 this quantity was mislabelled "expectancy violation").
- fear reduction = peak fear − fear after (within-session); fear change = fear before − fear after.

Worked example: the patient predicts 80 that lifting the laundry basket will make the back "give
way"; it does not happen (0); afterwards the patient still rates 50. Expectancy violation
80 − 0 = 80; belief change 80 − 50 = 30.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

RATING_MIN = 0.0
RATING_MAX = 100.0

ERROR_RATING = "{field} must be a number from 0 to 100 (got {value!r})."
ERROR_SESSION = "session must be a positive whole number (got {value!r})."
ERROR_ITEM = "item must name the hierarchy step (got {value!r})."


class ExposureRatingError(ValueError):
    """A rating outside 0-100 (or not a number). ``field`` names the offending input, for forms."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def _check_rating(field: str, value: object, *, required: bool) -> None:
    if value is None and not required:
        return
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not RATING_MIN <= value <= RATING_MAX
    ):
        raise ExposureRatingError(ERROR_RATING.format(field=field, value=value), field)


@dataclass(frozen=True)
class BehaviouralExperiment:
    """One exposure to one hierarchy item, with the patient's ratings (all 0-100).

    ``session`` orders the experiments (1, 2, 3 …). Only ``expectancy_before`` is required: a
    patient who stops early may have no rating after.
    """

    session: int
    item: str
    expectancy_before: float
    expectancy_after: float | None = None
    outcome_observed: float | None = None
    fear_before: float | None = None
    fear_peak: float | None = None
    fear_after: float | None = None

    def __post_init__(self) -> None:
        if isinstance(self.session, bool) or not isinstance(self.session, int) or self.session < 1:
            raise ExposureRatingError(ERROR_SESSION.format(value=self.session), "session")
        if not isinstance(self.item, str) or not self.item.strip():
            raise ExposureRatingError(ERROR_ITEM.format(value=self.item), "item")
        _check_rating("expectancy_before", self.expectancy_before, required=True)
        for field in (
            "expectancy_after",
            "outcome_observed",
            "fear_before",
            "fear_peak",
            "fear_after",
        ):
            _check_rating(field, getattr(self, field), required=False)

    @property
    def expectancy_violation(self) -> float | None:
        """Expected minus what happened (Craske et al. 2014); None until the outcome is rated."""
        if self.outcome_observed is None:
            return None
        return self.expectancy_before - self.outcome_observed

    @property
    def belief_change(self) -> float | None:
        """Expectancy before minus expectancy after; None without a rating after."""
        if self.expectancy_after is None:
            return None
        return self.expectancy_before - self.expectancy_after

    @property
    def fear_reduction(self) -> float | None:
        """Peak fear minus fear after (within-session reduction)."""
        if self.fear_peak is None or self.fear_after is None:
            return None
        return self.fear_peak - self.fear_after

    @property
    def fear_change(self) -> float | None:
        """Fear before minus fear after."""
        if self.fear_before is None or self.fear_after is None:
            return None
        return self.fear_before - self.fear_after


def _mean(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return math.fsum(present) / len(present) if present else None


def ols_slope(points: Sequence[tuple[float, float]]) -> float | None:
    """Least-squares slope of y on x; None with fewer than two distinct x values."""
    if len({x for x, _ in points}) < 2:
        return None
    n = len(points)
    mean_x = math.fsum(x for x, _ in points) / n
    mean_y = math.fsum(y for _, y in points) / n
    sxx = math.fsum((x - mean_x) ** 2 for x, _ in points)
    sxy = math.fsum((x - mean_x) * (y - mean_y) for x, y in points)
    return sxy / sxx


def _trend(experiments: Sequence[BehaviouralExperiment], attr: str) -> float | None:
    points = [
        (float(e.session), float(value))
        for e in experiments
        if (value := getattr(e, attr)) is not None
    ]
    return ols_slope(points)


@dataclass(frozen=True)
class SessionSummary:
    session: int
    n_experiments: int
    items: tuple[str, ...]
    mean_expectancy_before: float
    mean_expectancy_after: float | None
    mean_violation: float | None
    mean_belief_change: float | None
    mean_fear_peak: float | None
    mean_fear_reduction: float | None


@dataclass(frozen=True)
class ItemSummary:
    """One hierarchy item across repetitions. Trends are OLS slopes in rating points per session."""

    item: str
    n_experiments: int
    sessions: tuple[int, ...]
    expectancy_before: tuple[float, ...]  # per experiment, in session order, for charting
    violations: tuple[float | None, ...]
    mean_violation: float | None
    violation_trend: float | None
    mean_belief_change: float | None
    # Negative = the patient predicts the feared outcome less with each repetition, the
    # between-session learning that exposure aims for (Craske et al. 2014, UNVERIFIED).
    expectancy_before_trend: float | None
    mean_fear_peak: float | None
    fear_peak_trend: float | None


@dataclass(frozen=True)
class ExposureSummary:
    n_experiments: int
    mean_violation: float | None
    mean_belief_change: float | None
    # OLS slopes over every experiment, in rating points per session (None: fewer than two sessions).
    violation_trend: float | None
    expectancy_before_trend: float | None
    sessions: tuple[SessionSummary, ...]
    items: tuple[ItemSummary, ...]


def summarise_experiments(experiments: Sequence[BehaviouralExperiment]) -> ExposureSummary:
    """Per-session and per-item summaries of a series of behavioural experiments, for charts.

    Sessions come out in session order, items in the order they were first tried. Means skip
    missing ratings; a mean over nothing is None. Trends need two different sessions.
    """
    ordered = sorted(experiments, key=lambda e: e.session)  # stable: keeps entry order in a session

    by_session: dict[int, list[BehaviouralExperiment]] = {}
    by_item: dict[str, list[BehaviouralExperiment]] = {}
    for experiment in ordered:
        by_session.setdefault(experiment.session, []).append(experiment)
        by_item.setdefault(experiment.item, []).append(experiment)

    sessions = tuple(
        SessionSummary(
            session=session,
            n_experiments=len(group),
            items=tuple(dict.fromkeys(e.item for e in group)),
            mean_expectancy_before=math.fsum(e.expectancy_before for e in group) / len(group),
            mean_expectancy_after=_mean(e.expectancy_after for e in group),
            mean_violation=_mean(e.expectancy_violation for e in group),
            mean_belief_change=_mean(e.belief_change for e in group),
            mean_fear_peak=_mean(e.fear_peak for e in group),
            mean_fear_reduction=_mean(e.fear_reduction for e in group),
        )
        for session, group in by_session.items()
    )
    items = tuple(
        ItemSummary(
            item=item,
            n_experiments=len(group),
            sessions=tuple(e.session for e in group),
            expectancy_before=tuple(e.expectancy_before for e in group),
            violations=tuple(e.expectancy_violation for e in group),
            mean_violation=_mean(e.expectancy_violation for e in group),
            violation_trend=_trend(group, "expectancy_violation"),
            mean_belief_change=_mean(e.belief_change for e in group),
            expectancy_before_trend=_trend(group, "expectancy_before"),
            mean_fear_peak=_mean(e.fear_peak for e in group),
            fear_peak_trend=_trend(group, "fear_peak"),
        )
        for item, group in by_item.items()
    )
    return ExposureSummary(
        n_experiments=len(ordered),
        mean_violation=_mean(e.expectancy_violation for e in ordered),
        mean_belief_change=_mean(e.belief_change for e in ordered),
        violation_trend=_trend(ordered, "expectancy_violation"),
        expectancy_before_trend=_trend(ordered, "expectancy_before"),
        sessions=sessions,
        items=items,
    )
