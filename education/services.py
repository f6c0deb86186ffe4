"""Writes of the education app, each in one transaction with its audit event (field names only,
never clinical content): record the education and behaviour-change techniques of a contact, and
the team lead's edits of the curriculum."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from education.models import (
    BehaviourChangeTechnique,
    ContactEducation,
    TechniqueUsed,
    Topic,
    TopicCovered,
    Understanding,
)
from painclinic import audit
from painclinic.access import check_may_give_clinical_care
from painclinic.models import AuditAction, Role
from patients.access import can_change_patient

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from painclinic.models import User
    from patients.models import Contact, Patient

ALREADY_RECORDED = gettext_noop("Education for this contact is already recorded.")
NOTHING_RECORDED = gettext_noop("Tick at least one topic or one technique.")
NO_CHECK = gettext_noop("Say how much of “{topic}” the patient could explain back.")
RETIRED_TOPIC = gettext_noop("“{topic}” is no longer in the curriculum.")
NOT_THIS_PATIENT = gettext_noop("This contact is not on this patient's record.")
NOT_A_LEAD = gettext_noop("Only a team lead edits the curriculum.")
TITLE_TAKEN = gettext_noop("The curriculum already has a topic called “{title}”.")
TITLE_REQUIRED = gettext_noop("Give the topic a title.")


def _check_lead(actor: User) -> None:
    if not (actor.is_active and actor.role == Role.TEAM_LEAD):
        raise ValidationError(gettext(NOT_A_LEAD), code="not_a_lead")


@transaction.atomic
def contact_education_record(
    *,
    actor: User,
    patient: Patient,
    contact: Contact,
    topics: Mapping[int, tuple[str, str]],
    technique_ids: Iterable[int],
) -> ContactEducation:
    """Record what was taught at ``contact``: ``topics`` maps a topic id to (teach-back check,
    misconceptions heard); ``technique_ids`` are the BCTTv1 techniques used. Written once per
    contact (a clinical record is not overwritten)."""
    check_may_give_clinical_care(actor)
    if not can_change_patient(actor, patient):
        raise ValidationError(gettext(NOT_THIS_PATIENT), code="no_access")
    if contact.episode.patient_id != patient.pk:
        raise ValidationError(gettext(NOT_THIS_PATIENT), code="not_this_patient")
    technique_ids = sorted(set(technique_ids))
    if not topics and not technique_ids:
        raise ValidationError(gettext(NOTHING_RECORDED), code="empty")
    found = {t.pk: t for t in Topic.objects.filter(pk__in=list(topics))}
    errors = []
    for topic_id, (check, _misconceptions) in topics.items():
        topic = found.get(topic_id)
        if topic is None or topic.is_retired:
            errors.append(gettext(RETIRED_TOPIC).format(topic=topic or topic_id))
        elif check not in Understanding.values:
            errors.append(gettext(NO_CHECK).format(topic=topic))
    techniques = list(BehaviourChangeTechnique.objects.filter(pk__in=technique_ids))
    if len(techniques) != len(technique_ids):
        errors.append("Choose techniques from the list.")
    if errors:
        raise ValidationError(errors)
    # Locks the contact's row: two clinicians saving the same contact at once get one record.
    if ContactEducation.objects.select_for_update(no_key=True).filter(contact=contact).exists():
        raise ValidationError(gettext(ALREADY_RECORDED), code="already_recorded")
    record = ContactEducation.objects.create(contact=contact, patient=patient, recorded_by=actor)
    TopicCovered.objects.bulk_create(
        TopicCovered(
            record=record,
            topic=found[topic_id],
            understanding=check,
            misconceptions=misconceptions.strip(),
        )
        for topic_id, (check, misconceptions) in topics.items()
    )
    TechniqueUsed.objects.bulk_create(TechniqueUsed(record=record, technique=t) for t in techniques)
    audit.record_event(
        actor=actor,
        action=AuditAction.CREATE,
        patient=patient,
        obj=record,
        changed_fields=[
            f
            for f, present in (("topics_covered", topics), ("techniques_used", techniques))
            if present
        ],
    )
    return record


# --- the curriculum (team lead) ---------------------------------------------------------------


@transaction.atomic
def topic_add(*, actor: User, title: str, summary: str = "") -> Topic:
    _check_lead(actor)
    title = " ".join(title.split())
    if not title:
        raise ValidationError({"title": gettext(TITLE_REQUIRED)})
    if Topic.objects.filter(title__iexact=title).exists():
        raise ValidationError({"title": gettext(TITLE_TAKEN).format(title=title)})
    last = Topic.objects.aggregate(m=Max("position"))["m"]
    topic = Topic.objects.create(title=title, summary=summary.strip(), position=(last or 0) + 1)
    audit.record_event(actor=actor, action=AuditAction.CREATE, obj=topic)
    return topic


@transaction.atomic
def topic_retire(*, actor: User, topic: Topic, retire: bool = True) -> Topic:
    """Take a topic out of the curriculum (or bring it back). Records that name it keep it."""
    _check_lead(actor)
    topic = Topic.objects.select_for_update(no_key=True).get(pk=topic.pk)
    if retire == topic.is_retired:
        return topic
    topic.retired_at = timezone.now() if retire else None
    topic.save(update_fields=["retired_at"])
    audit.record_event(
        actor=actor, action=AuditAction.CHANGE, obj=topic, changed_fields=["retired_at"]
    )
    return topic


@transaction.atomic
def topic_move(*, actor: User, topic: Topic, up: bool) -> None:
    """Swap a topic with its neighbour in the teaching order."""
    _check_lead(actor)
    ordered = list(Topic.objects.select_for_update(no_key=True).order_by("position", "id"))
    index = next(i for i, t in enumerate(ordered) if t.pk == topic.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(ordered):
        return
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, item in enumerate(ordered, start=1):
        if item.position != position:
            item.position = position
            item.save(update_fields=["position"])
    audit.record_event(
        actor=actor, action=AuditAction.CHANGE, obj=topic, changed_fields=["position"]
    )
