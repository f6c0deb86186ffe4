"""URL parameters for safety views, for the access suite (tests/test_access.py)."""

from safety import services


def url_kwargs(patient, actor) -> dict:
    """Jannick's first safety plan, written by ``actor``."""
    plan = services.safety_plan_save(
        actor=actor,
        patient=patient,
        data={
            "warning_signs": "Not sleeping; staying in bed all day.",
            "internal_coping": "Walk the dog.",
            "review_date": None,
        },
        expected_version=0,
    )
    return {"version": plan.version}
