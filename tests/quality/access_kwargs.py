"""URL parameters for the quality views, for the access suite (tests/test_access.py) and the
fuzz suite: a signed WAI-SR of the patient (so the alliance chart exists) and a supervisor
rating of the actor by the lead of the patient's team."""

from datetime import date

from assessment import services as assessment_services
from assessment.models import TimePoint
from painclinic.models import Role, User
from quality import services


def url_kwargs(patient, actor) -> dict:
    episode = patient.episodes.first()
    session = assessment_services.session_start(
        actor=actor,
        patient=patient,
        episode=episode,
        time_point=TimePoint.REVIEW,
        instrument_keys=["waisr"],
    )
    assessment_services.administration_sign(
        actor=actor,
        administration=session.administrations.get(),
        answers={str(i): 4 for i in range(1, 13)},
    )
    known = {"scale": "ctsr"}
    lead = User.objects.filter(role=Role.TEAM_LEAD, memberships__team=episode.team).first()
    if lead is not None:
        rating = services.supervisor_rating_record(
            actor=lead,
            clinician=actor,
            scale="ctsr",
            values={str(i): 3 for i in range(1, 13)},
            session_date=date.today(),
        )
        known["rating_id"] = rating.pk
    return known
