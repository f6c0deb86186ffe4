"""Changing-criterion design: was each criterion met, and does the behaviour track the changes?

Pure: stdlib only, no Django.

No reference package implements an effect size or a randomization test for changing-criterion
designs (shared/reference/sced.md §8), so the rule here is the product's own, stated on the page:

* Each intervention phase has a criterion set before the phase starts. A point "meets" the
  criterion when it is at or beyond it in the direction of improvement (≥ for "increase",
  ≤ for "decrease"); the phase's share of such points is reported.
* A phase counts as "met" when at least ``met_share`` of its points meet the criterion. The
  default 0.8 is a clinic convention, not a published cut-off (UNVERIFIED: no source fixes it;
  Hartmann & Hall 1976 ask only that the behaviour "match" each criterion), so it is a parameter.
* Experimental control needs at least three criterion changes with the behaviour tracking every
  one of them (Kratochwill et al. 2010, WWC single-case design standards: three demonstrations
  of the effect at three different points in time; Klein et al. 2017). The first intervention
  phase is one change (from no criterion); a phase whose criterion equals the previous phase's is
  not a new change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

DEFAULT_MET_SHARE = 0.8  # UNVERIFIED clinic convention, see the module docstring
MIN_CHANGES_FOR_CONTROL = 3  # Kratochwill et al. 2010


@dataclass(frozen=True)
class CriterionPhase:
    """One phase: its label, its criterion (None for the baseline) and its values in order."""

    label: str
    criterion: float | None
    values: tuple[float, ...]


@dataclass(frozen=True)
class PhaseVerdict:
    label: str
    criterion: float
    n: int
    n_meeting: int
    share_meeting: float | None  # None when the phase has no values yet
    met: bool | None  # None when the phase has no values yet
    is_change: bool  # the criterion differs from the previous phase's


@dataclass(frozen=True)
class ChangingCriterionResult:
    phases: tuple[PhaseVerdict, ...]
    improvement: str
    met_share: float
    n_changes: int
    n_changes_met: int

    @property
    def demonstrates_control(self) -> bool:
        """≥ 3 criterion changes, and every phase with values met its criterion."""
        judged = [p for p in self.phases if p.met is not None]
        return (
            self.n_changes >= MIN_CHANGES_FOR_CONTROL
            and bool(judged)
            and all(p.met for p in judged)
        )

    @property
    def reading(self) -> str:
        """The design's logic in one or two sentences, for the results page."""
        met = f"{self.n_changes_met} of {self.n_changes} criterion changes were met"
        if self.n_changes < MIN_CHANGES_FOR_CONTROL:
            return (
                f"{met}. A changing-criterion design shows experimental control only when the "
                f"behaviour tracks at least {MIN_CHANGES_FOR_CONTROL} criterion changes; this "
                f"study has {self.n_changes} so far."
            )
        if self.demonstrates_control:
            return (
                f"{met}. The behaviour tracked every criterion change, which is the pattern "
                "that shows experimental control in this design."
            )
        return (
            f"{met}. At least one phase did not meet its criterion, so the design does not yet "
            "show experimental control."
        )


def _meets(value: float, criterion: float, improvement: str) -> bool:
    return value >= criterion if improvement == "increase" else value <= criterion


def criterion_met(
    phases: Sequence[CriterionPhase],
    *,
    improvement: str,
    met_share: float = DEFAULT_MET_SHARE,
) -> ChangingCriterionResult:
    """Per-phase met / not-met table and the count of criterion changes the behaviour tracked."""
    if improvement not in ("increase", "decrease"):
        raise ValueError(f"improvement must be 'increase' or 'decrease' (got {improvement!r}).")
    if not 0 < met_share <= 1:
        raise ValueError(
            f"The share of points that must meet a criterion is in (0, 1] (got {met_share})."
        )
    if not any(p.criterion is not None for p in phases):
        raise ValueError("A changing-criterion study needs at least one phase with a criterion.")
    verdicts: list[PhaseVerdict] = []
    previous: float | None = None
    for phase in phases:
        if phase.criterion is None:
            if verdicts:
                raise ValueError(
                    f"Phase {phase.label} has no criterion; only the baseline (first phase) may "
                    "go without one."
                )
            continue
        values = [float(v) for v in phase.values]
        n_meeting = sum(_meets(v, phase.criterion, improvement) for v in values)
        share = n_meeting / len(values) if values else None
        verdicts.append(
            PhaseVerdict(
                label=phase.label,
                criterion=phase.criterion,
                n=len(values),
                n_meeting=n_meeting,
                share_meeting=share,
                met=None if share is None else share >= met_share,
                is_change=previous is None or phase.criterion != previous,
            )
        )
        previous = phase.criterion
    changes = [v for v in verdicts if v.is_change]
    return ChangingCriterionResult(
        phases=tuple(verdicts),
        improvement=improvement,
        met_share=met_share,
        n_changes=len(changes),
        n_changes_met=sum(1 for v in changes if v.met),
    )
