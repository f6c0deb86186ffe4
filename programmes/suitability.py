"""Referral suitability for a Pain Management Programme. PURE: plain inputs, no Django.

The cautions are those named in the PMP literature as summarised in issue #6 (British Pain
Society, *Guidelines for Pain Management Programmes for adults*, 2013): acute psychiatric need
(active psychosis, severe PTSD), severe cognitive impairment, and profound disability or fatigue
(which may point to a residential programme). Under-18s are not eligible for adult programmes;
18–30-year-olds are flagged for a young-adult programme. Older age and litigation are NOT
exclusions, and the result says so, so that nobody treats them as one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

OUTPATIENT = "outpatient"
RESIDENTIAL = "residential"
YOUNG_ADULT = "young_adult"

SUITABLE = "suitable"
SUITABLE_WITH_CAUTIONS = "suitable_with_cautions"
NOT_READY = "not_ready"
NOT_ELIGIBLE = "not_eligible"

DECISION_LABELS = {
    SUITABLE: "Suitable",
    SUITABLE_WITH_CAUTIONS: "Suitable with cautions: discuss at the MDT",
    NOT_READY: "Not ready yet",
    NOT_ELIGIBLE: "Not eligible for this programme",
}

# What someone without clinical access (the programme admin) is told of a screening: the
# decision, never the clinical judgements behind it (issue #9, data minimisation).
ADMIN_SUITABLE = "Suitable"
ADMIN_NOT_SUITABLE = "Not suitable"
ADMIN_DISCUSS = "Discuss at MDT"
ADMIN_SUMMARY = {
    SUITABLE: ADMIN_SUITABLE,
    SUITABLE_WITH_CAUTIONS: ADMIN_DISCUSS,
    NOT_READY: ADMIN_NOT_SUITABLE,
    NOT_ELIGIBLE: ADMIN_NOT_SUITABLE,
}

ADULT_AGE = 18
YOUNG_ADULT_MAX_AGE = 30

REASON_UNDER_18 = "Under 18: not eligible for an adult programme (refer to a paediatric service)."
REASON_YOUNG_ADULT = "Aged {age}: consider the young-adult programme (18–30)."
REASON_OVER_YOUNG_ADULT = "Aged {age}: older than the young-adult programme's 18–30."
REASON_NOT_READY = "Not ready to try the self-management approach: revisit readiness first."
REASON_UNSURE = "Unsure about the self-management approach: offer an information session."
REASON_PSYCHIATRIC = "Caution: acute psychiatric need (e.g. active psychosis, severe PTSD): treat or stabilise first."
REASON_COGNITIVE = "Caution: severe cognitive impairment: the group format may not suit."
REASON_DISABILITY_OUTPATIENT = (
    "Caution: profound disability or fatigue: consider a residential programme."
)
REASON_DISABILITY = "Caution: profound disability or fatigue: plan support for attendance."
REASON_BARRIERS = "Practical barriers to group attendance: {barriers}."
NOTE_OLDER_AGE = "Older age ({age}) is not an exclusion."
NOTE_LITIGATION = "Litigation or a compensation claim is not an exclusion."

OLDER_AGE = 65


@dataclass(frozen=True)
class Screening:
    age: int
    programme_kind: str
    readiness: str  # "ready" | "unsure" | "not_ready"
    practical_barriers: str = ""
    acute_psychiatric_need: bool = False
    severe_cognitive_impairment: bool = False
    profound_disability_or_fatigue: bool = False
    litigation_pending: bool = False


@dataclass(frozen=True)
class Suitability:
    decision: str
    reasons: tuple[str, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def label(self) -> str:
        return DECISION_LABELS[self.decision]


def pmp_suitability(s: Screening) -> Suitability:
    reasons: list[str] = []
    notes: list[str] = []
    if s.age < ADULT_AGE:
        return Suitability(NOT_ELIGIBLE, (REASON_UNDER_18,))
    if s.programme_kind == YOUNG_ADULT and s.age > YOUNG_ADULT_MAX_AGE:
        return Suitability(NOT_ELIGIBLE, (REASON_OVER_YOUNG_ADULT.format(age=s.age),))
    cautions = False
    if s.programme_kind != YOUNG_ADULT and s.age <= YOUNG_ADULT_MAX_AGE:
        reasons.append(REASON_YOUNG_ADULT.format(age=s.age))
        cautions = True
    if s.acute_psychiatric_need:
        reasons.append(REASON_PSYCHIATRIC)
        cautions = True
    if s.severe_cognitive_impairment:
        reasons.append(REASON_COGNITIVE)
        cautions = True
    if s.profound_disability_or_fatigue:
        reasons.append(
            REASON_DISABILITY_OUTPATIENT if s.programme_kind != RESIDENTIAL else REASON_DISABILITY
        )
        cautions = True
    if s.practical_barriers.strip():
        reasons.append(REASON_BARRIERS.format(barriers=s.practical_barriers.strip()))
        cautions = True
    if s.age >= OLDER_AGE:
        notes.append(NOTE_OLDER_AGE.format(age=s.age))
    if s.litigation_pending:
        notes.append(NOTE_LITIGATION)
    if s.readiness == "not_ready":
        return Suitability(NOT_READY, (REASON_NOT_READY, *reasons), tuple(notes))
    if s.readiness == "unsure":
        reasons.insert(0, REASON_UNSURE)
        cautions = True
    return Suitability(
        SUITABLE_WITH_CAUTIONS if cautions else SUITABLE, tuple(reasons), tuple(notes)
    )
