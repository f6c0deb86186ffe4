"""MDT case conferences (issue #13): the team flags Jannick for the MDT, Bob (the North lead)
prepares a conference from the agenda, the team records the discussion and gives Ana an action;
each step is audited and guarded."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from mdt import selectors, services
from mdt.models import Attendee, Discussion
from painclinic.concurrency import EditConflict, edit_token
from painclinic.models import AuditAction, AuditEvent, Discipline, Role
from patients.models import MdtFlag, MdtFlagSource
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sam(north):
    """Sam is the North team's pharmacist: he attends the MDT but is on no care team."""
    return UserFactory(
        username="sam",
        first_name="Sam",
        last_name="Patel",
        role=Role.CLINICIAN,
        discipline=Discipline.PHARMACIST,
        team=north,
    )


@pytest.fixture
def flagged(jannick, ana):
    return services.flag_for_mdt(
        actor=ana, patient=jannick, reason="Plateau after six sessions: what next?"
    )


def _prepare(bob, north, flags, attendees=()):
    return services.conference_prepare(
        actor=bob, team=north, held_on=date.today(), attendees=attendees, flags=flags
    )


def test_a_flag_puts_the_patient_on_the_teams_agenda_and_is_audited(flagged, jannick, ana, bob):
    assert list(selectors.agenda_for(bob)) == [flagged]
    assert flagged.team == jannick.episodes.first().team
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, patient=jannick, object_type="patients.mdtflag"
    ).exists()


def test_a_second_flag_adds_its_reason_to_the_open_one(flagged, jannick, ana):
    again = services.flag_for_mdt(actor=ana, patient=jannick, reason="Opioid dose rising.")
    assert again.pk == flagged.pk
    assert "Opioid dose rising." in again.reason
    assert "Plateau" in again.reason
    assert MdtFlag.objects.filter(patient=jannick, taken_at__isnull=True).count() == 1


def test_a_flag_needs_a_reason(jannick, ana):
    with pytest.raises(ValidationError):
        services.flag_for_mdt(actor=ana, patient=jannick, reason="   ")


def test_the_lead_prepares_a_conference_from_the_agenda(flagged, jannick, ana, bob, sam, north):
    conference = _prepare(bob, north, [flagged], attendees=[ana, sam, bob])
    discussion = Discussion.objects.get(conference=conference)
    assert discussion.patient == jannick
    assert discussion.question == flagged.reason
    assert list(selectors.agenda_for(bob)) == []  # taken off the agenda
    disciplines = set(
        Attendee.objects.filter(conference=conference).values_list("discipline", flat=True)
    )
    assert disciplines == {
        Discipline.PHYSIOTHERAPIST,
        Discipline.PHARMACIST,
        Discipline.PSYCHOLOGIST,
    }
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, patient=jannick, object_type="mdt.caseconference"
    ).exists()


def test_only_a_team_lead_prepares_a_conference(flagged, ana, north):
    with pytest.raises(ValidationError):
        services.conference_prepare(
            actor=ana, team=north, held_on=date.today(), attendees=[], flags=[flagged]
        )


def test_a_patient_taken_by_one_conference_is_not_taken_twice(flagged, bob, north):
    _prepare(bob, north, [flagged])
    flagged.refresh_from_db()
    with pytest.raises(ValidationError):
        _prepare(bob, north, [flagged])


def test_a_lead_of_another_team_cannot_take_norths_patients(flagged, fay, north, south):
    with pytest.raises(ValidationError):
        services.conference_prepare(
            actor=fay, team=south, held_on=date.today(), attendees=[], flags=[flagged]
        )


def test_a_programme_admin_is_not_an_attendee(flagged, bob, priya, north):
    with pytest.raises(ValidationError):
        _prepare(bob, north, [flagged], attendees=[priya])


def test_the_discussion_is_recorded_and_a_save_over_anothers_is_refused(flagged, bob, ana, north):
    conference = _prepare(bob, north, [flagged])
    discussion = conference.discussions.get()
    opened = edit_token(discussion, services.DISCUSSION_FIELDS)
    services.discussion_record(
        actor=bob,
        discussion=discussion,
        question=discussion.question,
        summary="Fear of movement remains high.",
        decisions="Add graded exposure; review in six weeks.",
        edit_token=opened,
    )
    with pytest.raises(EditConflict) as conflict:
        services.discussion_record(
            actor=ana,
            discussion=discussion,
            question=discussion.question,
            summary="Ana's version of the minutes.",
            decisions="",
            edit_token=opened,
        )
    assert "summary" in conflict.value.differing_fields
    discussion.refresh_from_db()
    assert discussion.decisions == "Add graded exposure; review in six weeks."


def test_an_action_for_ana_shows_on_her_list_until_done(flagged, bob, ana, north, jannick):
    conference = _prepare(bob, north, [flagged])
    action = services.action_add(
        actor=bob,
        discussion=conference.discussions.get(),
        text="Book a graded exposure session.",
        owner=ana,
        due_on=date.today() + timedelta(days=14),
    )
    assert list(selectors.open_actions_for(ana)) == [action]
    assert list(selectors.open_actions_of_teams([north])) == [action]
    services.action_complete(actor=ana, action=action)
    services.action_complete(actor=ana, action=action)  # a second click changes nothing
    action.refresh_from_db()
    assert action.done_by == ana
    assert action.done_at is not None
    assert list(selectors.open_actions_for(ana)) == []
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.CHANGE, patient=jannick, object_type="mdt.action"
        ).count()
        == 1
    )


def test_an_action_owner_is_one_of_the_teams_clinical_staff(flagged, bob, charlie, priya, north):
    conference = _prepare(bob, north, [flagged])
    for outsider in (charlie, priya):
        with pytest.raises(ValidationError):
            services.action_add(
                actor=bob,
                discussion=conference.discussions.get(),
                text="Phone the GP.",
                owner=outsider,
                due_on=date.today(),
            )


def test_another_team_cannot_record_or_close_norths_actions(flagged, bob, ana, charlie, north):
    conference = _prepare(bob, north, [flagged])
    discussion = conference.discussions.get()
    action = services.action_add(
        actor=bob, discussion=discussion, text="Phone the GP.", owner=ana, due_on=date.today()
    )
    with pytest.raises(ValidationError):
        services.action_complete(actor=charlie, action=action)
    with pytest.raises(ValidationError):
        services.discussion_record(
            actor=charlie, discussion=discussion, question="x", summary="y", decisions="z"
        )


def test_the_pmp_screening_discuss_at_the_mdt_outcome_lands_on_the_agenda(jannick, ana, bob):
    from programmes import services as programme_services
    from programmes.models import Programme

    programme = Programme.objects.create(
        name="Outpatient PMP", kind="outpatient", team=jannick.episodes.first().team
    )
    enrolment = programme_services.enrolment_refer(
        actor=ana, patient=jannick, programme=programme, referred_on=date.today()
    )
    screening = programme_services.screening_record(
        actor=ana,
        enrolment=enrolment,
        data={"readiness": "ready", "severe_cognitive_impairment": True},
        screened_on=date.today(),
    )
    assert screening.decision == "suitable_with_cautions"
    flag = MdtFlag.objects.get(patient=jannick, taken_at__isnull=True)
    assert flag.source == MdtFlagSource.PMP_SCREENING
    assert "cognitive impairment" in flag.reason
    assert list(selectors.agenda_for(bob)) == [flag]
