"""Treatment suggestions from the yellow-flag profile: rules as data, each with its source.

Pure: stdlib and the (pure) instrument definitions only, no Django (STYLE.md §3.2). The input is
the dict ``assessment.selectors.latest_scores(patient)`` returns (instrument key → {"key", "total",
"band", "subscales", "date", "result_id", ...}) plus what the clinician or the pacing log says
about the activity pattern; the output is a list of ``Suggestion``: the rule, the evidence (which
score met which criterion) and the source. The clinician accepts or declines each; nothing here
decides treatment.

Cut-offs are read from the instrument definitions (``assessment/instruments/*.py``), so a clinic
variant that moves a band moves the suggestion with it. A result's ``band`` is matched against the
band's name or label; a result without a band is checked against the band's bounds on its total.

Sources (instruments.md does not state these treatment links; they are UNVERIFIED against it):
- Fear-avoidance model and graded exposure in vivo for pain-related fear: Vlaeyen JWS & Linton SJ.
  Pain 2000;85(3):317-32, doi:10.1016/S0304-3959(99)00242-0; Vlaeyen JWS et al. Behav Res Ther
  2001;39(2):151-66. Pain education before exposure: Moseley GL & Butler DS. J Pain
  2015;16(9):807-13, doi:10.1016/j.jpain.2015.05.005. UNVERIFIED (general knowledge).
- Pacing for an overactivity / boom-and-bust pattern: Nielson WR, Jensen MP, Karsdorp PA,
  Vlaeyen JWS. Clin J Pain 2013;29(5):461-8, doi:10.1097/AJP.0b013e3182608561. UNVERIFIED.
- Graded mastery for low self-efficacy: Bandura A. Psychol Rev 1977;84(2):191-215 (enactive
  mastery); PSEQ bands from the definition (Nicholas 2007). UNVERIFIED.
- STarT Back high risk → psychologically informed physiotherapy: Hill JC et al. Lancet
  2011;378(9802):1560-71, doi:10.1016/S0140-6736(11)60937-9 (STarT Back trial). UNVERIFIED.
- PHQ-9 ≥ 10 (moderate or worse) → psychological treatment (CBT) and liaison with the GP:
  Kroenke K et al. J Gen Intern Med 2001;16(9):606-13; NICE NG193 (2021) §1.11. UNVERIFIED.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from assessment.instruments import pcs, phq9, pseq, startback, tsk
from assessment.instruments.base import Band, Instrument, Interval

# --- interventions (keys shared with treatment.models.Intervention) ---------------------------

PAIN_EDUCATION = "pain_education"
GRADED_EXPOSURE = "graded_exposure"
GRADED_ACTIVITY = "graded_activity"
CBT = "cbt"
ACT = "act"
MOTIVATIONAL_INTERVIEWING = "motivational_interviewing"
RELAXATION_SLEEP = "relaxation_sleep"
MEDICATION_REVIEW = "medication_review"
RETURN_TO_WORK = "return_to_work"

INTERVENTION_KEYS = (
    PAIN_EDUCATION,
    GRADED_EXPOSURE,
    GRADED_ACTIVITY,
    CBT,
    ACT,
    MOTIVATIONAL_INTERVIEWING,
    RELAXATION_SLEEP,
    MEDICATION_REVIEW,
    RETURN_TO_WORK,
)

# Clinician-recorded flag for an activity pattern no questionnaire here measures.
FLAG_BOOM_BUST = "boom_bust"


# --- criteria ---------------------------------------------------------------------------------


def _band(instrument: Instrument, name: str, score_id: str = "total") -> Band:
    rule = next(rule for rule in instrument.scores if rule.id == score_id)
    return next(band for band in rule.bands if band.name == name)


@dataclass(frozen=True)
class Criterion:
    """One instrument result that meets a rule.

    ``bands``: band names (from the definition) that meet it. ``interval``: the bounds on the
    total used when the result carries no band. ``subscale_intervals``: extra bounds on
    subscales (STarT Back's psychosocial score), checked only when no band matched by name.
    """

    instrument: str
    description: str
    source: str
    bands: tuple[Band, ...] = ()
    interval: Interval | None = None
    subscale_intervals: tuple[tuple[str, Interval], ...] = ()
    band_names: tuple[str, ...] = ()  # for decision-table groups, which are not Band objects

    def names(self) -> set[str]:
        found = {n.lower() for n in self.band_names}
        for band in self.bands:
            found |= {band.name.lower(), band.label.lower()}
        return found

    def met_by(self, result: Mapping[str, Any]) -> bool:
        band = result.get("band")
        if isinstance(band, Mapping):  # tolerate {"name": ..., "label": ...}
            band = band.get("name") or band.get("label")
        if band and self.names():
            return str(band).lower() in self.names()
        total = result.get("total")
        if self.interval is None or total is None:
            return False
        if not self.interval.contains(total):
            return False
        subscales = result.get("subscales") or {}
        for name, interval in self.subscale_intervals:
            value = subscales.get(name)
            if value is None or not interval.contains(value):
                return False
        return True


_TSK17_HIGH = _band(tsk.TSK17, "high")
_PCS_HIGH = _band(pcs.PCS, "clinically_relevant")
_PSEQ_LOW = (_band(pseq.PSEQ, "severe"), _band(pseq.PSEQ, "moderate"))
_PHQ9_MODERATE_OR_WORSE = tuple(
    _band(phq9.PHQ9, name) for name in ("moderate", "moderately_severe", "severe")
)
_STARTBACK_HIGH = next(row for row in startback.STARTBACK.classification.rows if row.name == "high")

# The TSK-11 has no published cut-off; its clinic-policy band (>= 24, UNVERIFIED) is part of its
# definition (assessment/instruments/tsk.py), so the profile and the suggestions agree.
_TSK11_HIGH = _band(tsk.TSK11, "high")
TSK11_HIGH_MIN = _TSK11_HIGH.min

HIGH_FEAR = Criterion(
    "tsk17",
    "TSK-17 > 37: high kinesiophobia",
    _TSK17_HIGH.source,
    bands=(_TSK17_HIGH,),
    interval=_TSK17_HIGH.interval,
)
HIGH_FEAR_TSK11 = Criterion(
    "tsk11",
    f"TSK-11 ≥ {TSK11_HIGH_MIN:g}: high fear of movement (clinic policy)",
    _TSK11_HIGH.source,
    bands=(_TSK11_HIGH,),
    interval=_TSK11_HIGH.interval,
)
HIGH_CATASTROPHIZING = Criterion(
    "pcs",
    "PCS ≥ 30: clinically relevant catastrophizing",
    _PCS_HIGH.source,
    bands=(_PCS_HIGH,),
    interval=_PCS_HIGH.interval,
)
LOW_SELF_EFFICACY = Criterion(
    "pseq",
    "PSEQ ≤ 30: low pain self-efficacy (moderate or severe band)",
    _PSEQ_LOW[0].source,
    bands=_PSEQ_LOW,
    interval=Interval(0, 30),
)
STARTBACK_HIGH_RISK = Criterion(
    "startback",
    "STarT Back high risk: total 4-9 and psychosocial 4-5",
    _STARTBACK_HIGH.source,
    band_names=(_STARTBACK_HIGH.name, _STARTBACK_HIGH.label),
    interval=Interval(4, 9),
    subscale_intervals=(("psychosocial", Interval(4, 5)),),
)
DEPRESSION = Criterion(
    "phq9",
    "PHQ-9 ≥ 10: moderate, moderately severe or severe depression",
    _PHQ9_MODERATE_OR_WORSE[0].source,
    bands=_PHQ9_MODERATE_OR_WORSE,
    interval=Interval(10, 27),
)


# --- rules ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SuggestionRule:
    """If any criterion is met (or a named clinician/pacing flag is present), suggest this."""

    key: str
    title: str
    rationale: str
    interventions: tuple[str, ...]
    source: str
    criteria: tuple[Criterion, ...] = ()
    flags: tuple[str, ...] = ()


# ``source`` and the criterion descriptions are shown to clinicians, so they name the literature
# only; each is UNVERIFIED against shared/reference (module docstring), which stays in the code.
RULES: tuple[SuggestionRule, ...] = (
    SuggestionRule(
        key="fear_avoidance_exposure",
        title="Pain education and graded exposure in vivo",
        rationale=(
            "High fear of movement or catastrophizing: reconceptualise pain, then test the "
            "patient's predictions about harm with graded exposure to feared activities."
        ),
        interventions=(PAIN_EDUCATION, GRADED_EXPOSURE),
        source=(
            "Vlaeyen & Linton, Pain 2000;85:317-32; Vlaeyen et al., Behav Res Ther 2001;39:151-66; "
            "Moseley & Butler, J Pain 2015;16:807-13"
        ),
        criteria=(HIGH_FEAR, HIGH_FEAR_TSK11, HIGH_CATASTROPHIZING),
    ),
    SuggestionRule(
        key="boom_bust_pacing",
        title="Graded activity and pacing",
        rationale=(
            "A boom-and-bust activity pattern: set quotas from a baseline and grade them up, "
            "independent of pain on the day."
        ),
        interventions=(GRADED_ACTIVITY,),
        source="Nielson et al., Clin J Pain 2013;29:461-8",
        flags=(FLAG_BOOM_BUST,),
    ),
    SuggestionRule(
        key="low_self_efficacy_mastery",
        title="Graded mastery goals",
        rationale=(
            "Low pain self-efficacy: set small, specific goals the patient can reach, so that "
            "success is experienced and attributed to their own effort."
        ),
        interventions=(GRADED_ACTIVITY,),
        source="Bandura, Psychol Rev 1977;84:191-215; PSEQ bands (Nicholas 2007)",
        criteria=(LOW_SELF_EFFICACY,),
    ),
    SuggestionRule(
        key="startback_high_pipt",
        title="Psychologically informed physiotherapy",
        rationale=(
            "STarT Back high risk: physiotherapy that addresses the psychosocial obstacles "
            "(cognitive-behavioural approach) rather than physical treatment alone."
        ),
        interventions=(PAIN_EDUCATION, CBT),
        source="Hill et al., Lancet 2011;378:1560-71 (STarT Back trial)",
        criteria=(STARTBACK_HIGH_RISK,),
    ),
    SuggestionRule(
        key="depression_cbt_liaison",
        title="CBT for low mood and liaison with the GP",
        rationale=(
            "Moderate or worse depression: offer psychological treatment and tell the GP; check "
            "PHQ-9 item 9 (thoughts of self-harm) in the assessment."
        ),
        interventions=(CBT,),
        source="Kroenke et al., J Gen Intern Med 2001;16:606-13; NICE NG193 (2021)",
        criteria=(DEPRESSION,),
    ),
)

RULES_BY_KEY = {rule.key: rule for rule in RULES}


@dataclass(frozen=True)
class Evidence:
    """Which result (or flag) met the rule, for the clinician to check."""

    criterion: str
    instrument: str = ""
    total: float | None = None
    band: str = ""
    date: Any = None
    result_id: Any = None
    flag: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "criterion": self.criterion,
            "instrument": self.instrument,
            "total": self.total,
            "band": self.band,
            "date": str(self.date) if self.date is not None else None,
            "result_id": None if self.result_id is None else str(self.result_id),
            "flag": self.flag,
        }


@dataclass(frozen=True)
class Suggestion:
    rule: SuggestionRule
    evidence: tuple[Evidence, ...]

    @property
    def key(self) -> str:
        return self.rule.key


FLAG_DESCRIPTIONS = {
    FLAG_BOOM_BUST: "Boom-and-bust activity pattern",
}


def suggest(
    latest_scores: Mapping[str, Mapping[str, Any]],
    *,
    flags: Iterable[str] = (),
    rules: Iterable[SuggestionRule] = RULES,
) -> list[Suggestion]:
    """The rules met by the profile, in rule order, each with all the evidence that met it.

    ``flags``: activity-pattern flags, e.g. ``FLAG_BOOM_BUST`` from the clinician or from a
    pacing log that shows boom-and-bust days (``treatment.pacing.adherence``). Instruments
    missing from ``latest_scores`` simply do not meet a criterion: no profile, no suggestion.
    """
    present = set(flags)
    out: list[Suggestion] = []
    for rule in rules:
        evidence: list[Evidence] = []
        for criterion in rule.criteria:
            result = latest_scores.get(criterion.instrument)
            if result is None or not criterion.met_by(result):
                continue
            band = result.get("band")
            if isinstance(band, Mapping):
                band = band.get("label") or band.get("name")
            evidence.append(
                Evidence(
                    criterion=criterion.description,
                    instrument=criterion.instrument,
                    total=result.get("total"),
                    band=str(band or ""),
                    date=result.get("date"),
                    result_id=result.get("result_id"),
                )
            )
        for flag in rule.flags:
            if flag in present:
                evidence.append(Evidence(criterion=FLAG_DESCRIPTIONS.get(flag, flag), flag=flag))
        if evidence:
            out.append(Suggestion(rule=rule, evidence=tuple(evidence)))
    return out
