"""Dose and the cohort standards check. PURE: plain inputs, no Django.

Standards (issue #6, from the British Pain Society *Guidelines for Pain Management Programmes for
adults*, 2013): at least 12 half-days (36 hours) of input; staff including at least a doctor, a
psychologist and a physiotherapist. Each check is met / not met with the reason in words.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

MIN_HALF_DAYS = 12
MIN_HOURS = 36.0
REQUIRED_DISCIPLINES = ("doctor", "psychologist", "physiotherapist")
DISCIPLINE_WORDS = {
    "doctor": "a doctor",
    "psychologist": "a psychologist",
    "physiotherapist": "a physiotherapist",
}
# A half-day counts once, a full day twice; a session booked in hours counts as
# hours / 3 half-days (36 h ÷ 12 half-days = 3 h per half-day).
HOURS_PER_HALF_DAY = 3.0
HALF_DAYS_BY_LENGTH = {"am": 1.0, "pm": 1.0, "day": 2.0}


@dataclass(frozen=True)
class SessionInput:
    length: str  # "am" | "pm" | "day" | "hours"
    hours: float


@dataclass(frozen=True)
class StandardResult:
    key: str
    title: str
    met: bool
    reason: str


@dataclass(frozen=True)
class Dose:
    hours_attended: float
    hours_offered: float
    sessions_attended: int
    sessions_offered: int

    @property
    def share(self) -> float | None:
        if self.hours_offered <= 0:
            return None
        return self.hours_attended / self.hours_offered


def half_days(session: SessionInput) -> float:
    if session.length in HALF_DAYS_BY_LENGTH:
        return HALF_DAYS_BY_LENGTH[session.length]
    return session.hours / HOURS_PER_HALF_DAY


def programme_input(sessions: Iterable[SessionInput]) -> tuple[float, float]:
    """(half-days, hours) of input in a timetable."""
    sessions = list(sessions)
    return sum(half_days(s) for s in sessions), sum(s.hours for s in sessions)


def _fmt(value: float) -> str:
    return f"{value:g}" if value == int(value) else f"{value:.1f}"


def input_standard(sessions: Sequence[SessionInput]) -> StandardResult:
    days, hours = programme_input(sessions)
    met = days >= MIN_HALF_DAYS and hours >= MIN_HOURS
    if met:
        reason = f"{_fmt(days)} half-days, {_fmt(hours)} hours of input (at least 12 and 36)."
    else:
        short = []
        if days < MIN_HALF_DAYS:
            short.append(f"{_fmt(days)} half-days (needs 12)")
        if hours < MIN_HOURS:
            short.append(f"{_fmt(hours)} hours (needs 36)")
        reason = "Only " + " and ".join(short) + " in the timetable."
    return StandardResult("input", "At least 12 half-days (36 hours) of input", met, reason)


def staff_standard(disciplines: Iterable[str]) -> StandardResult:
    present = set(disciplines)
    missing = [d for d in REQUIRED_DISCIPLINES if d not in present]
    title = "Staff include a doctor, a psychologist and a physiotherapist"
    if not missing:
        return StandardResult(
            "staff",
            title,
            met=True,
            reason="Doctor, psychologist and physiotherapist on the roster.",
        )
    words = [DISCIPLINE_WORDS[d] for d in missing]
    listed = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
    return StandardResult(
        "staff",
        title,
        met=False,
        reason=f"No {listed.removeprefix('a ')} on the roster."
        if len(words) == 1
        else f"Missing {listed} on the roster.",
    )


def standards_check(
    sessions: Sequence[SessionInput], disciplines: Iterable[str]
) -> list[StandardResult]:
    return [input_standard(sessions), staff_standard(disciplines)]


def dose(attended: Sequence[SessionInput], offered: Sequence[SessionInput]) -> Dose:
    return Dose(
        hours_attended=sum(s.hours for s in attended),
        hours_offered=sum(s.hours for s in offered),
        sessions_attended=len(attended),
        sessions_offered=len(offered),
    )


def sessions_needed(offered: int, min_percent: int) -> int:
    """The fewest sessions attended that reach ``min_percent`` of ``offered`` (rounded up)."""
    return -(-offered * min_percent // 100)


def completion_problem(attended: int, offered: int, min_percent: int) -> str:
    """Why a participant who attended ``attended`` of ``offered`` sessions is not a completer
    under the programme's rule ('' when they are). A timetable with no sessions has no
    completers: nothing was delivered."""
    if offered == 0:
        return "The cohort's timetable has no sessions yet, so nobody can have completed it."
    needed = sessions_needed(offered, min_percent)
    if attended >= needed:
        return ""
    return (
        f"Attended {attended} of {offered} sessions: completing this programme needs at least "
        f"{needed} ({min_percent}%). Record the attendance first, or withdraw with a reason."
    )
