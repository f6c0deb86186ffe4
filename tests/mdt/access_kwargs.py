"""URL parameters for the mdt views, for the access suite (tests/test_access.py) and the page
crawl (tests/test_page_language.py): a case conference of the patient's team that discussed the
patient, with an action for ``actor``."""

from datetime import date, timedelta

from mdt.models import Action, Attendee, CaseConference, Discussion
from patients.models import Episode, MdtFlag


def url_kwargs(patient, actor) -> dict:
    episode = Episode.objects.filter(patient=patient).first()
    conference = CaseConference.objects.create(
        team=episode.team, held_on=date.today(), prepared_by=actor
    )
    Attendee.objects.create(conference=conference, user=actor, discipline=actor.discipline)
    flag = MdtFlag.objects.create(
        patient=patient, team=episode.team, reason="Plateau after six sessions.", raised_by=actor
    )
    discussion = Discussion.objects.create(
        conference=conference,
        patient=patient,
        flag=flag,
        question="Plateau after six sessions: what next?",
        summary="Fear of movement remains high.",
        decisions="Add graded exposure.",
    )
    action = Action.objects.create(
        discussion=discussion,
        text="Book a graded exposure session.",
        owner=actor,
        due_on=date.today() + timedelta(days=14),
        created_by=actor,
    )
    return {
        "conference_id": conference.pk,
        "discussion_id": discussion.pk,
        "action_id": action.pk,
    }
