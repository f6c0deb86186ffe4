"""The plain data the FHIR builders take (gathered by ``interop.selectors``). No ORM objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from datetime import date, datetime


@dataclass(frozen=True)
class PatientRecord:
    id: str  # the record's UUID
    identifier: str
    given_name: str
    family_name: str
    birth_date: date
    sex: str  # patients.models.Sex value
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class ResultRecord:
    """One signed administration: its answers and its score payload (amended values when amended).

    ``score`` is the payload the assessment app stored (``assessment.instruments.payload``): for a
    scorable result ``total``, ``subscales``, ``band`` / ``bands``; for an unscorable one
    ``scorable: False`` and ``reason``."""

    id: int
    instrument_key: str
    definition_version: str
    answers: dict[str, Any]
    score: dict[str, Any]
    on: date
    signed_at: datetime | None
    amended: bool = False


@dataclass(frozen=True)
class GoalReviewRecord:
    on: date
    level: int


@dataclass(frozen=True)
class GoalRecord:
    id: int
    patient_words: str
    what: str
    how_much: str
    by_when: date
    levels: tuple[tuple[int, str], ...]  # (-2..+2, description)
    baseline_level: int
    weight: float
    created_on: date
    retired: bool
    episode_open: bool
    episode_id: int = 0
    reviews: tuple[GoalReviewRecord, ...] = ()


@dataclass(frozen=True)
class PlanRecord:
    id: int
    version: int
    formulation: str
    focus_areas: str
    interventions: tuple[tuple[str, str], ...]  # (code, display)
    signed_at: datetime
    episode_open: bool
    goal_ids: tuple[int, ...] = field(default=())


@dataclass(frozen=True)
class MedicationRecord:
    id: int
    version: int
    name: str
    product: str  # opioid product key; "" for other medicines
    dose_text: str
    route: str
    as_needed: bool
    start_date: date
    stop_date: date | None
    recorded_on: date
    indication: str = ""
