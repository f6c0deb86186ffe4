"""Reads for the patient's documents: the handout ("My plan for living well with pain") and the
patient's summary ("Summary of my care"), built from the record (issue #14, "Patient materials").

What each section is built from:
- the fear-avoidance cycle: the patient's exposure hierarchy (their feared activities and the
  feared consequence in their own words; HierarchyItem, PHODA photographs included) and the flags
  the clinician recorded (the assessment's formulation checklist, through assessment.selectors,
  and the treatment plan's yellow flags). The clinician's formulation notes are never printed:
  they are written for clinicians.
- goals: the patient's own words (Goal.patient_words) of the current episode's active goals.
- pacing: the daily amount of the schedule in force (pacing core through treatment.selectors).
- flare-up: the current flare-up plan, and its safety-netting (the default when there is none).
- what we talked about: the education topics ticked at contacts (education.selectors), in a
  patient's words (handout_texts.TOPIC_WORDS; a topic the clinic added, by its title).

No scores, ratings or method names reach these contexts; a section without data is None or
empty and the template leaves it out or says so kindly (treatment/handout_texts.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils import translation
from django.utils.formats import date_format

from assessment import selectors as assessment_selectors
from assessment.instruments.base import Unscorable
from education import selectors as education_selectors
from patients.models import Episode
from treatment import handout_texts, selectors
from treatment.models import (
    DEFAULT_SETBACK_TEXT,
    SAFETY_NET_DEFAULT,
    Goal,
    HierarchyItem,
    YellowFlag,
)

if TYPE_CHECKING:
    from patients.models import Patient

# The flags that mean fear-avoidance is part of the picture: the treatment plan's yellow flags
# (treatment.models.YellowFlag) and the formulation checklist (assessment/yellow_flags.py).
FEAR_FLAGS_PLAN = {YellowFlag.FEAR_OF_MOVEMENT, YellowFlag.AVOIDANCE, YellowFlag.BELIEFS}
FEAR_FLAGS_FORMULATION = {"yellow_fear_avoidance", "yellow_hurt_harm"}
BOOM_BUST_FORMULATION = "yellow_boom_bust"


@dataclass(frozen=True)
class Cycle:
    """The patient's own fear-avoidance cycle, in their words."""

    feared: HierarchyItem | None  # the step they fear most
    steps: list[str]  # the activities on their hierarchy, easiest first


@dataclass(frozen=True)
class GoalLine:
    words: str  # the patient's own words
    review_by: str


@dataclass(frozen=True)
class PacingStep:
    starts: date
    amount: str
    current: bool


@dataclass(frozen=True)
class PacingPart:
    activity: str
    unit: str
    steps: list[PacingStep]  # empty: the amount is not worked out yet

    @property
    def now(self) -> str:
        """'Walking: 12 minutes a day, for now' (the summary's line), or the activity alone."""
        if not self.steps:
            return self.activity
        return handout_texts.WORKING_PACING_AMOUNT % {
            "activity": self.activity,
            "amount": self.steps[0].amount,
            "unit": self.unit,
        }


def plain_amount(value: float) -> str:
    """An amount as a patient reads it: whole numbers from 10 up, else one decimal at most."""
    if value >= 10:
        return str(round(value))
    rounded = round(value, 1)
    return str(int(rounded)) if float(rounded).is_integer() else f"{rounded:.1f}"


def _pacing_part(overview: selectors.PacingOverview, today: date) -> PacingPart:
    plan = overview.plan
    version = overview.in_force
    if version is None or isinstance(version.start, Unscorable) or version.error:
        return PacingPart(plan.activity, plan.unit, [])
    days = version.source.days_per_step
    steps = []
    for i, quota in enumerate(version.schedule):
        starts = version.effective_from + timedelta(days=i * days)
        current = starts <= today < starts + timedelta(days=days)
        steps.append(PacingStep(starts, plain_amount(quota), current))
    # The steps still to come, and the one in force today (what is past is no longer a plan).
    first = next((i for i, s in enumerate(steps) if s.current), 0)
    if steps and steps[-1].starts + timedelta(days=days) <= today:
        first = len(steps) - 1  # the schedule has run its course: its last amount stands
    return PacingPart(plan.activity, plan.unit, steps[first:])


def _cycle(items: list[HierarchyItem], *, fear_flagged: bool) -> Cycle | None:
    if not items:
        return Cycle(None, []) if fear_flagged else None
    # The hierarchy is kept in order, easiest first (HierarchyItem.position); the step they
    # fear most is the one with the highest rating, the later step on a tie.
    feared = max(enumerate(items), key=lambda pair: (pair[1].fear_rating, pair[0]))[1]
    return Cycle(feared, [item.activity for item in items])


def default_in_language(text: str, default) -> str:
    """A flare-up plan's setback text or safety-netting as the patient's document prints it: the
    clinic's default wording left as it was is printed in the document's language (the
    catalogue's translation of ``default``); a text the clinician edited is printed as written."""
    with translation.override(settings.LANGUAGE_CODE):
        english = str(default)
    if " ".join((text or "").split()) == " ".join(english.split()):
        return str(default)
    return text


def flare_up_texts(flare_up) -> dict[str, str]:
    """The setback text and the safety-netting of the current flare-up plan (the default
    safety-netting when there is none), in the document's language where they are the default."""
    if flare_up is None:
        return {"setback_text": "", "safety_net": str(SAFETY_NET_DEFAULT)}
    return {
        "setback_text": default_in_language(flare_up.opportunity_text, DEFAULT_SETBACK_TEXT),
        "safety_net": default_in_language(flare_up.safety_net, SAFETY_NET_DEFAULT),
    }


def _topics(patient: Patient) -> list[str]:
    covered = education_selectors.patient_education(patient)["covered"]
    return [str(handout_texts.TOPIC_WORDS.get(row.topic.slug, row.topic.title)) for row in covered]


def handout(patient: Patient) -> dict[str, Any]:
    """Everything the handout prints (see the module docstring)."""
    episode = Episode.objects.select_related("lead_clinician").current_for(patient)
    plan = selectors.current_plan(episode)
    formulation = assessment_selectors.latest_formulation(patient)
    checked = {k for k, v in (formulation.flags if formulation else {}).items() if v}
    plan_flags = set(plan.yellow_flags) if plan else set()
    items = list(HierarchyItem.objects.filter(patient=patient, retired_at__isnull=True))
    fear_flagged = bool(plan_flags & FEAR_FLAGS_PLAN or checked & FEAR_FLAGS_FORMULATION)
    overviews = selectors.pacing_overviews(patient)
    today = date.today()
    boom_bust = (
        YellowFlag.BOOM_BUST in plan_flags
        or BOOM_BUST_FORMULATION in checked
        or any(o.adherence is not None and o.adherence.boom_bust for o in overviews)
    )
    flare_up = selectors.current_flare_up_plan(patient)
    goals: list[GoalLine] = []
    if episode is not None:
        goals = [
            GoalLine(
                goal.patient_words,
                handout_texts.GOAL_REVIEW_BY % {"date": date_format(goal.by_when, "j F Y")},
            )
            for goal in Goal.objects.filter(episode=episode, retired_at__isnull=True).order_by(
                "by_when", "id"
            )
        ]
    return {
        "episode": episode,
        "plan": plan,
        "topics": _topics(patient),
        "cycle": _cycle(items, fear_flagged=fear_flagged),
        "goals": goals,
        "pacing": [_pacing_part(o, today) for o in overviews],
        "boom_bust": boom_bust,
        "flare_up": flare_up,
        **flare_up_texts(flare_up),
        "texts": handout_texts,
    }


def patient_summary(patient: Patient) -> dict[str, Any]:
    """The handout's reads, and what the summary adds: the plan's interventions in plain words
    and the patient's main contact (the episode's lead clinician)."""
    context = handout(patient)
    plan = context["plan"]
    kinds = [i.kind for i in plan.interventions.all()] if plan else []
    episode = context["episode"]
    lead = episode.lead_clinician if episode is not None else None
    context.update(
        {
            "plan_words": [
                str(handout_texts.INTERVENTION_WORDS[k])
                for k in dict.fromkeys(kinds)
                if k in handout_texts.INTERVENTION_WORDS
            ],
            "lead": (
                handout_texts.CONTACT_LEAD % {"name": lead.get_full_name() or lead.username}
                if lead
                else ""
            ),
        }
    )
    return context
