"""URL parameters for assessment views, for the access suite (tests/test_access.py)."""

from assessment import services
from assessment.models import TimePoint


def url_kwargs(patient, actor) -> dict:
    """Create whatever assessment objects Jannick needs and return {url parameter: value}."""
    session = services.session_start(
        actor=actor,
        patient=patient,
        episode=patient.episodes.first(),
        time_point=TimePoint.FIRST_VISIT,
        instrument_keys=["tsk11", "pcs"],
    )
    tsk11, pcs = session.administrations.order_by("position")
    services.administration_sign(
        actor=actor, administration=tsk11, answers={str(i): 3 for i in range(1, 12)}
    )
    return {"session_id": session.pk, "administration_id": pcs.pk, "key": "tsk11"}
