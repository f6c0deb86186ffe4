"""The letters a clinic sends about a patient, as plain data (issue #14): the letter to the GP, the
discharge letter and the letter to the referrer after a Pain Management Programme.

One builder for the three: ``letter_content(kind, ...)`` gathers what the letter says from the
selectors of the apps that own it (assessment for the questionnaires and their change, medicines
for the medicines, programmes for attendance and programme outcomes, patients for the episode)
and returns a ``Letter``: strings, dates and small records in the clinic's words -- never an
instrument key, a score id, a band's internal name or a raw float. The templates under
``templates/letters/`` only lay it out (one base, one page per kind).

Change since baseline (first signed result of the episode vs the latest) is said in words with
its reliability, from the rules the instrument library already computes
(``assessment.instruments.change.instrument_change``):
- the Jacobson-Truax reliable change index where the definition gives its parameters
  (instruments.md §23): "a reliable improvement" / "no reliable change" / "a reliable
  deterioration";
- else the instrument's smallest detectable change (an "mdc" rule: change beyond measurement
  error, the same idea as the RCI's 1.96 S_diff), in the same words;
- else "a change of N points; reliability not known" (never guessed).
A clinically important improvement (the instrument's MCID / MIC / MID rule, unverified rules left
out) is added where it is met.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from assessment import instruments
from assessment import selectors as assessment_selectors
from assessment.instruments import change
from medicines import selectors as medicines_selectors
from painclinic import selectors as painclinic_selectors
from patients.models import Episode, ReferralSource
from programmes import selectors as programmes_selectors
from treatment import selectors

if TYPE_CHECKING:
    from painclinic.models import ClinicDetails, User
    from patients.models import Patient

GP, DISCHARGE, PMP = "gp", "discharge", "pmp"
KINDS = (GP, DISCHARGE, PMP)
TITLES = {
    GP: _("Letter to the GP"),
    DISCHARGE: _("Discharge letter"),
    PMP: _("After the pain management programme"),
}

# Questionnaires about the therapy or the group rather than the patient's pain: never an outcome
# in a letter (the alliance, group climate and empathy measures).
PROCESS_MEASURES = frozenset({"waisr", "gcqs", "care"})

# What each questionnaire measures, in the words a GP uses; the short name follows in brackets.
# Presentation only: the definitions keep their own names (assessment/instruments/).
MEASURES = {
    "nrs": _("Pain intensity"),
    "peg": _("Pain and its interference with enjoyment of life and activity"),
    "ompsq10": _("Risk of long-term disability"),
    "ompq21": _("Risk of long-term disability"),
    "startback": _("Risk of a poor back-pain outcome"),
    "tsk17": _("Fear of movement"),
    "tsk11": _("Fear of movement"),
    "pcs": _("Pain catastrophising"),
    "rnpq": _("Understanding of pain"),
    "fabq": _("Fear-avoidance beliefs"),
    "pseq": _("Confidence in doing things despite pain"),
    "bpi": _("Pain"),
    "odi": _("Disability from back pain"),
    "rmdq": _("Disability from back pain"),
    "phq9": _("Low mood"),
    "gad7": _("Anxiety"),
    "dass21": _("Mood"),
    "cpaq8": _("Acceptance of pain"),
    "pass20": _("Pain-related anxiety"),
    "psfs": _("Activities the patient chose"),
    "phoda": _("Perceived harm of daily activities"),
}

# Rule kinds that judge reliability (measurement error) and importance to the patient.
RELIABILITY_KINDS = ("mdc",)
IMPORTANCE_KINDS = ("mcid", "mic", "mid", "clinically_significant")

CHANGE_RELIABLE_IMPROVEMENT = _("a reliable improvement")
CHANGE_NONE = _("no reliable change")
CHANGE_RELIABLE_DETERIORATION = _("a reliable deterioration")
CHANGE_IMPORTANT = _("large enough to matter to patients")
CHANGE_ONE_RESULT = _("one measurement so far")

GAS_WORDS = {
    -2: _("much less than expected"),
    -1: _("somewhat less than expected"),
    0: _("achieved as expected"),
    1: _("somewhat better than expected"),
    2: _("much better than expected"),
}

# The advice every letter carries (issue #14: "setbacks are practice; no new investigations
# unless new red flags"), in a colleague's words. Red flags: safety.md §1 and §5.
ADVICE_SETBACKS = _(
    "Setbacks and flare-ups are expected after treatment and are a chance for {name} to practise "
    "the self-management skills learnt with us, using the flare-up plan. We would advise against "
    "new investigations or referrals for a flare-up of the same pain unless there are new "
    "red-flag features (for example progressive neurological signs, bladder or bowel "
    "disturbance, saddle anaesthesia, fever or unexplained weight loss)."
)
REREFER_DEFAULT = _(
    "If {name} needs our help again, please send a new referral to the clinic; we would be "
    "glad to see {them} again."
)


def plain_number(value: float | int | None, aggregate: str = "sum") -> str:
    """A score as its instrument reports it: a sum as a whole number, a mean to one decimal, the
    ODI as a percentage. Never more decimals than the instrument gives."""
    if value is None:
        return "–"
    number = float(value)
    if aggregate == "percent_of_answered_max":
        text = f"{number:.0f}" if number.is_integer() else f"{number:.1f}"
        return f"{text}%"
    if number.is_integer():
        return str(int(number))
    return f"{number:.1f}"


def _points(value: float, aggregate: str) -> str:
    magnitude = plain_number(abs(value), aggregate)
    if aggregate == "percent_of_answered_max":
        return _("%(n)s percentage points") % {"n": magnitude.rstrip("%")}
    return ngettext("%(n)s point", "%(n)s points", 1 if magnitude == "1" else 2) % {"n": magnitude}


@dataclass(frozen=True)
class OutcomeLine:
    """One questionnaire score from the first to the latest measurement, in words."""

    measure: str  # "Fear of movement (TSK-11)"
    scale: str  # "scores 11–44, higher is worse"
    first: str
    latest: str
    first_band: str
    latest_band: str
    first_date: date | None
    latest_date: date | None
    change: str  # "a reliable improvement", "a change of 3 points; reliability not known", ...
    measured_once: bool = False

    @property
    def sentence(self) -> str:
        """The line as one sentence ("Fear of movement (TSK-11): 33 → 26, a reliable
        improvement"), so a test or a plain-text copy reads it the same as the page."""
        if self.measured_once:
            return f"{self.measure}: {self.latest}, {self.change}"
        return f"{self.measure}: {self.first} → {self.latest}, {self.change}"


def _scale_words(rule, direction: str) -> str:
    low, high = (plain_number(v, rule.aggregate) for v in rule.range)
    if direction == change.HIGHER_IS_WORSE:
        return _("scored %(low)s–%(high)s, higher is worse") % {"low": low, "high": high}
    if direction == change.HIGHER_IS_BETTER:
        return _("scored %(low)s–%(high)s, higher is better") % {"low": low, "high": high}
    return _("scored %(low)s–%(high)s") % {"low": low, "high": high}


def change_words(
    definition, score_id: str, first: float, latest: float, *, reliable: str | None = None
) -> str:
    """The change from ``first`` to ``latest`` on one score, with its reliability, in words
    (module docstring). ``reliable``: an RCI classification already made elsewhere (a
    programme's own SD and reliability), used instead of the instrument's."""
    rule = definition.score_rule(score_id)
    aggregate = rule.aggregate if rule else "sum"
    judged = change.instrument_change(definition, score_id, first, latest)
    rules = [r for r in judged["rules"] if r.get("applies")]
    rci = next((r for r in rules if r["kind"] == change.RELIABLE_CHANGE_RULE), None)
    mdc = next((r for r in rules if r["kind"] in RELIABILITY_KINDS), None)
    words = ""
    if reliable is not None:
        words = str(_rci_words(reliable))
    elif rci is not None:
        words = str(_rci_words(rci["classification"]))
    elif mdc is not None:
        words = str(
            {
                change.IMPORTANT_IMPROVEMENT: CHANGE_RELIABLE_IMPROVEMENT,
                change.IMPORTANT_WORSENING: CHANGE_RELIABLE_DETERIORATION,
            }.get(mdc["classification"], CHANGE_NONE)
        )
    difference = float(judged["change"])
    if not words:
        if difference == 0:
            return str(_("no change; reliability not known"))
        return _("a change of %(points)s; reliability not known") % {
            "points": _points(difference, aggregate)
        }
    important = any(
        r["kind"] in IMPORTANCE_KINDS
        and r.get("evidence") != "unverified"
        and r.get("classification") == change.IMPORTANT_IMPROVEMENT
        for r in rules
    )
    if important and words == str(CHANGE_RELIABLE_IMPROVEMENT):
        return f"{words}, {CHANGE_IMPORTANT}"
    return words


def _measure_name(definition, rule=None) -> str:
    if rule is not None and rule.role != "total":
        label = rule.label[:1].upper() + rule.label[1:]
        return f"{label} ({definition.short_name})"
    what = MEASURES.get(definition.key)
    return f"{what} ({definition.short_name})" if what else definition.name


def _band(result: assessment_selectors.SignedResult, score_id: str, *, primary: bool) -> str:
    if primary:
        label = result.band.label if result.band else ""
    else:
        band = (result.score.get("bands") or {}).get(score_id) or {}
        label = band.get("label", "") if isinstance(band, dict) else ""
    return label[:1].lower() + label[1:] if label else ""


def _value(result: assessment_selectors.SignedResult, score_id: str, *, primary: bool):
    if primary:
        return result.total
    return (result.score.get("subscales") or {}).get(score_id)


def outcome_lines(patient: Patient, since: date | None = None) -> list[OutcomeLine]:
    """Each questionnaire the patient completed (signed results on or after ``since``: the
    episode's referral date), first vs latest, in the order a clinician reads a profile. One
    query."""
    lines: list[OutcomeLine] = []
    for key, results in assessment_selectors.signed_results(patient).items():
        if key in PROCESS_MEASURES:
            continue
        try:
            definition = instruments.get(key)
        except KeyError:
            continue  # no longer in the library: no name to print
        kept = [r for r in results if since is None or r.date >= since]
        if not kept:
            continue
        first, latest = kept[0], kept[-1]
        if definition.primary:
            scores = [(definition.score_rule(definition.primary), True)]
        else:  # FABQ, DASS-21, BPI: each subscale on its own line
            scores = [(r, False) for r in definition.scores if r.role == "subscale"]
        for rule, primary in scores:
            if rule is None:
                continue
            a, b = _value(first, rule.id, primary=primary), _value(latest, rule.id, primary=primary)
            if b is None:
                continue
            once = len(kept) < 2 or a is None
            direction = definition.score_direction(rule.id)
            lines.append(
                OutcomeLine(
                    measure=_measure_name(definition, None if primary else rule),
                    scale=_scale_words(rule, direction),
                    first=plain_number(a, rule.aggregate),
                    latest=plain_number(b, rule.aggregate),
                    first_band=_band(first, rule.id, primary=primary),
                    latest_band=_band(latest, rule.id, primary=primary),
                    first_date=first.date,
                    latest_date=latest.date,
                    change=str(CHANGE_ONE_RESULT)
                    if once
                    else change_words(definition, rule.id, float(a), float(b)),
                    measured_once=once,
                )
            )
    return sorted(lines, key=lambda line: line.measure)


def programme_outcome_lines(enrolment, viewer: User) -> list[OutcomeLine]:
    """The participant's programme measures, before and after the programme, with the reliable
    change the programme pages compute (its own SD and reliability first)."""
    lines = []
    for row in programmes_selectors.participant_outcomes(enrolment, viewer):
        try:
            definition = instruments.get(row["instrument_key"])
        except KeyError:
            continue
        rule = definition.score_rule(definition.primary) if definition.primary else None
        if rule is None or row["post"] is None:
            continue
        pre, post = row["pre"], row["post"]
        if pre is None:
            words, once = str(CHANGE_ONE_RESULT), True
        else:
            known = row["classification"] != assessment_selectors.NOT_AVAILABLE
            words = change_words(
                definition,
                rule.id,
                pre.value,
                post.value,
                reliable=row["classification"] if known else None,
            )
            once = False
        lines.append(
            OutcomeLine(
                measure=_measure_name(definition),
                scale=_scale_words(rule, definition.score_direction(rule.id)),
                first=plain_number(pre.value if pre else None, rule.aggregate),
                latest=plain_number(post.value, rule.aggregate),
                first_band="",
                latest_band="",
                first_date=pre.day if pre else None,
                latest_date=post.day,
                change=words,
                measured_once=once,
            )
        )
    return lines


def _rci_words(classification: str):
    return {
        change.RELIABLY_IMPROVED: CHANGE_RELIABLE_IMPROVEMENT,
        change.RELIABLY_DETERIORATED: CHANGE_RELIABLE_DETERIORATION,
    }.get(classification, CHANGE_NONE)


@dataclass(frozen=True)
class GoalLine:
    what: str
    by_when: date
    attained: str  # "achieved as expected", or "" when not reviewed yet


def goal_lines(episode: Episode | None) -> list[GoalLine]:
    lines = []
    for goal in selectors.goals_for(episode):
        if goal.is_retired:
            continue
        level = selectors.latest_level(goal)
        lines.append(
            GoalLine(
                what=goal.what,
                by_when=goal.by_when,
                attained=str(GAS_WORDS.get(level, "")) if level is not None else "",
            )
        )
    return lines


def medication(patient: Patient) -> dict[str, Any]:
    """The medicines section from the medicines app's selectors, as the record holds it: the
    current list, the latest daily oral morphine equivalent with its table and warnings, and an
    agreed taper. Nothing is added that the record does not say."""
    today = date.today()
    current = [v for v in medicines_selectors.latest_versions(patient) if v.active_on(today)]
    figure = medicines_selectors.latest_ome(patient)
    taper = medicines_selectors.current_taper(patient)
    return {
        "current": current,
        "ome": figure,
        "ome_result": figure.result if figure else None,
        "taper": taper,
        "taper_opioid": medicines_selectors.taper_opioid(patient, taper, current),
        "heading_class": "h6",
        "for_patient": False,
    }


@dataclass(frozen=True)
class Recipient:
    name: str
    lines: list[str] = field(default_factory=list)
    salutation: str = ""


@dataclass
class Letter:
    """What a letter says, as plain data. ``kind``: GP | DISCHARGE | PMP."""

    kind: str
    title: str
    clinic: ClinicDetails
    on: date
    recipient: Recipient
    patient: Patient
    episode: Episode | None
    author_name: str
    author_role: str
    outcomes: list[OutcomeLine] = field(default_factory=list)
    goals: list[GoalLine] = field(default_factory=list)
    interventions: list[str] = field(default_factory=list)
    formulation: str = ""
    medication: dict[str, Any] = field(default_factory=dict)
    advice: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    copy_to: list[str] = field(default_factory=list)


def _gp(patient: Patient) -> Recipient:
    lines = [patient.gp_practice] if patient.gp_practice else []
    return Recipient(
        name=patient.gp_name or str(_("The GP")),
        lines=lines,
        salutation=_("Dear %(name)s,") % {"name": patient.gp_name}
        if patient.gp_name
        else str(_("Dear colleague,")),
    )


def _them(patient: Patient) -> str:
    return str({"male": _("him"), "female": _("her")}.get(patient.sex, _("them")))


def _author(user: User) -> tuple[str, str]:
    return user.get_full_name() or user.get_username(), str(user.get_discipline_display())


def _plan_parts(episode: Episode | None) -> tuple[list[str], str]:
    plan = selectors.current_plan(episode)
    if plan is None:
        return [], ""
    return [str(i.get_kind_display()) for i in plan.interventions.all()], plan.formulation


def _base(kind: str, title: str, patient: Patient, episode, author: User, recipient) -> Letter:
    name, role = _author(author)
    interventions, formulation = _plan_parts(episode)
    return Letter(
        kind=kind,
        title=title,
        clinic=painclinic_selectors.clinic_details(),
        on=date.today(),
        recipient=recipient,
        patient=patient,
        episode=episode,
        author_name=name,
        author_role=role,
        outcomes=outcome_lines(patient, since=episode.referral_date if episode else None),
        goals=goal_lines(episode),
        interventions=interventions,
        formulation=formulation,
        medication=medication(patient),
        advice=ADVICE_SETBACKS.format(name=patient.given_name),
    )


def gp_letter(patient: Patient, author: User) -> Letter:
    """The letter to the GP during treatment: the current episode (or the last one)."""
    episode = Episode.objects.current_or_last_for(patient)
    letter = _base(GP, str(TITLES[GP]), patient, episode, author, _gp(patient))
    items = selectors.hierarchy_for(patient)
    letter.extra = {
        "exposure_summary": selectors.exposure_summary(items),
        "sessions": selectors.sessions_for(items),
        "flare_up": selectors.current_flare_up_plan(patient) is not None,
    }
    return letter


def discharged_episode(patient: Patient, episode_id: int) -> Episode:
    """The patient's discharged episode ``episode_id`` (404 for an open one or another
    patient's)."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(
        Episode.objects.filter(patient=patient, status="discharged").select_related(
            "team", "lead_clinician"
        ),
        pk=episode_id,
    )


def discharge_letter(patient: Patient, episode: Episode, author: User) -> Letter:
    """The letter at discharge: why, what was done, outcomes first to last, medicines, advice
    and how to refer again."""
    letter = _base(DISCHARGE, str(TITLES[DISCHARGE]), patient, episode, author, _gp(patient))
    clinic = letter.clinic
    programmes = [
        p
        for p in programmes_selectors.programmes_of_patient(patient)
        if p.end is None or p.end >= episode.referral_date
    ]
    letter.extra = {
        "reason": episode.get_discharge_reason_display(),
        "discharged_on": episode.discharge_date,
        "referred_on": episode.referral_date,
        "programmes": programmes,
        "rereferral": clinic.rereferral
        or REREFER_DEFAULT.format(name=patient.given_name, them=_them(patient)),
        "referred_by_gp": episode.referral_source == ReferralSource.GP,
    }
    return letter


def pmp_letter(patient: Patient, enrolment, author: User) -> Letter:
    """The letter to the clinician who referred the patient to a programme, after it: attendance,
    outcomes before and after with their reliability, goals, what happens next.

    Addressed to the clinician who referred the patient to the programme, with a copy to the
    GP; when that clinician is the author (the usual case in a small team), to the GP."""
    referrer = enrolment.referred_by
    copy_gp = referrer is not None and referrer.pk != author.pk
    if copy_gp:
        name, role = _author(referrer)
        recipient = Recipient(
            name=name,
            lines=[role] if role else [],
            salutation=_("Dear %(name)s,") % {"name": name},
        )
    else:
        recipient = _gp(patient)
    episode = Episode.objects.current_or_last_for(patient)
    letter = _base(PMP, str(TITLES[PMP]), patient, episode, author, recipient)
    attended = next(
        (
            p
            for p in programmes_selectors.programmes_of_patient(patient)
            if p.enrolment_id == enrolment.pk
        ),
        None,
    )
    letter.outcomes = programme_outcome_lines(enrolment, author)
    letter.extra = {
        "programme": attended,
        "ended": enrolment.cohort is not None and enrolment.cohort.end_date <= date.today(),
    }
    if copy_gp and patient.gp_name:
        letter.copy_to = [
            ", ".join(part for part in (patient.gp_name, patient.gp_practice) if part)
        ]
    return letter
