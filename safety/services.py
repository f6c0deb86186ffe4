"""Writes of the safety app: raise a self-harm signal, tell the care team, record the response
and the safety plan. Each runs in one transaction with its audit event (field names only, never
clinical content); e-mail leaves after commit."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from painclinic import audit
from painclinic.models import AuditAction, User
from patients.access import patients_visible_to
from patients.models import OPEN_STATUSES, Episode, Patient
from safety.models import (
    Notification,
    Outcome,
    RiskSignal,
    SafetyAssessment,
    SafetyPlan,
    SignalSource,
)
from safety.rules import risk_findings

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from assessment.models import Administration, PatientLink

log = logging.getLogger(__name__)

NOTE_REQUIRED = gettext_noop("Say what prompted this concern.")
DISCUSSED_REQUIRED = gettext_noop("Say what was discussed.")
REFERRAL_DETAILS_REQUIRED = gettext_noop("An urgent referral needs where to and when.")
PLAN_EDITED_MEANWHILE = gettext_noop(
    "Someone saved a newer version of this safety plan while you were editing. "
    "Your changes were not saved: open the plan again to see the current version."
)
PLAN_CHANGE_NEEDS_REASON = gettext_noop("Say why the safety plan changes.")
PLAN_CHANGES_NOTHING = gettext_noop("The safety plan is unchanged.")

# What the care team is told, in the product and by e-mail. No name, no score, no answer: the
# content stays in the record behind the access policy (issue #10).
NOTIFICATION_MESSAGE = gettext_noop(
    "A patient on your caseload has answered a question about self-harm: "
    "please open the record and record your response."
)
EMAIL_SUBJECT = gettext_noop("painclinic: a patient needs a safety response")
EMAIL_BODY = gettext_noop(
    "A patient on your caseload has answered a question about self-harm; please open the record.\n\n"
    "{url}\n\n"
    "Log in to painclinic to see it. This e-mail contains no patient details on purpose."
)

PLAN_FIELDS = (
    "warning_signs",
    "internal_coping",
    "distraction",
    "people_to_ask",
    "professionals",
    "environment_safe",
    "reasons_for_living",
    "review_date",
    "copies_with",
)


def _raise_for_administration(
    *, administration: Administration, actor: User | None, source: str, include_unknown: bool
) -> list[RiskSignal]:
    """Idempotent per administration and flag: a second save finds the signal already there.
    An "unknown" signal becomes a positive one if the item is later answered above 0; nothing
    here ever closes a signal (a later 0, an amendment to 0 or an unscorable total leave it)."""
    raised = []
    patient = administration.session.patient
    score = administration.current_score
    for finding in risk_findings(administration.instrument_key, score):
        if finding.state == "unknown" and not include_unknown:
            continue
        existing = (
            RiskSignal.objects.select_for_update(no_key=True)
            .filter(administration=administration, flag_id=finding.flag_id)
            .first()
        )
        value = int(finding.value) if finding.value is not None else None
        if existing is not None:
            if finding.state == "positive" and not existing.answered:
                existing.answered, existing.answer_value = True, value
                existing.save(update_fields=["answered", "answer_value"])
                audit.record_event(
                    actor=actor,
                    actor_username="" if actor else "patient-link",
                    action=AuditAction.CHANGE,
                    patient=patient,
                    obj=existing,
                    changed_fields=["answered", "answer_value"],
                )
                raised.append(existing)
            continue
        signal = RiskSignal.objects.create(
            patient=patient,
            source=source,
            administration=administration,
            flag_id=finding.flag_id,
            answered=finding.state == "positive",
            answer_value=value,
            raised_by=actor,
            raised_at=timezone.now(),
        )
        audit.record_event(
            actor=actor,
            actor_username="" if actor else "patient-link",
            action=AuditAction.CREATE,
            patient=patient,
            obj=signal,
        )
        raised.append(signal)
    return raised


@transaction.atomic
def signals_raise_from_administration(
    *, administration: Administration, actor: User | None, stage: str
) -> list[RiskSignal]:
    """A clinician saved, signed or amended an administration, or a patient saved an answer
    through a link ("link_draft"). A draft raises only a positive risk item (a half-filled
    draft's empty item 9 is not yet "unknown"); a signed or amended result raises an unanswered
    one as "unknown" too. A patient's positive answer tells the care team at once."""
    by_link = stage == "link_draft"
    raised = _raise_for_administration(
        administration=administration,
        actor=actor,
        source=SignalSource.PATIENT_LINK if by_link else SignalSource.QUESTIONNAIRE,
        include_unknown=stage not in ("draft", "link_draft"),
    )
    if by_link:
        for signal in raised:
            notify_care_team(signal)
    return raised


@transaction.atomic
def signals_raise_from_link(
    *, link: PatientLink, administrations: Iterable[Administration]
) -> list[RiskSignal]:
    """The patient sent answers through a link: raise the signals (drafts, unsigned) and tell the
    care team at once, in the product and by e-mail, whether or not anyone signs the drafts."""
    raised = []
    for administration in administrations:
        raised += _raise_for_administration(
            administration=administration,
            actor=None,
            source=SignalSource.PATIENT_LINK,
            include_unknown=True,
        )
    for signal in raised:
        if signal.answered:  # an unanswered item shows on the record; it pages nobody
            notify_care_team(signal)
    return raised


def _care_team_of(patient: Patient) -> list[User]:
    """Who is told: the care teams and lead clinicians of the patient's open episodes who may
    still open the record (the access policy; a notification never points past it)."""
    episodes = Episode.objects.filter(patient=patient, status__in=OPEN_STATUSES)
    users = User.objects.filter(is_active=True).filter(
        pk__in=[
            *episodes.values_list("care_team__user", flat=True),
            *episodes.values_list("lead_clinician", flat=True),
        ]
    )
    return [u for u in users.distinct() if patients_visible_to(u).filter(pk=patient.pk).exists()]


def _for_staff(text: str) -> str:
    """``text`` in the clinic's language: a notification or e-mail to the care team is raised by
    a patient's answer, whose page may be in the patient's language (painclinic/i18n.py)."""
    with translation.override(settings.LANGUAGE_CODE):
        return gettext(text)


def notify_care_team(signal: RiskSignal) -> list[Notification]:
    """One notification per care-team member and signal (idempotent), and an e-mail after commit
    to those with an address, through the configured backend (settings.EMAIL_BACKEND)."""
    created = []
    for user in _care_team_of(signal.patient):
        notification, new = Notification.objects.get_or_create(
            user=user,
            signal=signal,
            defaults={"patient": signal.patient, "message": _for_staff(NOTIFICATION_MESSAGE)},
        )
        if not new:
            continue
        audit.record_event(
            actor=None,
            actor_username="system",
            action=AuditAction.CREATE,
            patient=signal.patient,
            obj=notification,
        )
        created.append(notification)
    recipients = sorted({n.user.email for n in created if n.user.email})
    if recipients:
        from django.urls import reverse

        url = reverse("safety:patient", kwargs={"patient_id": signal.patient_id})
        base = getattr(settings, "SITE_URL", "")
        transaction.on_commit(lambda: _send_email(recipients, f"{base}{url}"))
    return created


def _send_email(recipients: list[str], url: str) -> None:
    try:
        send_mail(
            _for_staff(EMAIL_SUBJECT),
            _for_staff(EMAIL_BODY).format(url=url),
            settings.DEFAULT_FROM_EMAIL,
            recipients,
        )
    except Exception:  # the in-product notification stands; a mail outage must not hide it
        log.exception("safety e-mail could not be sent")


@transaction.atomic
def signal_raise_by_clinician(*, actor: User, patient: Patient, note: str) -> RiskSignal:
    """A clinician's own concern, e.g. after something said in a session."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": gettext(NOTE_REQUIRED)})
    signal = RiskSignal.objects.create(
        patient=patient,
        source=SignalSource.CLINICIAN,
        note=note,
        raised_by=actor,
        raised_at=timezone.now(),
    )
    audit.record_event(actor=actor, action=AuditAction.CREATE, patient=patient, obj=signal)
    return signal


@transaction.atomic
def safety_assessment_record(
    *, actor: User, patient: Patient, data: Mapping[str, Any]
) -> SafetyAssessment:
    """Record the clinician's response; it resolves every open signal of the patient (the
    conversation covers what they raised)."""
    errors = {}
    if not (data.get("discussed") or "").strip():
        errors["discussed"] = gettext(DISCUSSED_REQUIRED)
    if data.get("outcome") == Outcome.URGENT_REFERRAL and not (
        (data.get("referral_to") or "").strip() and data.get("referral_when")
    ):
        errors["referral_to"] = gettext(REFERRAL_DETAILS_REQUIRED)
    if errors:
        raise ValidationError(errors)
    assessment = SafetyAssessment.objects.create(patient=patient, assessed_by=actor, **data)
    audit.record_event(actor=actor, action=AuditAction.CREATE, patient=patient, obj=assessment)
    for signal in RiskSignal.objects.select_for_update(no_key=True).filter(
        patient=patient, response__isnull=True
    ):
        signal.response = assessment
        signal.save(update_fields=["response"])
        audit.record_event(
            actor=actor,
            action=AuditAction.CHANGE,
            patient=patient,
            obj=signal,
            changed_fields=["response"],
        )
    return assessment


@transaction.atomic
def safety_plan_save(
    *,
    actor: User,
    patient: Patient,
    data: Mapping[str, Any],
    expected_version: int,
    change_reason: str = "",
) -> SafetyPlan:
    """Write version n+1 of the patient's safety plan (treatment.services.plan_save's rule: the
    form's version must still be current, a change needs a reason and must change something)."""
    Patient.objects.select_for_update(no_key=True).filter(
        pk=patient.pk
    ).first()  # serialise two saves
    current = SafetyPlan.objects.filter(patient=patient).order_by("-version").first()
    current_version = current.version if current else 0
    if current_version != expected_version:
        raise ValidationError(gettext(PLAN_EDITED_MEANWHILE), code="conflict")
    change_reason = (change_reason or "").strip()
    data = {
        f: data.get(f) if f == "review_date" else (data.get(f) or "").strip() for f in PLAN_FIELDS
    }
    if current is not None:
        if all(getattr(current, f) == data[f] for f in PLAN_FIELDS):
            raise ValidationError(gettext(PLAN_CHANGES_NOTHING), code="unchanged")
        if not change_reason:
            raise ValidationError({"change_reason": gettext(PLAN_CHANGE_NEEDS_REASON)})
    plan = SafetyPlan.objects.create(
        patient=patient,
        version=current_version + 1,
        created_by=actor,
        change_reason=change_reason,
        **data,
    )
    audit.record_event(actor=actor, action=AuditAction.CREATE, patient=patient, obj=plan)
    return plan


@transaction.atomic
def notification_mark_read(*, user: User, notification_id: int | None = None) -> int:
    """Mark one (or, without an id, every) unread notification of the user as read."""
    unread = Notification.objects.select_for_update(no_key=True, of=("self",)).filter(
        user=user, read_at__isnull=True
    )
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    now = timezone.now()
    marked = 0
    for notification in unread.select_related("patient"):
        notification.read_at = now
        notification.save(update_fields=["read_at"])
        audit.record_event(
            actor=user,
            action=AuditAction.CHANGE,
            patient=notification.patient,
            obj=notification,
            changed_fields=["read_at"],
        )
        marked += 1
    return marked


def plan_export(*, actor: User, plan: SafetyPlan) -> None:
    """Audit the printed safety plan as an EXPORT (it leaves the system on paper)."""
    audit.record_event(actor=actor, action=AuditAction.EXPORT, patient=plan.patient, obj=plan)


def notifications_viewed(*, actor: User, notifications: list[Notification]) -> None:
    """The notification list shows which patients need a response: audited like any list."""
    if notifications:
        audit.record_views(
            actor=actor,
            object_type="safety.notification",
            rows=[(n.pk, n.patient_id) for n in notifications],
        )
