"""Writes for PMP programmes and cohorts. Each service runs in one transaction and writes its
audit event inside it (STYLE.md §3.2). Never log clinical content: field names only."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from assessment import instruments
from assessment import services as assessment_services
from painclinic import audit, concurrency
from painclinic.models import AuditAction
from patients import services as patient_services
from patients.models import Episode, MdtFlagSource
from programmes import policy, standards, suitability
from programmes.models import (
    ENROLMENT_TRANSITIONS,
    Attendance,
    Cohort,
    Component,
    Enrolment,
    EnrolmentState,
    EnrolmentStateChange,
    GroupClimateAmendment,
    GroupClimateRating,
    OutcomeScore,
    OutcomeScoreAmendment,
    Programme,
    ProgrammeMeasure,
    ProgrammeSession,
    SessionLength,
    StaffMember,
    SuitabilityScreening,
    outcome_value_problem,
    past_date_problem,
    planned_date_problem,
    session_date_problem,
)
from programmes.policy import programmes_open_to_referral

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from painclinic.models import Team, User
    from patients.models import Patient

TRANSITION_NOT_ALLOWED = gettext_noop("An enrolment that is {current} cannot become {target}.")
WITHDRAWAL_NEEDS_REASON = gettext_noop("A withdrawal needs a reason.")
OFFER_NEEDS_COHORT = gettext_noop("An offer names the cohort the place is in.")
OFFER_NEEDS_SCREENING = gettext_noop("Record the suitability screening before offering a place.")
NOT_ELIGIBLE = gettext_noop(
    "The latest screening found the patient not eligible for this programme."
)
COHORT_FULL = gettext_noop("The cohort is full ({capacity} places).")
COHORT_OTHER_PROGRAMME = gettext_noop("That cohort belongs to another programme.")
ALREADY_REFERRED = gettext_noop("The patient already has an open referral to this programme.")
NOT_THIS_TEAMS_PROGRAMME = gettext_noop(
    "This programme is run by another team: refer the patient only to a programme of their "
    "care team."
)
BEFORE_REFERRAL = gettext_noop(
    "A change cannot be dated before the referral ({referred:%d %b %Y})."
)
SCREENING_IN_STATE = gettext_noop("Screening is recorded for referred or screened patients only.")
NOT_A_PARTICIPANT = gettext_noop(
    "Attendance and ratings are recorded for enrolled participants only."
)
UNKNOWN_COMPONENT = gettext_noop("Unknown programme component: {value}.")
SESSION_HOURS = gettext_noop("A session has between 0.5 and 12 hours of input.")
TOO_MANY_WEEKS = gettext_noop("Repeat a session for at most 26 weeks.")
GCQS_UNSCORABLE = gettext_noop("The GCQ-S cannot be scored: {reason}")
FUTURE_SESSION = gettext_noop(
    "The session on {day:%d %b %Y} has not happened yet: record it on the day or after."
)
ALREADY_RECORDED = gettext_noop(
    "{what} is already recorded for {name} (entered by {by} on {on:%d %b %Y}). To change it, "
    "give the reason for the amendment; the earlier version is kept."
)
COMPLETED_BEFORE_START = gettext_noop(
    "Completion cannot be dated before the cohort starts ({start:%d %b %Y})."
)
OPEN_STATES = (
    EnrolmentState.REFERRED,
    EnrolmentState.SCREENED,
    EnrolmentState.OFFERED,
    EnrolmentState.ENROLLED,
)
PARTICIPANT_STATES = (EnrolmentState.ENROLLED, EnrolmentState.COMPLETED, EnrolmentState.WITHDRAWN)
DEFAULT_HOURS = {SessionLength.MORNING: 3, SessionLength.AFTERNOON: 3, SessionLength.FULL_DAY: 6}


@transaction.atomic
def programme_create(
    *, actor: User, team: Team, name: str, kind: str, description: str = ""
) -> Programme:
    programme = Programme(team=team, name=name, kind=kind, description=description)
    programme.full_clean()  # the admin's rules: a name once per team, whatever the case
    programme.save()
    audit.record_event(actor=actor, action=AuditAction.CREATE, obj=programme)
    return programme


@transaction.atomic
def cohort_create(*, actor: User, programme: Programme, data: Mapping[str, Any]) -> Cohort:
    cohort = Cohort(
        programme=programme,
        name=data["name"],
        start_date=data["start_date"],
        end_date=data["end_date"],
        venue=data["venue"],
        capacity=data["capacity"],
        created_by=actor,
    )
    cohort.full_clean()  # the same rules as the form and the admin (dates, capacity)
    cohort.save()
    audit.record_event(actor=actor, action=AuditAction.CREATE, obj=cohort)
    return cohort


@transaction.atomic
def staff_add(
    *, actor: User, cohort: Cohort, name: str, discipline: str, user: User | None = None
) -> StaffMember:
    member = StaffMember.objects.create(cohort=cohort, name=name, discipline=discipline, user=user)
    audit.record_event(actor=actor, action=AuditAction.CHANGE, obj=cohort, changed_fields=["staff"])
    return member


@transaction.atomic
def sessions_add(
    *,
    actor: User,
    cohort: Cohort,
    first_date: date,
    length: str,
    hours: Decimal | None,
    components: Iterable[str],
    title: str = "",
    weeks: int = 1,
) -> list[ProgrammeSession]:
    """Add a session to the timetable, or the same session weekly for ``weeks`` weeks."""
    components = list(components)
    for value in components:
        if value not in Component.values:
            raise ValidationError(gettext(UNKNOWN_COMPONENT).format(value=value))
    if hours is None:
        hours = Decimal(DEFAULT_HOURS.get(length, 0))
    if not Decimal("0.5") <= hours <= Decimal("12"):
        raise ValidationError(gettext(SESSION_HOURS))
    if not 1 <= weeks <= 26:
        raise ValidationError(gettext(TOO_MANY_WEEKS))
    if planned_date_problem(first_date):
        raise ValidationError(planned_date_problem(first_date))
    # Every repeat must fall within the cohort's dates (issue #9: sessions outside them were
    # accepted and then counted in the dose and the standards check).
    for week in range(weeks):
        problem = session_date_problem(cohort, first_date + timedelta(weeks=week))
        if problem:
            raise ValidationError(problem)
    created = ProgrammeSession.objects.bulk_create(
        ProgrammeSession(
            cohort=cohort,
            date=first_date + timedelta(weeks=week),
            length=length,
            hours=hours,
            components=components,
            title=title,
        )
        for week in range(weeks)
    )
    audit.record_event(
        actor=actor, action=AuditAction.CHANGE, obj=cohort, changed_fields=["sessions"]
    )
    return created


def _record_change(
    *, actor: User, enrolment: Enrolment, to_state: str, changed_on: date, reason: str = ""
) -> None:
    EnrolmentStateChange.objects.create(
        enrolment=enrolment,
        from_state=enrolment.state,
        to_state=to_state,
        changed_on=changed_on,
        changed_by=actor,
        reason=reason,
    )
    enrolment.state = to_state
    enrolment.state_since = changed_on


def _safety_gate(actor: User, patient: Patient, override_reason: str) -> None:
    """A PMP referral, offer or enrolment waits for an open red-flag referral's outcome unless a
    clinician records why going ahead is safe (assessment.services.safety_gate); the programme
    admin is told only that clinical review is needed, never why (issue #10)."""
    assessment_services.safety_gate(
        actor=actor,
        episode=Episode.objects.current_for(patient),
        context="pmp",
        override_reason=override_reason,
    )


@transaction.atomic
def enrolment_refer(
    *,
    actor: User,
    patient: Patient,
    programme: Programme,
    referred_on: date,
    override_reason: str = "",
) -> Enrolment:
    if past_date_problem(referred_on):
        raise ValidationError(past_date_problem(referred_on))
    # The form offers only these; a forged POST is refused here too (issue #15).
    if not programmes_open_to_referral(patient).filter(pk=programme.pk).exists():
        raise ValidationError(gettext(NOT_THIS_TEAMS_PROGRAMME), code="other_team")
    if Enrolment.objects.filter(
        patient=patient, programme=programme, state__in=OPEN_STATES
    ).exists():
        raise ValidationError(gettext(ALREADY_REFERRED))
    _safety_gate(actor, patient, override_reason)
    enrolment = Enrolment.objects.create(
        programme=programme,
        patient=patient,
        state=EnrolmentState.REFERRED,
        state_since=referred_on,
        referred_on=referred_on,
        referred_by=actor,
    )
    EnrolmentStateChange.objects.create(
        enrolment=enrolment,
        from_state="",
        to_state=EnrolmentState.REFERRED,
        changed_on=referred_on,
        changed_by=actor,
    )
    audit.record_event(actor=actor, action=AuditAction.CREATE, patient=patient, obj=enrolment)
    return enrolment


@transaction.atomic
def screening_record(
    *, actor: User, enrolment: Enrolment, data: Mapping[str, Any], screened_on: date
) -> SuitabilityScreening:
    """Record the suitability screening; a referred patient becomes 'screened'."""
    enrolment = (
        Enrolment.objects.select_for_update(no_key=True)
        .select_related("patient", "programme")
        .get(pk=enrolment.pk)
    )
    if not policy.may_record_screening(actor, enrolment.patient):
        raise ValidationError(policy.NOT_A_CLINICIAN)
    if enrolment.state not in (EnrolmentState.REFERRED, EnrolmentState.SCREENED):
        raise ValidationError(gettext(SCREENING_IN_STATE))
    if past_date_problem(screened_on):
        raise ValidationError(past_date_problem(screened_on))
    if screened_on < enrolment.referred_on:
        raise ValidationError(gettext(BEFORE_REFERRAL).format(referred=enrolment.referred_on))
    fields = (
        "readiness",
        "practical_barriers",
        "acute_psychiatric_need",
        "severe_cognitive_impairment",
        "profound_disability_or_fatigue",
        "litigation_pending",
    )
    values = {
        name: data.get(name, SuitabilityScreening._meta.get_field(name).get_default())
        for name in fields
    }
    result = suitability.pmp_suitability(
        suitability.Screening(
            age=enrolment.patient.age_on(screened_on),
            programme_kind=enrolment.programme.kind,
            **values,
        )
    )
    screening = SuitabilityScreening.objects.create(
        enrolment=enrolment,
        screened_on=screened_on,
        screened_by=actor,
        decision=result.decision,
        reasons=[*result.reasons, *result.notes],
        **values,
    )
    # "Suitable with cautions: discuss at the MDT": the patient goes on the team's MDT agenda
    # with the cautions as the question (issue #13). A patient with no open episode has no team
    # to meet about them: nothing to flag.
    if result.decision == suitability.SUITABLE_WITH_CAUTIONS and (
        patient_services.has_open_episode(enrolment.patient)
    ):
        patient_services.mdt_flag_raise(
            actor=actor,
            patient=enrolment.patient,
            reason=gettext(MDT_REASON).format(
                programme=enrolment.programme, reasons=" ".join(result.reasons)
            ),
            source=MdtFlagSource.PMP_SCREENING,
        )
    if enrolment.state == EnrolmentState.REFERRED:
        _record_change(
            actor=actor,
            enrolment=enrolment,
            to_state=EnrolmentState.SCREENED,
            changed_on=screened_on,
        )
        enrolment.save(update_fields=["state", "state_since"])
    audit.record_event(
        actor=actor,
        action=AuditAction.CREATE,
        patient=enrolment.patient,
        obj=screening,
        changed_fields=list(fields),
    )
    return screening


MDT_REASON = gettext_noop("Programme suitability ({programme}): discuss at the MDT. {reasons}")


@transaction.atomic
def enrolment_transition(
    *,
    actor: User,
    enrolment: Enrolment,
    to_state: str,
    changed_on: date,
    cohort: Cohort | None = None,
    reason: str = "",
    override_reason: str = "",
) -> Enrolment:
    """Move an enrolment along referred → screened → offered → enrolled → completed, or to
    withdrawn (with a reason) from any open state. Dated, kept as history, audited."""
    enrolment = (
        Enrolment.objects.select_for_update(no_key=True)
        .select_related("patient")
        .get(pk=enrolment.pk)
    )
    if to_state not in ENROLMENT_TRANSITIONS[enrolment.state]:
        raise ValidationError(
            gettext(TRANSITION_NOT_ALLOWED).format(
                current=EnrolmentState(enrolment.state).label.lower(),
                target=EnrolmentState(to_state).label.lower(),
            )
        )
    if past_date_problem(changed_on):
        raise ValidationError(past_date_problem(changed_on))
    if changed_on < enrolment.referred_on:
        raise ValidationError(gettext(BEFORE_REFERRAL).format(referred=enrolment.referred_on))
    if to_state in (EnrolmentState.OFFERED, EnrolmentState.ENROLLED):
        _safety_gate(actor, enrolment.patient, override_reason)
    changed = ["state"]
    if to_state == EnrolmentState.SCREENED and not enrolment.screenings.exists():
        raise ValidationError(gettext(OFFER_NEEDS_SCREENING))
    if to_state == EnrolmentState.OFFERED:
        latest = enrolment.screenings.order_by("-screened_on", "-id").first()
        if latest is None:
            raise ValidationError(gettext(OFFER_NEEDS_SCREENING))
        if latest.decision == suitability.NOT_ELIGIBLE:
            raise ValidationError(gettext(NOT_ELIGIBLE))
        if cohort is None:
            raise ValidationError(gettext(OFFER_NEEDS_COHORT))
        if cohort.programme_id != enrolment.programme_id:
            raise ValidationError(gettext(COHORT_OTHER_PROGRAMME))
        enrolment.cohort = cohort
        changed.append("cohort")
    if to_state == EnrolmentState.ENROLLED:
        cohort = Cohort.objects.select_for_update(no_key=True).get(pk=enrolment.cohort_id)
        taken = cohort.enrolments.filter(
            state__in=(EnrolmentState.ENROLLED, EnrolmentState.COMPLETED)
        ).count()
        if taken >= cohort.capacity:
            raise ValidationError(gettext(COHORT_FULL).format(capacity=cohort.capacity))
    if to_state == EnrolmentState.COMPLETED:
        _check_completion(enrolment, changed_on)
    if to_state == EnrolmentState.WITHDRAWN:
        if not reason:
            raise ValidationError(gettext(WITHDRAWAL_NEEDS_REASON))
        enrolment.withdrawal_reason = reason
        changed.append("withdrawal_reason")
    _record_change(
        actor=actor, enrolment=enrolment, to_state=to_state, changed_on=changed_on, reason=reason
    )
    enrolment.save(update_fields=[*changed, "state_since"])
    audit.record_event(
        actor=actor,
        action=AuditAction.CHANGE,
        patient=enrolment.patient,
        obj=enrolment,
        changed_fields=changed,
    )
    return enrolment


def _check_completion(enrolment: Enrolment, changed_on: date) -> None:
    """A completer attended the programme's minimum share of the timetable
    (Programme.completion_min_percent; issue #9: 0 of 12 sessions was counted as completed),
    and completes no earlier than the cohort's start."""
    start = Cohort.objects.values_list("start_date", flat=True).get(pk=enrolment.cohort_id)
    if changed_on < start:
        raise ValidationError(gettext(COMPLETED_BEFORE_START).format(start=start))
    offered = ProgrammeSession.objects.filter(cohort_id=enrolment.cohort_id).count()
    attended = Attendance.objects.filter(
        enrolment=enrolment, session__cohort_id=enrolment.cohort_id, attended=True
    ).count()
    rule = Programme.objects.values_list("completion_min_percent", flat=True).get(
        pk=enrolment.programme_id
    )
    problem = standards.completion_problem(attended, offered, rule)
    if problem:
        raise ValidationError(problem)


def _not_in_future(session: ProgrammeSession) -> None:
    if session.date > date.today():
        raise ValidationError(gettext(FUTURE_SESSION).format(day=session.date))


def _participant(session: ProgrammeSession, enrolment: Enrolment) -> None:
    if enrolment.cohort_id != session.cohort_id or enrolment.state not in PARTICIPANT_STATES:
        raise ValidationError(gettext(NOT_A_PARTICIPANT))


@transaction.atomic
def attendance_record(
    *, actor: User, session: ProgrammeSession, marks: Mapping[Enrolment, bool]
) -> list[Attendance]:
    """Record who attended a session (one row per participant; a correction updates it)."""
    _not_in_future(session)
    rows = []
    for enrolment, attended in marks.items():
        _participant(session, enrolment)
        row, _ = Attendance.objects.update_or_create(
            session=session,
            enrolment=enrolment,
            defaults={"attended": attended, "recorded_by": actor},
        )
        rows.append(row)
        audit.record_event(
            actor=actor,
            action=AuditAction.CHANGE,
            patient=enrolment.patient,
            obj=row,
            changed_fields=["attended"],
        )
    return rows


@transaction.atomic
def climate_record(
    *,
    actor: User,
    session: ProgrammeSession,
    enrolment: Enrolment,
    answers: Mapping[str, Any],
    reason: str = "",
) -> GroupClimateRating:
    """A participant's GCQ-S for a session, scored by the instrument library (§20).

    A second entry for the same participant and session is an amendment: refused without a
    reason; with one, the earlier answers are kept with who entered them, who changed them,
    when and why (issue #9: the second entry silently replaced the first).
    """
    _participant(session, enrolment)
    _not_in_future(session)
    result = instruments.score("gcqs", answers)
    if isinstance(result, instruments.Unscorable):
        raise ValidationError(gettext(GCQS_UNSCORABLE).format(reason=result.reason))
    values = {
        "answers": dict(answers),
        "engaged": float(result.subscales["engaged"]),
        "avoiding": float(result.subscales["avoiding"]),
        "conflict": float(result.subscales["conflict"]),
        "definition_version": result.version,
        "recorded_by": actor,
    }
    rating = (
        GroupClimateRating.objects.select_for_update(no_key=True)
        .select_related("recorded_by")
        .filter(session=session, enrolment=enrolment)
        .first()
    )
    if rating is None:
        rating = GroupClimateRating.objects.create(session=session, enrolment=enrolment, **values)
        audit.record_event(
            actor=actor, action=AuditAction.CREATE, patient=enrolment.patient, obj=rating
        )
        return rating
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            gettext(ALREADY_RECORDED).format(
                what="A GCQ-S for this session",
                name=enrolment.patient.full_name,
                by=rating.recorded_by,
                on=timezone.localtime(rating.recorded_at),
            ),
            code="amendment_needs_reason",
        )
    GroupClimateAmendment.objects.create(
        rating=rating,
        old_answers=rating.answers,
        old_engaged=rating.engaged,
        old_avoiding=rating.avoiding,
        old_conflict=rating.conflict,
        old_recorded_by=rating.recorded_by,
        old_recorded_at=rating.recorded_at,
        reason=reason,
        amended_by=actor,
    )
    for name, value in values.items():
        setattr(rating, name, value)
    rating.recorded_at = timezone.now()
    rating.save()
    audit.record_event(
        actor=actor,
        action=AuditAction.CHANGE,
        patient=enrolment.patient,
        obj=rating,
        changed_fields=["answers"],
    )
    return rating


@transaction.atomic
def outcome_record(
    *,
    actor: User,
    enrolment: Enrolment,
    measure: ProgrammeMeasure,
    time_point: str,
    value: float,
    recorded_on: date,
    reason: str = "",
) -> OutcomeScore:
    """A score collected outside painclinic, typed in by someone on the participant's care team.

    Checked against the instrument library (the total's range) and the calendar; a second entry
    for the same measure and time point is an amendment with a reason, the earlier value kept.
    """
    if not policy.may_see_clinical(actor, enrolment.patient):
        raise ValidationError(policy.NOT_ON_CARE_TEAM)
    if measure.programme_id != enrolment.programme_id:
        raise ValidationError(gettext("That measure belongs to another programme."))
    errors: dict[str, str] = {}
    problem = outcome_value_problem(measure, value)
    if problem:
        errors["value"] = problem
    if past_date_problem(recorded_on):
        errors["recorded_on"] = past_date_problem(recorded_on)
    if errors:
        raise ValidationError(errors)
    score = (
        OutcomeScore.objects.select_for_update(no_key=True)
        .select_related("recorded_by")
        .filter(enrolment=enrolment, measure=measure, time_point=time_point)
        .first()
    )
    if score is None:
        score = OutcomeScore.objects.create(
            enrolment=enrolment,
            measure=measure,
            time_point=time_point,
            value=value,
            recorded_on=recorded_on,
            recorded_by=actor,
        )
        audit.record_event(
            actor=actor,
            action=AuditAction.CREATE,
            patient=enrolment.patient,
            obj=score,
            changed_fields=["value"],
        )
        return score
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            gettext(ALREADY_RECORDED).format(
                what=f"A {score.get_time_point_display().lower()} {measure.label} score",
                name=enrolment.patient.full_name,
                by=score.recorded_by,
                on=score.recorded_on,
            ),
            code="amendment_needs_reason",
        )
    OutcomeScoreAmendment.objects.create(
        score=score,
        old_value=score.value,
        old_recorded_on=score.recorded_on,
        old_recorded_by=score.recorded_by,
        reason=reason,
        amended_by=actor,
    )
    score.value, score.recorded_on, score.recorded_by = value, recorded_on, actor
    score.save(update_fields=["value", "recorded_on", "recorded_by"])
    audit.record_event(
        actor=actor,
        action=AuditAction.CHANGE,
        patient=enrolment.patient,
        obj=score,
        changed_fields=["value"],
    )
    return score


@transaction.atomic
def cohort_export_audit(*, actor: User, cohort: Cohort, patients: Iterable[Patient]) -> None:
    """An outcome export names its participants: one EXPORT event for each."""
    audit.record_event_for_patients(
        actor=actor, action=AuditAction.EXPORT, patients=list(patients), obj=cohort
    )


WINDOW_FIELDS = (
    "pre_weeks_before",
    "pre_weeks_after",
    "post_weeks_around",
    "follow_up_weeks",
    "follow_up_weeks_around",
)


@transaction.atomic
def programme_windows_update(
    *,
    actor: User,
    programme: Programme,
    data: Mapping[str, int],
    edit_token: str | None = None,
) -> Programme:
    """Change the outcome windows of a programme; audited with the names of the changed fields.
    With the form's ``edit_token``: EditConflict when someone changed them since it opened."""
    current = concurrency.locked_for_edit(
        Programme.objects.all(), programme.pk, WINDOW_FIELDS, edit_token, data
    )
    changed = [f for f in WINDOW_FIELDS if f in data and getattr(current, f) != data[f]]
    for name in changed:
        setattr(current, name, data[name])
    if changed:
        current.full_clean()  # bounds and the follow-up rule, as in the form and the admin
        current.save(update_fields=changed)
        audit.record_event(
            actor=actor, action=AuditAction.CHANGE, obj=current, changed_fields=changed
        )
    return current
