"""What a SCED analysis reads, typed and frozen, and the analysis options with their defaults.

Pure: no Django. ``AnalysisOptions`` is the one place the defaults live (sced.md §4 recommended
defaults); ``analyse_case``, the CLI report (``manage.py sced_analyse``) and a study's analysis
(``sced.study_analysis.analyse_study``) all take theirs from ``DEFAULTS``.

``StudyInputs`` is what ``sced.selectors.analysis_inputs`` builds from a study's records and what
``sced.study_analysis.analyse_study`` analyses. A run stores it as JSON (``to_json``) and its hash
names the run, so ``to_json`` writes exactly the JSON runs have always stored (a changed shape
would re-run every study's analysis) and ``from_json`` reads it back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from .randomization import DEFAULT_N_RANDOM

LrrScale = Literal["count", "percentage", "proportion", "rate"]
Improvement = Literal["increase", "decrease"]


@dataclass(frozen=True)
class AnalysisOptions:
    """Every choice an analysis makes, with its default (sced.md §4)."""

    # Tau-U corrected for baseline trend (sced.md §2.3, §4)
    tau_u_variant: str = "A vs B - trend A"
    confidence: float = 0.95
    # randomization test statistic, oriented so larger = better (sced.md §2.13)
    statistic: str = "mean_difference"
    lrr_scale: LrrScale = "count"
    goal: float | None = None  # PoGO's goal level; None: PoGO is not computed
    immediacy_k: int = 3  # points on each side of a phase change for immediacy
    min_phase_length: int = 3
    method: str = "auto"  # randomization test: exact when feasible, else Monte Carlo
    seed: int = 0
    n_random: int = DEFAULT_N_RANDOM


DEFAULTS = AnalysisOptions()


@dataclass(frozen=True)
class PhaseInputs:
    """One run of a measure's values in one phase, in session order."""

    label: str
    sessions: tuple[int, ...]
    values: tuple[float, ...]


@dataclass(frozen=True)
class MeasureInputs:
    id: int
    name: str
    unit: str
    range: tuple[float, float]
    improvement: Improvement
    phases: tuple[PhaseInputs, ...]
    # "primary" (the outcome the randomization test is declared on) or "process" (described,
    # not tested). Stored in the JSON only when not primary, so runs of one-outcome studies keep
    # their hash.
    role: str = "primary"

    @property
    def sessions(self) -> list[int]:
        return [s for p in self.phases for s in p.sessions]

    @property
    def values(self) -> list[float]:
        return [v for p in self.phases for v in p.values]


@dataclass(frozen=True)
class DrawInputs:
    """The start point drawn before the data: a session (AB), a tuple of phase-change sessions
    (ABA/ABAB) or one session per tier (multiple baseline, ``tiers`` = measure ids)."""

    admissible: tuple[Any, ...]
    start: int | tuple[int, ...]
    seed: int
    tiers: tuple[int, ...] = ()


@dataclass(frozen=True)
class AtdInputs:
    """An alternating-treatments plan: each session's condition ("ABBA…"), drawn before the
    data with ``seed`` under "at most ``max_consecutive`` sessions of one condition in a row"."""

    sequence: str
    max_consecutive: int
    seed: int


@dataclass(frozen=True)
class StudyInputs:
    design: str
    phase_labels: tuple[str, ...]
    planned_sessions: int
    min_phase_length: int
    draw: DrawInputs | None
    measures: tuple[MeasureInputs, ...]
    options: AnalysisOptions = field(default=DEFAULTS)
    # Alternating treatments: the drawn plan; changing criterion: (phase label, criterion) of
    # each criterion phase. Written to the JSON only when set, so other runs keep their hash.
    atd: AtdInputs | None = None
    criteria: tuple[tuple[str, float], ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The JSON a run stores (and hashes): the shape runs have always had."""
        draw: dict[str, Any] | None = None
        if self.draw is not None:
            draw = {
                "admissible": [_listed(a) for a in self.draw.admissible],
                "start": _listed(self.draw.start),
                "seed": self.draw.seed,
                **({"tiers": list(self.draw.tiers)} if self.draw.tiers else {}),
            }
        extra: dict[str, Any] = {}
        if self.atd is not None:
            extra["atd"] = {
                "sequence": self.atd.sequence,
                "max_consecutive": self.atd.max_consecutive,
                "seed": self.atd.seed,
            }
        if self.criteria:
            extra["criteria"] = [{"label": label, "criterion": c} for label, c in self.criteria]
        return {
            **extra,
            "design": self.design,
            "phase_labels": list(self.phase_labels),
            "planned_sessions": self.planned_sessions,
            "min_phase_length": self.min_phase_length,
            "draw": draw,
            "settings": {
                "tau_u_variant": self.options.tau_u_variant,
                "confidence": self.options.confidence,
                "statistic": self.options.statistic,
            },
            "measures": [
                {
                    "id": m.id,
                    "name": m.name,
                    "unit": m.unit,
                    "range": list(m.range),
                    "improvement": m.improvement,
                    "phases": [
                        {"label": p.label, "sessions": list(p.sessions), "values": list(p.values)}
                        for p in m.phases
                    ],
                    **({"role": m.role} if m.role != "primary" else {}),
                }
                for m in self.measures
            ],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> StudyInputs:
        """Read back what ``to_json`` wrote (a run's stored inputs)."""
        draw = data.get("draw")
        settings = data.get("settings") or {}
        atd = data.get("atd")
        return cls(
            atd=None
            if atd is None
            else AtdInputs(
                sequence=str(atd["sequence"]),
                max_consecutive=int(atd["max_consecutive"]),
                seed=int(atd["seed"]),
            ),
            criteria=tuple(
                (str(c["label"]), float(c["criterion"])) for c in data.get("criteria") or ()
            ),
            design=data["design"],
            phase_labels=tuple(data.get("phase_labels") or ()),
            planned_sessions=int(data["planned_sessions"]),
            min_phase_length=int(data["min_phase_length"]),
            draw=None
            if draw is None
            else DrawInputs(
                admissible=tuple(_tupled(a) for a in draw["admissible"]),
                start=_tupled(draw["start"]),
                seed=int(draw["seed"]),
                tiers=tuple(draw.get("tiers") or ()),
            ),
            measures=tuple(
                MeasureInputs(
                    id=m["id"],
                    name=m["name"],
                    unit=m["unit"],
                    range=(m["range"][0], m["range"][1]),
                    improvement=m["improvement"],
                    phases=tuple(
                        PhaseInputs(
                            label=p["label"],
                            sessions=tuple(p["sessions"]),
                            values=tuple(p["values"]),
                        )
                        for p in m["phases"]
                    ),
                    role=m.get("role", "primary"),
                )
                for m in data["measures"]
            ),
            options=AnalysisOptions(
                tau_u_variant=settings.get("tau_u_variant", DEFAULTS.tau_u_variant),
                confidence=settings.get("confidence", DEFAULTS.confidence),
                statistic=settings.get("statistic", DEFAULTS.statistic),
                min_phase_length=int(data["min_phase_length"]),
            ),
        )


def _tupled(value: Any) -> Any:
    """A JSON list (of lists) as a tuple (of tuples); a number as it is."""
    if isinstance(value, Sequence) and not isinstance(value, str):
        return tuple(_tupled(v) for v in value)
    return value


def _listed(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [_listed(v) for v in value]
    return value
