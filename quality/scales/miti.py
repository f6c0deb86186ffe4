"""MITI 4.2.1 global scores for motivational interviewing (education.md §4).

- Four globals, each 1–5 (a gestalt of a ~20-minute segment): Cultivating Change Talk,
  Softening Sustain Talk, Partnership, Empathy [MOY16 V for the globals; scale S].
- Technical global = (CCT + SST) / 2; Relational global = (Partnership + Empathy) / 2 [MITI-T S].
- Thresholds [MITI-T S; expert-opinion benchmarks in the manual, U]:
  relational ≥ 3.5 fair (basic competence), ≥ 4 good (proficiency);
  technical ≥ 3 fair, ≥ 4 good.
- Behaviour counts (%CR, R:Q) are not recorded here (globals only).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .base import InvalidRating, Item, Result, Scale, number

if TYPE_CHECKING:
    from collections.abc import Mapping

ITEMS = (
    Item("cct", "Cultivating change talk", "Technical"),
    Item("sst", "Softening sustain talk", "Technical"),
    Item("partnership", "Partnership", "Relational"),
    Item("empathy", "Empathy", "Relational"),
)
OPTIONS = tuple((v, str(v)) for v in range(1, 6))  # 1–5 [MOY16 V; scale S]
# (fair, good) thresholds [MITI-T S; expert opinion in the manual U]
RELATIONAL_THRESHOLDS = (3.5, 4.0)
TECHNICAL_THRESHOLDS = (3.0, 4.0)


def band(value: float, thresholds: tuple[float, float]) -> str:
    fair, good = thresholds
    if value >= good:
        return "good"
    if value >= fair:
        return "fair"
    return "below fair"


def score(values: Mapping[str, Any]) -> Result:
    scores: dict[str, int] = {}
    for item in ITEMS:
        raw = values.get(item.id)
        try:
            value = int(raw)  # type: ignore[arg-type]  # None and junk are caught below
        except (TypeError, ValueError):
            raise InvalidRating(f"{item.label}: give a global score from 1 to 5.") from None
        if str(raw).strip() not in {str(value), f"{value}.0"} or not 1 <= value <= 5:
            raise InvalidRating(f"{item.label}: give a global score from 1 to 5.")
        scores[item.id] = value
    technical = (scores["cct"] + scores["sst"]) / 2
    relational = (scores["partnership"] + scores["empathy"]) / 2
    technical_band = band(technical, TECHNICAL_THRESHOLDS)
    relational_band = band(relational, RELATIONAL_THRESHOLDS)
    order = ["below fair", "fair", "good"]
    overall = min(technical_band, relational_band, key=order.index)
    return Result(
        summary=f"Technical {number(str(technical))}, relational {number(str(relational))}",
        band=overall,
        parts={
            "Technical global": technical,
            "Technical": technical_band,
            "Relational global": relational,
            "Relational": relational_band,
        },
        threshold_note=(
            "Fair means basic competence (technical at least 3, relational at least 3.5); good "
            "means proficiency (both at least 4). These marks are expert opinion from the "
            "coding manual, not outcome-tested cut-offs."
        ),
    )


MITI = Scale(
    key="miti",
    name="MITI 4 global scores (motivational interviewing)",
    use="A motivational interviewing session, about 20 minutes of a recording.",
    items=ITEMS,
    options=OPTIONS,
    scorer=score,
    source="Moyers, Manuel & Ernst 2015 (MITI 4.2.1 manual); Moyers et al. 2016",
)
