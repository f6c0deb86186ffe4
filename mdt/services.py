"""Writes of the MDT case conferences (issue #13). Each service runs in one transaction and writes
its audit events inside it (shared/STYLE.md §3.2). The views check access through the policy;
the services check again who may do what, so a forged form changes nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from mdt.models import Action, Attendee, CaseConference, Discussion
from mdt.selectors import attendee_choices, team_staff
from painclinic import audit, concurrency
from painclinic.access import may_give_clinical_care
from painclinic.models import AuditAction, Role
from painclinic.validators import planned_clinical_date
from patients import services as patient_services
from patients.models import MdtFlag, MdtFlagSource

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import date

    from painclinic.models import Team, User
    from patients.models import Patient

NOT_TEAM_STAFF = gettext_noop("Only the clinical staff of the team can do this.")
NOT_TEAM_LEAD = gettext_noop("Only the team lead prepares a case conference.")
NO_PATIENTS = gettext_noop("Choose at least one patient from the agenda.")
FLAG_TAKEN = gettext_noop(
    "A patient chosen is no longer on the agenda (another conference took them)."
)
NOT_AN_ATTENDEE = gettext_noop("Attendees are members of the team.")
OWNER_NOT_STAFF = gettext_noop("The owner of an action is one of the team's clinical staff.")
DISCUSSION_FIELDS = ("question", "summary", "decisions")

EditConflict = concurrency.EditConflict


def _check_staff(actor: User, team: Team) -> None:
    if not (may_give_clinical_care(actor) and team_staff(team).filter(pk=actor.pk).exists()):
        raise ValidationError(gettext(NOT_TEAM_STAFF))


def flag_for_mdt(*, actor: User, patient: Patient, reason: str) -> MdtFlag:
    """Put the patient on the agenda of their team's MDT from the record (the view has checked
    the actor may change the record)."""
    return patient_services.mdt_flag_raise(
        actor=actor, patient=patient, reason=reason, source=MdtFlagSource.RECORD
    )


@transaction.atomic
def conference_prepare(
    *,
    actor: User,
    team: Team,
    held_on: date,
    attendees: Iterable[User],
    flags: Iterable[MdtFlag],
) -> CaseConference:
    """The team lead prepares a conference from the agenda: each chosen patient becomes a
    discussion whose question is the flag's reason, and leaves the agenda."""
    if actor.role != Role.TEAM_LEAD:
        raise ValidationError(gettext(NOT_TEAM_LEAD))
    _check_staff(actor, team)
    planned_clinical_date(held_on, what="The conference")
    flag_ids = [flag.pk for flag in flags]
    if not flag_ids:
        raise ValidationError({"flags": gettext(NO_PATIENTS)})
    chosen = list(
        MdtFlag.objects.select_for_update(no_key=True)
        .filter(pk__in=flag_ids, team=team, taken_at__isnull=True)
        .select_related("patient")
    )
    if len(chosen) != len(set(flag_ids)):
        raise ValidationError({"flags": gettext(FLAG_TAKEN)})
    people = list(attendees)
    allowed = set(attendee_choices(team).values_list("pk", flat=True))
    if any(person.pk not in allowed for person in people):
        raise ValidationError({"attendees": gettext(NOT_AN_ATTENDEE)})
    conference = CaseConference.objects.create(team=team, held_on=held_on, prepared_by=actor)
    Attendee.objects.bulk_create(
        Attendee(conference=conference, user=person, discipline=person.discipline)
        for person in people
    )
    now = timezone.now()
    Discussion.objects.bulk_create(
        Discussion(conference=conference, patient=flag.patient, flag=flag, question=flag.reason)
        for flag in chosen
    )
    MdtFlag.objects.filter(pk__in=[flag.pk for flag in chosen]).update(taken_at=now)
    audit.record_event(actor=actor, action=AuditAction.CREATE, obj=conference)
    audit.record_event_for_patients(
        actor=actor,
        action=AuditAction.CREATE,
        patients=[flag.patient for flag in chosen],
        obj=conference,
    )
    return conference


@transaction.atomic
def discussion_record(
    *,
    actor: User,
    discussion: Discussion,
    question: str,
    summary: str,
    decisions: str,
    edit_token: str | None = None,
) -> Discussion:
    """Record the discussion of one patient. Two attendees may type the minutes at once: with
    ``edit_token`` a save over someone else's is refused with EditConflict."""
    discussion = (
        Discussion.objects.select_for_update(no_key=True)
        .select_related("conference__team", "patient")
        .get(pk=discussion.pk)
    )
    _check_staff(actor, discussion.conference.team)
    typed = {"question": question.strip(), "summary": summary.strip(), "decisions": decisions}
    typed["decisions"] = decisions.strip()
    if not typed["question"]:
        raise ValidationError({"question": gettext("Say what the team was asked.")})
    concurrency.check_edit_token(discussion, DISCUSSION_FIELDS, edit_token, typed)
    changed = [name for name in DISCUSSION_FIELDS if getattr(discussion, name) != typed[name]]
    for name in DISCUSSION_FIELDS:
        setattr(discussion, name, typed[name])
    discussion.save(update_fields=[*DISCUSSION_FIELDS, "updated_at"])
    audit.record_event(
        actor=actor,
        action=AuditAction.CHANGE,
        patient=discussion.patient,
        obj=discussion,
        changed_fields=changed,
    )
    return discussion


@transaction.atomic
def action_add(
    *, actor: User, discussion: Discussion, text: str, owner: User, due_on: date
) -> Action:
    discussion = Discussion.objects.select_related("conference__team", "patient").get(
        pk=discussion.pk
    )
    team = discussion.conference.team
    _check_staff(actor, team)
    if not team_staff(team).filter(pk=owner.pk).exists():
        raise ValidationError({"owner": gettext(OWNER_NOT_STAFF)})
    text = " ".join(text.split())
    if not text:
        raise ValidationError({"text": gettext("Say what is to be done.")})
    planned_clinical_date(due_on, what="The due date")
    action = Action.objects.create(
        discussion=discussion, text=text, owner=owner, due_on=due_on, created_by=actor
    )
    audit.record_event(
        actor=actor, action=AuditAction.CREATE, patient=discussion.patient, obj=action
    )
    return action


@transaction.atomic
def action_complete(*, actor: User, action: Action) -> Action:
    """Mark an action done (who and when). Idempotent: a second click changes nothing."""
    action = (
        Action.objects.select_for_update(no_key=True)
        .select_related("discussion__conference__team", "discussion__patient")
        .get(pk=action.pk)
    )
    _check_staff(actor, action.discussion.conference.team)
    if action.done_at is None:
        action.done_at = timezone.now()
        action.done_by = actor
        action.save(update_fields=["done_at", "done_by"])
        audit.record_event(
            actor=actor,
            action=AuditAction.CHANGE,
            patient=action.discussion.patient,
            obj=action,
            changed_fields=["done_at", "done_by"],
        )
    return action
