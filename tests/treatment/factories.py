"""Treatment objects for tests, created through the real services (so audit and rules apply)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from patients.models import Episode
from treatment import services


def episode_of(patient) -> Episode:
    return Episode.objects.filter(patient=patient).order_by("-referral_date", "-id").first()


GAS_LEVELS = {
    "level_minus_2": "Cannot kick a ball at all",
    "level_minus_1": "Kicks a ball gently for 2 minutes",
    "level_0": "Plays football with his son for 15 minutes in the park",
    "level_plus_1": "Plays for 30 minutes",
    "level_plus_2": "Plays a full match with his son's team",
}


def goal_for(patient, actor, *, weight: Decimal | int = 1, what: str = "Play football", **extra):
    data = {
        "patient_words": "I want to play football with my son again",
        "domain": "family",
        "what": what,
        "how_much": "15 minutes, twice a week",
        "by_when": date.today() + timedelta(days=84),
        **GAS_LEVELS,
        "baseline_level": -1,
        "weight": Decimal(weight),
        "linked_measure": "",
        "linked_measure_label": "",
        **extra,
    }
    return services.goal_create(actor=actor, episode=episode_of(patient), data=data)


def review_for(goal, actor, *, level: int = 0, on: date | None = None, note: str = ""):
    return services.goal_review_record(
        actor=actor, goal=goal, review_date=on or date.today(), attained_level=level, note=note
    )


def hierarchy_item_for(patient, actor, *, activity="Lifting a crate of 10 kg", fear=70):
    return services.hierarchy_item_add(
        actor=actor,
        patient=patient,
        data={
            "activity": activity,
            "fear_rating": fear,
            "feared_consequence": "My back will break and I will end up in a wheelchair",
            "phoda_source": "",
        },
    )


def exposure_session_for(item, actor, *, before=80, after=30, peak=70):
    return services.exposure_session_record(
        actor=actor,
        item=item,
        data={
            "date": date.today(),
            "expectancy_before": before,
            "fear_before": 60,
            "fear_peak": peak,
            "fear_after": 20,
            "what_happened": "Lifted the crate five times; some pain, no damage.",
            "outcome_observed": 0,
            "expectancy_after": after,
        },
    )


def exposure_prediction_for(item, actor, *, before=80, fear_before=60, prediction=""):
    """Step 1 only: the prediction before the experiment, a pending experiment."""
    return services.exposure_prediction_record(
        actor=actor,
        item=item,
        data={
            "date": date.today(),
            "prediction": prediction or item.feared_consequence,
            "expectancy_before": before,
            "fear_before": fear_before,
        },
    )


def pacing_plan_for(patient, actor, *, baseline=(20, 10, 15), start: date | None = None):
    return services.pacing_plan_create(
        actor=actor,
        patient=patient,
        data={
            "activity": "Walking",
            "unit": "minutes",
            "baseline": list(baseline),
            "rule_kind": "proportion_of_baseline_mean",
            "rule_proportion": Decimal("0.80"),
            "increment_kind": "fixed",
            "increment_amount": Decimal("2"),
            "steps": 6,
            "days_per_step": 7,
            "target": None,
            "start_date": start or date.today() - timedelta(days=6),
        },
    )


def plan_for(patient, actor, *, formulation="Fear of movement keeps Jannick from lifting."):
    return services.plan_save(
        actor=actor,
        episode=episode_of(patient),
        formulation=formulation,
        yellow_flags=["fear_of_movement"],
        focus_areas="Lifting and bending",
        interventions={"graded_exposure": actor, "pain_education": actor},
        expected_version=0,
    )
