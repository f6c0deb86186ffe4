"""Writes to patients, episodes and contacts. Each service runs in one transaction and writes
its audit event inside it (shared/STYLE.md §3.2)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext, gettext_noop

from painclinic import audit, concurrency
from painclinic.access import check_may_give_clinical_care, may_give_clinical_care
from painclinic.models import AuditAction, Membership, Role
from painclinic.validators import (
    past_clinical_date,
    planned_clinical_date,
    validate_birth_date,
    validate_history_date,
)
from patients.models import (
    EPISODE_TRANSITIONS,
    OPEN_STATUSES,
    CareTeamChange,
    CareTeamChangeKind,
    CareTeamMember,
    ConsentKind,
    ConsentRecord,
    ConsentState,
    Contact,
    Episode,
    EpisodeStatus,
    EpisodeStatusChange,
    FollowUpCall,
    FollowUpOutcome,
    LeadChange,
    MdtFlag,
    MdtFlagSource,
    Patient,
    ReviewNote,
    SafeguardingConcern,
    TeamSettings,
)

if TYPE_CHECKING:
    from painclinic.models import Team, User

PATIENT_EDITABLE_FIELDS = (
    "identifier",
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "gender",
    "phone",
    "email",
    "address",
    "gp_name",
    "gp_practice",
    "preferred_language",
    "language_note",
    "interpreter_needed",
    "primary_condition",
    "pain_onset",
)

IDENTIFIER_IN_USE = gettext_noop("This identifier is already in use.")
TRANSITION_NOT_ALLOWED = gettext_noop("An episode that is {current} cannot become {target}.")
DISCHARGE_NEEDS_REASON = gettext_noop("A discharge needs a date and a reason.")
TRANSITION_BEFORE_REFERRAL = gettext_noop(
    "A status cannot change before the referral date ({referral})."
)


# Someone else saved the record after this form was opened (painclinic/concurrency.py).
EditConflict = concurrency.EditConflict


def _check_identifier_free(identifier: str, exclude_pk=None) -> None:
    """Identifiers are unique whatever their case (constraint patient_identifier_unique_ci); the
    form says so first, this keeps a service call from reaching the database error."""
    others = Patient.objects.filter(identifier__iexact=identifier.strip())
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if others.exists():
        raise ValidationError({"identifier": gettext(IDENTIFIER_IN_USE)})


def _field_error(field: str, validator, value, **kwargs) -> None:
    """Run a painclinic.validators rule and name the field in its error, so a form that calls
    the service shows the message beside the field."""
    try:
        validator(value, **kwargs)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from None


def _check_patient_dates(data: dict[str, Any]) -> None:
    """The same plausibility rules as the patient forms (painclinic.validators)."""
    born = data.get("date_of_birth")
    _field_error("date_of_birth", validate_birth_date, born)
    _field_error(
        "pain_onset", validate_history_date, data.get("pain_onset"), born=born, what="Pain onset"
    )


@transaction.atomic
def patient_register(
    *,
    actor: User,
    team: Team,
    lead_clinician: User,
    patient_data: dict[str, Any],
    referral_date: date,
    referral_source: str,
    referral_reason: str,
) -> Patient:
    """Register a patient with their first episode (status: referred).

    The lead clinician joins the care team, and so does the registering user when they give
    clinical care, so the new record is at once on their caseload. A programme admin who
    registers a referral does not join it (issue #9: registering is not a way into the record).
    """
    check_may_give_clinical_care(lead_clinician)
    data = {k: v for k, v in patient_data.items() if k in PATIENT_EDITABLE_FIELDS}
    _check_identifier_free(data.get("identifier", ""))
    _check_patient_dates(data)
    patient = Patient.objects.create(created_by=actor, **data)
    audit.record_event(actor=actor, action=AuditAction.CREATE, patient=patient, obj=patient)
    episode_open(
        actor=actor,
        patient=patient,
        team=team,
        lead_clinician=lead_clinician,
        referral_date=referral_date,
        referral_source=referral_source,
        referral_reason=referral_reason,
    )
    return patient


@transaction.atomic
def episode_open(
    *,
    actor: User,
    patient: Patient,
    team: Team,
    lead_clinician: User,
    referral_date: date,
    referral_source: str,
    referral_reason: str,
) -> Episode:
    check_may_give_clinical_care(lead_clinician)
    _field_error(
        "referral_date",
        past_clinical_date,
        referral_date,
        born=patient.date_of_birth,
        what="The referral date",
    )
    episode = Episode.objects.create(
        patient=patient,
        team=team,
        referral_date=referral_date,
        referral_source=referral_source,
        referral_reason=referral_reason,
        status=EpisodeStatus.REFERRED,
        status_since=referral_date,
        lead_clinician=lead_clinician,
    )
    EpisodeStatusChange.objects.create(
        episode=episode,
        from_status="",
        to_status=EpisodeStatus.REFERRED,
        changed_on=referral_date,
        changed_by=actor,
        note="Referral received",
    )
    for member in {lead_clinician, actor}:
        if may_give_clinical_care(member):
            CareTeamMember.objects.get_or_create(episode=episode, user=member)
    audit.record_event(actor=actor, action=AuditAction.CREATE, patient=patient, obj=episode)
    return episode


@transaction.atomic
def patient_update(
    *, actor: User, patient: Patient, data: dict[str, Any], expected_version: int
) -> Patient:
    """Save demographic changes unless someone else saved first.

    Optimistic concurrency: the UPDATE only matches the version the form was opened with, so a
    second simultaneous save raises EditConflict instead of silently overwriting (security.md E3).
    Row locking (select_for_update) is not used because the form round trip spans two requests.
    """
    changes = {
        field: data[field]
        for field in PATIENT_EDITABLE_FIELDS
        if field in data and getattr(patient, field) != data[field]
    }
    current = Patient.objects.select_for_update(no_key=True).get(pk=patient.pk)
    concurrency.check_version(
        current,
        expected_version,
        [f for f in PATIENT_EDITABLE_FIELDS if f in data and getattr(current, f) != data[f]],
    )
    if not changes:
        return current
    if "identifier" in changes:
        _check_identifier_free(changes["identifier"], exclude_pk=current.pk)
    if {"date_of_birth", "pain_onset"} & set(changes):
        _check_patient_dates(
            {
                "date_of_birth": changes.get("date_of_birth", current.date_of_birth),
                "pain_onset": changes.get("pain_onset", current.pain_onset),
            }
        )
    for field, value in changes.items():
        setattr(current, field, value)
    current.version = expected_version + 1
    current.save(update_fields=[*changes, "version", "updated_at"])
    audit.record_event(
        actor=actor,
        action=AuditAction.CHANGE,
        patient=current,
        obj=current,
        changed_fields=list(changes),
    )
    return current


@transaction.atomic
def episode_change_status(
    *,
    actor: User,
    episode: Episode,
    to_status: str,
    changed_on: date,
    note: str = "",
    discharge_reason: str = "",
) -> Episode:
    """Move an episode along its state machine, keeping a dated history."""
    episode = Episode.objects.select_for_update(no_key=True).get(pk=episode.pk)
    if to_status not in EPISODE_TRANSITIONS[episode.status]:
        raise ValidationError(
            gettext(TRANSITION_NOT_ALLOWED).format(
                current=EpisodeStatus(episode.status).label.lower(),
                target=EpisodeStatus(to_status).label.lower(),
            )
        )
    if changed_on < episode.referral_date:
        raise ValidationError(
            gettext(TRANSITION_BEFORE_REFERRAL).format(
                referral=episode.referral_date.strftime("%d %b %Y")
            )
        )
    _field_error(
        "changed_on",
        past_clinical_date,
        changed_on,
        born=episode.patient.date_of_birth,
        what="The date",
    )
    if to_status == EpisodeStatus.DISCHARGED:
        if not discharge_reason:
            raise ValidationError(gettext(DISCHARGE_NEEDS_REASON))
        episode.discharge_date = changed_on
        episode.discharge_reason = discharge_reason
    EpisodeStatusChange.objects.create(
        episode=episode,
        from_status=episode.status,
        to_status=to_status,
        changed_on=changed_on,
        changed_by=actor,
        note=note,
    )
    episode.status = to_status
    episode.status_since = changed_on
    episode.save(update_fields=["status", "status_since", "discharge_date", "discharge_reason"])
    if to_status == EpisodeStatus.DISCHARGED:
        follow_ups_schedule(episode=episode)
    audit.record_event(
        actor=actor,
        action=AuditAction.CHANGE,
        patient=episode.patient,
        obj=episode,
        changed_fields=["status"],
    )
    return episode


@transaction.atomic
def contact_record(*, actor: User, episode: Episode, data: dict[str, Any]) -> Contact:
    _field_error(
        "date",
        past_clinical_date,
        data["date"],
        born=episode.patient.date_of_birth,
        not_before=episode.referral_date,
        not_before_label="the referral",
        what="The contact date",
    )
    contact = Contact.objects.create(
        episode=episode,
        date=data["date"],
        contact_type=data["contact_type"],
        duration_minutes=data["duration_minutes"],
        clinician=data.get("clinician") or actor,
        note=data.get("note", ""),
    )
    # A first contact makes a waiting or referred episode active.
    if episode.status in (EpisodeStatus.REFERRED, EpisodeStatus.WAITING):
        episode_change_status(
            actor=actor,
            episode=episode,
            to_status=EpisodeStatus.ACTIVE,
            changed_on=max(contact.date, episode.referral_date),
            note="First contact",
        )
    audit.record_event(actor=actor, action=AuditAction.CREATE, patient=episode.patient, obj=contact)
    return contact


@transaction.atomic
def episode_set_review_date(
    *,
    actor: User,
    episode: Episode,
    next_review_due: date | None,
    edit_token: str | None = None,
) -> Episode:
    """Set the next review date; with ``edit_token`` (the form's), refused with EditConflict
    when someone changed it since the form was opened (painclinic/concurrency.py)."""
    episode = concurrency.locked_for_edit(
        Episode.objects.select_related("patient"),
        episode.pk,
        ("next_review_due",),
        edit_token,
        {"next_review_due": next_review_due},
    )
    _field_error(
        "next_review_due",
        planned_clinical_date,
        next_review_due,
        not_before=episode.referral_date,
        not_before_label="the referral",
        what="The next review",
    )
    episode.next_review_due = next_review_due
    episode.save(update_fields=["next_review_due"])
    audit.record_event(
        actor=actor,
        action=AuditAction.CHANGE,
        patient=episode.patient,
        obj=episode,
        changed_fields=["next_review_due"],
    )
    return episode


# --- The care team, the lead handover, re-referral and follow-up calls (issue #13) ------------

CARE_TEAM_NOT_YOURS = gettext_noop(
    "Only the lead clinician or the team lead can change this care team."
)
CARE_TEAM_CLOSED = gettext_noop("This episode is discharged: its care team stays as it was.")
CARE_TEAM_ALREADY = gettext_noop("{name} is already on the care team.")
CARE_TEAM_NOT_MEMBER = gettext_noop("{name} is not on the care team.")
CARE_TEAM_LEAD_STAYS = gettext_noop(
    "{name} leads this episode: hand over the lead before removing them."
)
HANDOVER_NOT_YOURS = gettext_noop(
    "Only the lead clinician or the team lead can hand over the lead."
)
REREFER_OPEN = gettext_noop(
    "{name} already has an open episode (referred {referred}, {status}). A new episode can be "
    "opened once it is discharged."
)
REREFER_BEFORE_DISCHARGE = gettext_noop("The referral cannot be before the last discharge ({day}).")
REREFER_NO_EPISODE = gettext_noop("{name} has no earlier episode: register the referral instead.")

# Follow-up telephone calls after discharge at 2, 6 and 12 weeks: a clinic convention, not a
# published standard [U design]; a team changes the calls of an episode on its follow-up page.
FOLLOW_UP_WEEKS = (2, 6, 12)
FOLLOW_UP_NOT_DISCHARGED = gettext_noop("Follow-up calls are for an episode after its discharge.")
FOLLOW_UP_NEEDS_DATE = gettext_noop("Give the date of the call.")
FOLLOW_UP_NEEDS_NEW_DATE = gettext_noop("Give the new date for the rescheduled call.")
FOLLOW_UP_CALLER_NOT_IN_TEAM = gettext_noop("{name} is not one of the clinicians of {team}.")


def may_manage_care_team(actor: User, episode: Episode) -> bool:
    """The lead clinician of the episode and the lead of its team change its care team and hand
    over its lead (issue #13); other members see it."""
    if not may_give_clinical_care(actor):
        return False
    return episode.lead_clinician_id == actor.pk or _leads_team(actor, episode)


def _record_care_team_change(*, actor: User, episode: Episode, member: User, kind: str) -> None:
    CareTeamChange.objects.create(
        episode=episode, member=member, kind=kind, changed_by=actor, changed_on=date.today()
    )


def _check_in_team(episode: Episode, user: User) -> None:
    if not Membership.objects.filter(team_id=episode.team_id, user=user).exists():
        raise ValidationError(gettext(REASSIGN_NOT_IN_TEAM).format(name=user, team=episode.team))


@transaction.atomic
def care_team_add(*, actor: User, episode: Episode, member: User) -> CareTeamMember:
    """Add a clinician of the episode's team to its care team: they can open the record. Only a
    clinician (``may_give_clinical_care``: never a programme admin) joins; only the lead
    clinician or the team lead adds; the episode row is locked so two additions queue."""
    episode = (
        Episode.objects.select_for_update(no_key=True)
        .select_related("team", "patient")
        .get(pk=episode.pk)
    )
    check_may_give_clinical_care(member)
    if not may_manage_care_team(actor, episode):
        raise ValidationError(gettext(CARE_TEAM_NOT_YOURS), code="not_yours")
    if not episode.is_open:
        raise ValidationError(gettext(CARE_TEAM_CLOSED))
    _check_in_team(episode, member)
    place, created = CareTeamMember.objects.get_or_create(episode=episode, user=member)
    if not created:
        raise ValidationError(gettext(CARE_TEAM_ALREADY).format(name=member), code="already")
    _record_care_team_change(
        actor=actor, episode=episode, member=member, kind=CareTeamChangeKind.ADDED
    )
    audit.record_event(
        actor=actor,
        action=AuditAction.CHANGE,
        patient=episode.patient,
        obj=episode,
        changed_fields=["care_team"],
    )
    return place


@transaction.atomic
def care_team_remove(*, actor: User, episode: Episode, member: User) -> None:
    """Take a member off the care team (not the lead clinician: the lead is handed over first).
    Their place ends; the history keeps that they were on it (``CareTeamChange``)."""
    episode = (
        Episode.objects.select_for_update(no_key=True)
        .select_related("team", "patient")
        .get(pk=episode.pk)
    )
    if not may_manage_care_team(actor, episode):
        raise ValidationError(gettext(CARE_TEAM_NOT_YOURS), code="not_yours")
    if not episode.is_open:
        raise ValidationError(gettext(CARE_TEAM_CLOSED))
    if episode.lead_clinician_id == member.pk:
        raise ValidationError(gettext(CARE_TEAM_LEAD_STAYS).format(name=member), code="lead")
    deleted, _ = CareTeamMember.objects.filter(episode=episode, user=member).delete()
    if not deleted:
        raise ValidationError(gettext(CARE_TEAM_NOT_MEMBER).format(name=member), code="not_member")
    _record_care_team_change(
        actor=actor, episode=episode, member=member, kind=CareTeamChangeKind.REMOVED
    )
    audit.record_event(
        actor=actor,
        action=AuditAction.CHANGE,
        patient=episode.patient,
        obj=episode,
        changed_fields=["care_team"],
    )


def _move_lead(
    *, actor: User, episode: Episode, to_clinician: User, keep: bool, note: str = ""
) -> LeadChange:
    """The one way the lead moves (a team lead's reassignment, a clinician's handover): the new
    lead joins the care team; the previous lead stays on it unless ``keep`` is False."""
    _check_in_team(episode, to_clinician)
    if episode.lead_clinician_id == to_clinician.pk:
        raise ValidationError(gettext(REASSIGN_SAME).format(name=to_clinician))
    check_may_give_clinical_care(to_clinician)
    previous = episode.lead_clinician
    episode.lead_clinician = to_clinician
    episode.save(update_fields=["lead_clinician"])
    _, joined = CareTeamMember.objects.get_or_create(episode=episode, user=to_clinician)
    if joined:
        _record_care_team_change(
            actor=actor, episode=episode, member=to_clinician, kind=CareTeamChangeKind.ADDED
        )
    if not keep and previous.pk != actor.pk:
        removed, _ = CareTeamMember.objects.filter(episode=episode, user=previous).delete()
        if removed:
            _record_care_team_change(
                actor=actor, episode=episode, member=previous, kind=CareTeamChangeKind.REMOVED
            )
    return LeadChange.objects.create(
        episode=episode,
        from_lead=previous,
        to_lead=to_clinician,
        changed_by=actor,
        changed_on=date.today(),
        previous_lead_kept=CareTeamMember.objects.filter(episode=episode, user=previous).exists(),
        note=note.strip(),
    )


@transaction.atomic
def lead_handover(
    *,
    actor: User,
    episode: Episode,
    to_clinician: User,
    note: str = "",
    keep_previous_lead: bool = True,
    edit_token: str | None = None,
) -> LeadChange:
    """The lead clinician (or the team lead) hands the episode's lead to another clinician of the
    team, with a note for them. Recorded as a LeadChange (on the timeline, with the note) and an
    audit event REASSIGN. With ``edit_token`` (the form's), refused with EditConflict when the
    lead changed since the form was opened: two handovers at once do not both go through."""
    episode = concurrency.locked_for_edit(
        Episode.objects.select_related("team", "patient"),
        episode.pk,
        ("lead_clinician",),
        edit_token,
        {"lead_clinician": to_clinician},
    )
    if not may_manage_care_team(actor, episode):
        raise ValidationError(gettext(HANDOVER_NOT_YOURS), code="not_yours")
    if not episode.is_open:
        raise ValidationError(gettext(REASSIGN_CLOSED))
    change = _move_lead(
        actor=actor,
        episode=episode,
        to_clinician=to_clinician,
        keep=keep_previous_lead,
        note=note,
    )
    audit.record_event(
        actor=actor,
        action=AuditAction.REASSIGN,
        patient=episode.patient,
        obj=episode,
        changed_fields=["lead_clinician", "care_team"],
    )
    return change


@transaction.atomic
def episode_rerefer(
    *,
    actor: User,
    patient: Patient,
    lead_clinician: User,
    referral_date: date,
    referral_source: str,
    referral_reason: str,
) -> Episode:
    """A new episode for a discharged patient (a re-referral), in the team of the last episode.
    Refused while an episode is open; the earlier episodes stay as they were (history). The
    patient row is locked so two re-referrals at once make one episode."""
    patient = Patient.objects.select_for_update(no_key=True).get(pk=patient.pk)
    episodes = Episode.objects.filter(patient=patient).select_related("team")
    open_episode = episodes.open().order_by(*Episode._meta.ordering).first()
    if open_episode is not None:
        raise ValidationError(
            gettext(REREFER_OPEN).format(
                name=patient.full_name,
                referred=open_episode.referral_date.strftime("%d %b %Y"),
                status=open_episode.get_status_display().lower(),
            ),
            code="open_episode",
        )
    last = episodes.order_by("-discharge_date", "-id").first()
    if last is None:
        raise ValidationError(gettext(REREFER_NO_EPISODE).format(name=patient.full_name))
    if (
        referral_date is not None
        and last.discharge_date is not None
        and referral_date < last.discharge_date
    ):
        raise ValidationError(
            {
                "referral_date": gettext(REREFER_BEFORE_DISCHARGE).format(
                    day=last.discharge_date.strftime("%d %b %Y")
                )
            }
        )
    _check_in_team(last, lead_clinician)
    return episode_open(
        actor=actor,
        patient=patient,
        team=last.team,
        lead_clinician=lead_clinician,
        referral_date=referral_date,
        referral_source=referral_source,
        referral_reason=referral_reason,
    )


def follow_ups_schedule(*, episode: Episode) -> list[FollowUpCall]:
    """The follow-up calls of a discharged episode (FOLLOW_UP_WEEKS after the discharge date),
    made by the lead clinician; called inside the discharge's transaction. None without a
    discharge date (nothing to count the weeks from)."""
    if episode.discharge_date is None:
        return []
    discharged = episode.discharge_date
    calls = [
        FollowUpCall(
            episode=episode,
            due_on=discharged + timedelta(weeks=weeks),
            caller_id=episode.lead_clinician_id,
        )
        for weeks in FOLLOW_UP_WEEKS
    ]
    return FollowUpCall.objects.bulk_create(calls)


FOLLOW_UP_FIELDS = ("due_on", "caller", "outcome", "called_on", "notes")


def _check_follow_up(
    episode: Episode, *, due_on: date | None, caller: User | None, errors: dict
) -> None:
    if episode.is_open or episode.discharge_date is None:
        raise ValidationError(gettext(FOLLOW_UP_NOT_DISCHARGED))
    if due_on is None:
        errors.setdefault("due_on", []).append(gettext("Give the date the call is due."))
    else:
        try:
            planned_clinical_date(
                due_on,
                not_before=episode.discharge_date,
                not_before_label="the discharge",
                what="The call",
            )
        except ValidationError as exc:
            errors.setdefault("due_on", []).extend(exc.messages)
    if caller is None:
        errors.setdefault("caller", []).append(gettext("Say who makes the call."))
    elif not may_give_clinical_care(caller) or not (
        Membership.objects.filter(team_id=episode.team_id, user=caller).exists()
    ):
        errors.setdefault("caller", []).append(
            gettext(FOLLOW_UP_CALLER_NOT_IN_TEAM).format(name=caller, team=episode.team)
        )


@transaction.atomic
def follow_up_add(
    *, actor: User, episode: Episode, due_on: date | None, caller: User | None
) -> FollowUpCall:
    """One more follow-up call for a discharged episode."""
    check_may_give_clinical_care(actor)
    episode = Episode.objects.select_related("team", "patient").get(pk=episode.pk)
    errors: dict[str, list[str]] = {}
    _check_follow_up(episode, due_on=due_on, caller=caller, errors=errors)
    if errors:
        raise ValidationError(errors)
    call = FollowUpCall.objects.create(episode=episode, due_on=due_on, caller=caller)
    audit.record_event(
        actor=actor,
        action=AuditAction.CREATE,
        patient=episode.patient,
        obj=call,
        changed_fields=["due_on", "caller"],
    )
    return call


@transaction.atomic
def follow_up_update(
    *,
    actor: User,
    call: FollowUpCall,
    data: dict[str, Any],
    edit_token: str | None = None,
) -> FollowUpCall:
    """Record a call's outcome or change its date or caller. An outcome needs the date of the
    call; "rescheduled" needs the new date, and the new call is added to the schedule (the
    rescheduled one keeps its outcome and notes). With ``edit_token`` (the form's), refused with
    EditConflict when someone saved this call since the form was opened."""
    check_may_give_clinical_care(actor)
    call = concurrency.locked_for_edit(
        FollowUpCall.objects.select_related("episode__team", "episode__patient"),
        call.pk,
        FOLLOW_UP_FIELDS,
        edit_token,
        data,
    )
    episode = call.episode
    errors: dict[str, list[str]] = {}
    _check_follow_up(episode, due_on=data.get("due_on"), caller=data.get("caller"), errors=errors)
    outcome = data.get("outcome") or ""
    called_on = data.get("called_on")
    new_due_on = data.get("new_due_on")
    if outcome and outcome not in FollowUpOutcome.values:
        errors["outcome"] = [gettext("Choose reached, not reached or rescheduled.")]
    if outcome and called_on is None:
        errors["called_on"] = [gettext(FOLLOW_UP_NEEDS_DATE)]
    if called_on is not None:
        try:
            past_clinical_date(
                called_on,
                not_before=episode.discharge_date,
                not_before_label="the discharge",
                what="The call",
            )
        except ValidationError as exc:
            errors["called_on"] = exc.messages
    if outcome == FollowUpOutcome.RESCHEDULED and not new_due_on:
        errors["new_due_on"] = [gettext(FOLLOW_UP_NEEDS_NEW_DATE)]
    elif outcome == FollowUpOutcome.RESCHEDULED:
        try:
            planned_clinical_date(
                new_due_on,
                not_before=called_on or episode.discharge_date,
                not_before_label="the call",
                what="The new date",
            )
        except ValidationError as exc:
            errors["new_due_on"] = exc.messages
    if errors:
        raise ValidationError(errors)
    call.due_on = data["due_on"]
    call.caller = data["caller"]
    call.outcome = outcome
    call.called_on = called_on
    call.notes = (data.get("notes") or "").strip()
    call.save()
    audit.record_event(
        actor=actor,
        action=AuditAction.CHANGE,
        patient=episode.patient,
        obj=call,
        changed_fields=list(FOLLOW_UP_FIELDS),
    )
    if outcome == FollowUpOutcome.RESCHEDULED:
        follow_up_add(actor=actor, episode=episode, due_on=new_due_on, caller=call.caller)
    return call


# --- Caseload review (issue #6) ------------------------------------------------------------

REASSIGN_NOT_TEAM_LEAD = gettext_noop("Only the lead of this patient's team can reassign them.")
REASSIGN_NOT_IN_TEAM = gettext_noop("{name} is not a member of {team}.")
REASSIGN_SAME = gettext_noop("{name} already leads this episode.")
REASSIGN_CLOSED = gettext_noop("A discharged episode cannot be reassigned.")
NOTE_EMPTY = gettext_noop("Write the note for the clinician.")


def _leads_team(actor: User, episode: Episode) -> bool:
    return (
        actor.is_active
        and actor.role == Role.TEAM_LEAD
        and Membership.objects.filter(team_id=episode.team_id, user=actor).exists()
    )


@transaction.atomic
def patient_reassign(
    *,
    actor: User,
    episode: Episode,
    to_clinician: User,
    note: str = "",
    keep_previous_lead: bool = True,
) -> Episode:
    """A team lead moves an episode to another clinician of the team: the new clinician becomes
    lead and joins the care team. The previous lead stays on the care team unless the team lead
    explicitly removes them (they may be the recipient of review notes about this patient: a
    silent removal cut them off). The change is a LeadChange row (on the patient's timeline)
    and an audit event REASSIGN."""
    episode = (
        Episode.objects.select_for_update(no_key=True).select_related("team").get(pk=episode.pk)
    )
    if not _leads_team(actor, episode):
        raise ValidationError(gettext(REASSIGN_NOT_TEAM_LEAD))
    if not episode.is_open:
        raise ValidationError(gettext(REASSIGN_CLOSED))
    _move_lead(actor=actor, episode=episode, to_clinician=to_clinician, keep=keep_previous_lead)
    if note.strip():
        ReviewNote.objects.create(
            episode=episode, author=actor, addressed_to=to_clinician, text=note.strip()
        )
    audit.record_event(
        actor=actor,
        action=AuditAction.REASSIGN,
        patient=episode.patient,
        obj=episode,
        changed_fields=["lead_clinician", "care_team"],
    )
    return episode


@transaction.atomic
def review_note_add(*, actor: User, episode: Episode, text: str) -> ReviewNote:
    if not _leads_team(actor, episode):
        raise ValidationError(gettext(REASSIGN_NOT_TEAM_LEAD))
    if not text.strip():
        raise ValidationError(gettext(NOTE_EMPTY))
    note = ReviewNote.objects.create(
        episode=episode, author=actor, addressed_to=episode.lead_clinician, text=text.strip()
    )
    audit.record_event(actor=actor, action=AuditAction.CREATE, patient=episode.patient, obj=note)
    return note


NOTE_NOT_YOURS = gettext_noop("Only the clinician the note is addressed to can mark it as read.")


@transaction.atomic
def review_note_acknowledge(*, actor: User, note: ReviewNote) -> ReviewNote:
    """The clinician marks a review note read: it leaves their caseload's list of notes and shows
    as read on the record. Idempotent (a second click changes nothing); audited."""
    from django.utils import timezone

    note = (
        ReviewNote.objects.select_for_update(no_key=True)
        .select_related("episode__patient")
        .get(pk=note.pk)
    )
    if note.addressed_to_id != actor.pk:
        raise ValidationError(gettext(NOTE_NOT_YOURS))
    if note.acknowledged_at is None:
        note.acknowledged_at = timezone.now()
        note.save(update_fields=["acknowledged_at"])
        audit.record_event(
            actor=actor,
            action=AuditAction.CHANGE,
            patient=note.episode.patient,
            obj=note,
            changed_fields=["acknowledged_at"],
        )
    return note


@transaction.atomic
def team_settings_update(
    *, actor: User, team: Team, review_interval_days: int, no_improvement_after_weeks: int
) -> TeamSettings:
    row, _ = TeamSettings.objects.update_or_create(
        team=team,
        defaults={
            "review_interval_days": review_interval_days,
            "no_improvement_after_weeks": no_improvement_after_weeks,
        },
    )
    audit.record_event(
        actor=actor,
        action=AuditAction.CHANGE,
        obj=row,
        changed_fields=["review_interval_days", "no_improvement_after_weeks"],
    )
    return row


# --- Consent and safeguarding (issue #10) -----------------------------------------------------

CONSENT_MISSING = gettext_noop(
    "{name} has no consent in force for {what}. Record the patient's consent first."
)
CONSENT_WHAT = {
    ConsentKind.PATIENT_LINKS: "questionnaire and diary links by e-mail or text message",
    ConsentKind.GP_SHARING: "sharing information with the GP",
    ConsentKind.RESEARCH: "use of their data in anonymised research",
    ConsentKind.TREATMENT: "treatment",
    ConsentKind.GROUP_CONFIDENTIALITY: "group confidentiality in a programme",
}


def consent_in_force(patient: Patient, kind: str) -> bool:
    """The latest decision of this kind is "given" (a later withdrawal or refusal ends it)."""
    latest = (
        ConsentRecord.objects.filter(patient=patient, kind=kind)
        .order_by("-decided_on", "-recorded_at", "-id")
        .values_list("state", flat=True)
        .first()
    )
    return latest == ConsentState.GIVEN


def consent_require(patient: Patient, kind: str) -> None:
    """Refuse what needs consent (a link to the patient, a letter to the GP) without it."""
    if not consent_in_force(patient, kind):
        raise ValidationError(
            gettext(CONSENT_MISSING).format(name=patient.full_name, what=CONSENT_WHAT[kind]),
            code="consent_missing",
        )


@transaction.atomic
def consent_record(
    *,
    actor: User,
    patient: Patient,
    kind: str,
    state: str,
    decided_on: date | None,
    note: str = "",
) -> ConsentRecord:
    """Record a consent decision. A withdrawal is recorded like any other decision: the earlier
    records stay; a withdrawal needs consent in force to withdraw."""
    errors: dict[str, list[str]] = {}
    if kind not in ConsentKind.values:
        errors["kind"] = [gettext("Choose what the consent is for.")]
    if state not in ConsentState.values:
        errors["state"] = [gettext("Choose given, declined or withdrawn.")]
    if decided_on is None:
        errors["decided_on"] = [gettext("Give the date.")]
    else:
        _field_error("decided_on", past_clinical_date, decided_on)
    if not errors and state == ConsentState.WITHDRAWN and not consent_in_force(patient, kind):
        errors["state"] = [gettext("There is no consent in force to withdraw.")]
    if errors:
        raise ValidationError(errors)
    record = ConsentRecord.objects.create(
        patient=patient,
        kind=kind,
        state=state,
        decided_on=decided_on,
        note=note.strip(),
        recorded_by=actor,
    )
    audit.record_event(
        actor=actor,
        action=AuditAction.CREATE,
        patient=patient,
        obj=record,
        changed_fields=["kind", "state", "decided_on"],
    )
    return record


SAFEGUARDING_FIELDS = (
    "raised_on",
    "raised_by",
    "category",
    "concern",
    "actions",
    "referred_to",
    "referred_on",
    "reference",
)


@transaction.atomic
def safeguarding_concern_raise(
    *, actor: User, patient: Patient, data: dict[str, Any]
) -> SafeguardingConcern:
    check_may_give_clinical_care(actor)
    errors: dict[str, list[str]] = {}
    if data.get("referred_to") and not data.get("referred_on"):
        errors["referred_on"] = [gettext("Give the date of the referral.")]
    if data.get("referred_on") and not data.get("referred_to"):
        errors["referred_to"] = [gettext("Say whom the concern was referred to.")]
    if (
        data.get("referred_on")
        and data.get("raised_on")
        and data["referred_on"] < data["raised_on"]
    ):
        errors["referred_on"] = [gettext("The referral cannot be before the concern was raised.")]
    if errors:
        raise ValidationError(errors)
    concern = SafeguardingConcern.objects.create(
        patient=patient,
        recorded_by=actor,
        **{f: data.get(f) or ("" if f != "referred_on" else None) for f in SAFEGUARDING_FIELDS},
    )
    audit.record_event(
        actor=actor,
        action=AuditAction.CREATE,
        patient=patient,
        obj=concern,
        changed_fields=list(SAFEGUARDING_FIELDS),
    )
    return concern


@transaction.atomic
def safeguarding_concern_close(
    *, actor: User, concern: SafeguardingConcern, closed_on: date | None, note: str
) -> SafeguardingConcern:
    check_may_give_clinical_care(actor)
    concern = SafeguardingConcern.objects.select_for_update(no_key=True).get(pk=concern.pk)
    if not concern.is_open:
        raise ValidationError(gettext("This concern is already closed."))
    errors: dict[str, list[str]] = {}
    if closed_on is None:
        errors["closed_on"] = [gettext("Give the date it was closed.")]
    elif closed_on < concern.raised_on:
        errors["closed_on"] = [gettext("It cannot be closed before it was raised.")]
    if not note.strip():
        errors["closing_note"] = [gettext("Say why it is closed (the outcome).")]
    if errors:
        raise ValidationError(errors)
    concern.closed_on = closed_on
    concern.closing_note = note.strip()
    concern.closed_by = actor
    concern.save(update_fields=["closed_on", "closing_note", "closed_by"])
    audit.record_event(
        actor=actor,
        action=AuditAction.CHANGE,
        patient=concern.patient,
        obj=concern,
        changed_fields=["closed_on", "closing_note"],
    )
    return concern


# --- Triage and the MDT agenda (issue #13) ----------------------------------------------------

TRIAGE_FIELDS = ("urgency", "pathway")


@transaction.atomic
def episode_triage(
    *, actor: User, episode: Episode, urgency: str, pathway: str, edit_token: str | None = None
) -> Episode:
    """Triage a referral: its urgency and pathway (the waiting list sorts and filters on them).
    With ``edit_token``, refused with EditConflict when someone triaged it meanwhile."""
    episode = concurrency.locked_for_edit(
        Episode.objects.select_related("patient"),
        episode.pk,
        TRIAGE_FIELDS,
        edit_token,
        {"urgency": urgency, "pathway": pathway},
    )
    changed = [
        name
        for name, value in (("urgency", urgency), ("pathway", pathway))
        if getattr(episode, name) != value
    ]
    episode.urgency, episode.pathway = urgency, pathway
    episode.save(update_fields=list(TRIAGE_FIELDS))
    audit.record_event(
        actor=actor,
        action=AuditAction.CHANGE,
        patient=episode.patient,
        obj=episode,
        changed_fields=changed,
    )
    return episode


def has_open_episode(patient: Patient) -> bool:
    return Episode.objects.filter(patient=patient, status__in=OPEN_STATUSES).exists()


MDT_REASON_EMPTY = gettext_noop("Say what the team should discuss.")
MDT_NO_OPEN_EPISODE = gettext_noop(
    "The patient has no open episode with a team, so no MDT to take them."
)


@transaction.atomic
def mdt_flag_raise(
    *, actor: User, patient: Patient, reason: str, source: str = MdtFlagSource.RECORD
) -> MdtFlag:
    """Put the patient on the agenda of their team's MDT (the team of the open episode). A
    patient already waiting for the MDT keeps one flag: the new reason is added to it. Any
    clinical app may call this (the PMP suitability screen's "discuss at the MDT" does)."""
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError({"reason": gettext(MDT_REASON_EMPTY)})
    episode = (
        Episode.objects.filter(patient=patient, status__in=OPEN_STATUSES)
        .order_by("-referral_date", "-id")
        .first()
    )
    if episode is None:
        raise ValidationError(gettext(MDT_NO_OPEN_EPISODE))
    flag = (
        MdtFlag.objects.select_for_update(no_key=True)
        .filter(patient=patient, team_id=episode.team_id, taken_at__isnull=True)
        .first()
    )
    if flag is None:
        flag = MdtFlag.objects.create(
            patient=patient,
            team_id=episode.team_id,
            reason=reason[:500],
            source=source,
            raised_by=actor,
        )
        action = AuditAction.CREATE
    else:
        if reason not in flag.reason:
            flag.reason = f"{flag.reason}; {reason}"[:500]
            flag.save(update_fields=["reason"])
        action = AuditAction.CHANGE
    audit.record_event(
        actor=actor, action=action, patient=patient, obj=flag, changed_fields=["reason"]
    )
    return flag
