"""Phases of a single-case series and the phase pairs that are compared.

Pure code: stdlib and numpy only.  Every statistic in ``sced.stats`` takes the two phases of a
comparison as plain value sequences (session order); this module turns raw input into those.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

Improvement = Literal["increase", "decrease"]
IMPROVEMENTS: tuple[str, ...] = ("increase", "decrease")


def check_improvement(improvement: str) -> Improvement:
    """Return the improvement direction, refusing anything else (it flips every index)."""
    if improvement not in IMPROVEMENTS:
        raise ValueError(f"improvement must be 'increase' or 'decrease', not {improvement!r}")
    return improvement  # type: ignore[return-value]


def _is_missing(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == "" or value.strip().upper() in {"NA", "NAN"}
    try:
        return math.isnan(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def clean_values(values: Iterable[object]) -> tuple[float, ...]:
    """Drop missing values (None, NaN, "NA", "") and convert the rest to float.

    Both reference packages drop missing values before anything else (sced.md §2).
    """
    out: list[float] = []
    for v in values:
        if _is_missing(v):
            continue
        x = float(v)  # type: ignore[arg-type]
        if not math.isfinite(x):
            raise ValueError(f"non-finite value {v!r} in a phase")
        out.append(x)
    return tuple(out)


@dataclass(frozen=True)
class Phase:
    """One phase of a series: its label and its observed values in session order."""

    label: str
    values: tuple[float, ...]

    @classmethod
    def from_raw(cls, label: str, values: Iterable[object]) -> Phase:
        return cls(label=str(label).strip(), values=clean_values(values))

    @property
    def n(self) -> int:
        return len(self.values)

    @property
    def kind(self) -> str:
        """'A' (baseline) or 'B' (intervention): the first letter of the label, upper-cased."""
        return self.label[:1].upper()

    def array(self) -> np.ndarray:
        return np.asarray(self.values, dtype=float)


@dataclass(frozen=True)
class Comparison:
    """A baseline phase compared with an intervention phase.

    ``a_start`` is the global session number (1-based) of the first A point; the B phase is
    taken to follow the A phase directly unless ``b_start`` says otherwise.
    """

    name: str
    a: Phase
    b: Phase
    a_start: int = 1
    b_start: int | None = None

    @property
    def b_first_session(self) -> int:
        return self.b_start if self.b_start is not None else self.a_start + self.a.n


def phase_problems(phase: Phase, *, min_points: int = 1) -> list[str]:
    """Reasons why a phase cannot carry a statistic that needs ``min_points`` points."""
    if phase.n == 0:
        return [f"phase {phase.label} has no observed values"]
    if phase.n < min_points:
        noun = "point" if phase.n == 1 else "points"
        return [f"phase {phase.label} has only {phase.n} {noun} (at least {min_points} needed)"]
    return []


def pair_problems(
    a: Sequence[float] | np.ndarray,
    b: Sequence[float] | np.ndarray,
    *,
    min_a: int = 1,
    min_b: int = 1,
) -> str | None:
    """One readable reason why an A/B pair cannot be analysed, or None."""
    problems = phase_problems(Phase("A", tuple(a)), min_points=min_a) + phase_problems(
        Phase("B", tuple(b)), min_points=min_b
    )
    return "; ".join(problems) if problems else None


def orient(values: Sequence[float] | np.ndarray, improvement: Improvement) -> np.ndarray:
    """Values multiplied by -1 for 'decrease', so that larger = better (sced.md §2)."""
    x = np.asarray(values, dtype=float)
    return -x if check_improvement(improvement) == "decrease" else x


_LABEL = re.compile(r"^\s*([AaBb])\s*(\d*)\s*$")


def normalise_labels(labels: Sequence[str]) -> list[str]:
    """Number repeated phase letters: A B A B -> A1 B1 A2 B2; keep A/B for a simple AB.

    Labels are accepted case-insensitively (sced.md §7: upper-case labels were a user request).
    """
    letters: list[str] = []
    for lab in labels:
        m = _LABEL.match(str(lab))
        if not m:
            raise ValueError(f"phase label {lab!r} is not A, B, A1, B1, A2, B2, …")
        letters.append(m.group(1).upper())
    if letters == ["A", "B"]:
        return ["A", "B"]
    counts: dict[str, int] = {}
    out = []
    for letter in letters:
        counts[letter] = counts.get(letter, 0) + 1
        out.append(f"{letter}{counts[letter]}")
    return out


DesignName = Literal["AB", "ABA", "ABAB", "other"]


def infer_design(labels: Sequence[str]) -> DesignName:
    """The design implied by the sequence of phase letters."""
    letters = "".join(str(lab).strip()[:1].upper() for lab in labels)
    if letters in ("AB", "ABA", "ABAB"):
        return letters  # type: ignore[return-value]
    return "other"


def build_phases(phases: Sequence[tuple[str, Sequence[object]]]) -> list[Phase]:
    """Phases from (label, values) tuples, with labels numbered for ABA/ABAB designs."""
    labels = normalise_labels([lab for lab, _ in phases])
    return [Phase.from_raw(lab, vals) for lab, (_, vals) in zip(labels, phases, strict=True)]


# Comparison keys as a clinician reads them (the keys stay in the JSON and the reference tests).
COMPARISON_TITLES = {"pooled_A_vs_B": "All baseline phases vs all intervention phases"}


def comparison_title(name: str) -> str:
    """ "A1-B1" -> "A1 vs B1"; "pooled_A_vs_B" -> "All baseline phases vs all intervention phases"."""
    if name in COMPARISON_TITLES:
        return COMPARISON_TITLES[name]
    return name.replace("_vs_", " vs ").replace("-", " vs ").replace("_", " ")


def comparisons_for(phases: Sequence[Phase], design: DesignName | None = None) -> list[Comparison]:
    """The phase pairs to analyse (sced.md §2.11, §4).

    AB -> "A-B". ABA -> "A1-B1" and "pooled_A_vs_B". ABAB -> "A1-B1", "A2-B2" and
    "pooled_A_vs_B" (A1+A2 against B1+B2, as scan's ``phases = list(c(1,3), c(2,4))``; its
    trend-based statistics treat the A1/A2 jump as trend, sced.md §5 P9, so per-pair indices are
    the primary result).
    """
    design = design or infer_design([p.label for p in phases])
    starts = np.cumsum([0] + [p.n for p in phases])[:-1] + 1
    if design == "AB":
        return [Comparison("A-B", phases[0], phases[1], a_start=1)]
    if design in ("ABA", "ABAB"):
        out = [Comparison("A1-B1", phases[0], phases[1], a_start=int(starts[0]))]
        if design == "ABAB":
            out.append(Comparison("A2-B2", phases[2], phases[3], a_start=int(starts[2])))
        a_pool = Phase("A", tuple(v for p in phases if p.kind == "A" for v in p.values))
        b_pool = Phase("B", tuple(v for p in phases if p.kind == "B" for v in p.values))
        out.append(Comparison("pooled_A_vs_B", a_pool, b_pool, a_start=1))
        return out
    raise ValueError(f"no phase pairs defined for phase sequence {[p.label for p in phases]}")
