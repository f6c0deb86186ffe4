"""Reads of the education app. Every patient-scoped read takes a patient the access policy has
already let through (``painclinic.access.patient_view``); the team summary starts from
``patients_visible_to`` (the one access policy). Query counts are constant in the number of
contacts, topics and techniques (tests/education/test_query_counts.py)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch, QuerySet

from education.models import (
    BehaviourChangeTechnique,
    ContactEducation,
    TechniqueUsed,
    Topic,
    TopicCovered,
    Understanding,
)
from painclinic.estimates import SMALL_N, Estimate, wilson_interval
from patients.access import patients_visible_to
from patients.models import Contact

if TYPE_CHECKING:
    from datetime import date

    from painclinic.models import User
    from patients.models import Patient


def curriculum() -> QuerySet[Topic]:
    """The topics taught now, in teaching order."""
    return Topic.objects.filter(retired_at__isnull=True).order_by("position", "id")


def all_topics() -> QuerySet[Topic]:
    return Topic.objects.order_by("position", "id")


def techniques() -> list[BehaviourChangeTechnique]:
    return list(BehaviourChangeTechnique.objects.order_by("group_number", "number"))


def contact_for(patient: Patient, contact_id: int) -> Contact | None:
    """One of the patient's contacts (None: not this patient's, or none such)."""
    return (
        Contact.objects.filter(episode__patient=patient, pk=contact_id)
        .select_related("episode", "clinician", "education")
        .first()
    )


def _records(patient: Patient) -> QuerySet[ContactEducation]:
    return (
        ContactEducation.objects.filter(patient=patient)
        .select_related("contact", "contact__clinician", "recorded_by")
        .prefetch_related(
            Prefetch(
                "topics_covered",
                queryset=TopicCovered.objects.select_related("topic").order_by(
                    "topic__position", "topic_id"
                ),
            ),
            Prefetch(
                "techniques_used",
                queryset=TechniqueUsed.objects.select_related("technique").order_by(
                    "technique__group_number", "technique__number"
                ),
            ),
        )
        .order_by("-contact__date", "-contact_id")
    )


@dataclass
class TopicProgress:
    topic: Topic
    times: int = 0
    last_check: str = ""  # the latest teach-back check
    last_check_label: str = ""
    last_date: date | None = None
    misconceptions: list[str] = field(default_factory=list)


@dataclass
class TechniqueCount:
    technique: BehaviourChangeTechnique
    contacts: int


def patient_education(patient: Patient) -> dict[str, Any]:
    """The education delivered so far (per contact), where each curriculum topic stands (its
    latest teach-back check), what is left of the curriculum, the techniques used, and the
    contacts with nothing recorded yet."""
    records = list(_records(patient))
    progress: dict[int, TopicProgress] = {topic.pk: TopicProgress(topic) for topic in curriculum()}
    retired: dict[int, TopicProgress] = {}
    bct_counts: Counter[int] = Counter()
    bct_objects: dict[int, BehaviourChangeTechnique] = {}
    labels = dict(Understanding.choices)
    for record in reversed(records):  # oldest first: the last check seen is the latest
        for covered in record.topics_covered.all():
            row = progress.get(covered.topic_id)
            if row is None:
                row = retired.setdefault(covered.topic_id, TopicProgress(covered.topic))
            row.times += 1
            row.last_check = covered.understanding
            row.last_check_label = str(labels.get(covered.understanding, ""))
            row.last_date = record.contact.date
            if covered.misconceptions:
                row.misconceptions.append(covered.misconceptions)
        for used in record.techniques_used.all():
            bct_counts[used.technique_id] += 1
            bct_objects[used.technique_id] = used.technique
    covered_rows = [row for row in progress.values() if row.times]
    left = [row.topic for row in progress.values() if not row.times]
    recorded_contacts = {record.contact_id for record in records}
    contacts = list(
        Contact.objects.filter(episode__patient=patient)
        .select_related("clinician")
        .order_by("-date", "-id")
    )
    return {
        "records": records,
        "covered": covered_rows,
        "covered_retired": list(retired.values()),
        "left": left,
        "needs_practice": [row for row in covered_rows if row.last_check != "understood"],
        "curriculum_size": len(progress),
        "technique_counts": sorted(
            (TechniqueCount(bct_objects[pk], n) for pk, n in bct_counts.items()),
            key=lambda row: (row.technique.group_number, row.technique.number),
        ),
        "contacts_open": [c for c in contacts if c.pk not in recorded_contacts],
    }


@dataclass
class TechniqueRate:
    technique: BehaviourChangeTechnique
    contacts: int
    patients: int
    rate: Estimate


def team_technique_summary(user: User, start: date, end: date) -> dict[str, Any]:
    """For a team lead: how often each technique was coded at the contacts with education
    recorded between ``start`` and ``end`` (contact dates, inclusive), over the patients the
    lead may see. Each count is shown as a share of those contacts with its Wilson 95% interval
    and the small-n warning (painclinic/estimates.py), so a handful of contacts is not read as
    a pattern."""
    records = ContactEducation.objects.filter(
        patient__in=patients_visible_to(user),
        contact__date__gte=start,
        contact__date__lte=end,
    )
    n_contacts = records.count()
    n_patients = records.values("patient").distinct().count()
    rows = TechniqueUsed.objects.filter(record__in=records).values_list(
        "technique_id", "record__patient_id"
    )
    per_contact: Counter[int] = Counter()
    per_patient: dict[int, set] = {}
    for technique_id, patient_id in rows:
        per_contact[technique_id] += 1
        per_patient.setdefault(technique_id, set()).add(patient_id)
    by_id = {t.pk: t for t in BehaviourChangeTechnique.objects.filter(pk__in=list(per_contact))}
    summary = sorted(
        (
            TechniqueRate(
                by_id[pk], count, len(per_patient[pk]), wilson_interval(count, n_contacts)
            )
            for pk, count in per_contact.items()
        ),
        key=lambda row: (-row.contacts, row.technique.group_number, row.technique.number),
    )
    return {
        "rows": summary,
        "contacts": n_contacts,
        "patients": n_patients,
        "small": n_contacts < SMALL_N,
        "small_n": SMALL_N,
    }
