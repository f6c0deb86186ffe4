"""Exports: a patient's record as a FHIR R4 Bundle, instrument definitions as Questionnaires,
and de-identified single-case research packages. Each checks access through the one policy
(``painclinic.access``, ``patients.access``) and writes its audit event (STYLE.md §3.2 services, §3.6 audit).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from assessment import instruments
from interop import research, selectors
from interop.fhir import bundle as fhir_bundle
from painclinic import access, audit
from painclinic.models import AuditAction, Role
from patients import access as patient_access
from patients import selectors as patient_selectors
from patients.models import ConsentKind
from sced import selectors as sced_selectors

if TYPE_CHECKING:
    from painclinic.models import User
    from patients.models import Patient

NOT_YOUR_PATIENT = gettext_noop("You may not export this patient's record.")
NOT_A_CLINICIAN = gettext_noop("Questionnaire definitions are for clinicians.")
NOT_A_TEAM_LEAD = gettext_noop("Research exports are for team leads.")
FHIR_OBJECT_TYPE = "fhir.bundle"
RESEARCH_OBJECT_TYPE = "research.sced_export"


def export_patient_bundle(actor: User, patient: Patient) -> dict[str, Any]:
    """The patient's record as a FHIR R4 Bundle (``interop.fhir.bundle``), as a JSON-ready dict.

    Precondition: the actor may see the patient's clinical record (``patients.access.can_view_patient``);
    otherwise PermissionDenied, and nothing is read. Side effect: one EXPORT audit event for the
    patient, naming the Bundle's id (the page or API call that asked writes no second one).
    Missing parts (no results, no plan, no medicines) are simply absent from the Bundle.
    """
    if not patient_access.can_view_patient(actor, patient):
        raise PermissionDenied(gettext(NOT_YOUR_PATIENT))
    goals = selectors.goal_records(patient)
    bundle_id = str(uuid.uuid4())
    out = fhir_bundle.patient_bundle(
        patient=selectors.patient_record(patient),
        results=selectors.result_records(patient),
        goals=goals,
        plans=selectors.plan_records(patient, goals),
        medications=selectors.medication_records(patient),
        base=selectors.fhir_base_url(),
        now=timezone.now(),
        bundle_id=bundle_id,
    )
    audit.record_event(
        actor=actor,
        action=AuditAction.EXPORT,
        patient=patient,
        object_type=FHIR_OBJECT_TYPE,
        object_id=bundle_id,
    )
    return out


def may_download_questionnaires(user: Any) -> bool:
    """Instrument definitions carry no patient data, but they are clinical tools: clinicians
    and team leads who give clinical care (the policy's ``may_give_clinical_care``)."""
    return access.may_give_clinical_care(user)


def export_questionnaires(actor: User, keys: list[str] | None = None) -> dict[str, Any]:
    """Every instrument definition (or those named) as a Bundle of Questionnaires. No patient
    data, so no audit event."""
    if not may_download_questionnaires(actor):
        raise PermissionDenied(gettext(NOT_A_CLINICIAN))
    definitions = (
        [instruments.get(key) for key in keys] if keys else list(instruments.all_instruments())
    )
    return fhir_bundle.questionnaire_bundle(
        definitions, base=selectors.fhir_base_url(), now=timezone.now()
    )


# --- research exports ------------------------------------------------------------------------


def may_export_research(user: Any) -> bool:
    """Team leads, over their team's patients (``patients_visible_to``): they oversee the
    team's outcomes. Clinicians export a single study from its page; a programme admin sees no
    clinical content (issue #6), so never."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.role == Role.TEAM_LEAD
    )


@dataclass(frozen=True)
class ResearchScope:
    studies: list  # sced Study rows of consenting patients
    included_patients: list
    excluded_patients: int  # patients with SCED data but no research consent in force


def research_scope(actor: User) -> ResearchScope:
    """Who would be in a research export for ``actor``: patients in reach with single-case data,
    split by research consent in force (patients.ConsentRecord, kind "research")."""
    if not may_export_research(actor):
        raise PermissionDenied(gettext(NOT_A_TEAM_LEAD))
    studies = list(sced_selectors.studies_with_data(patient_access.patients_visible_to(actor)))
    patients = {s.episode.patient_id: s.episode.patient for s in studies}
    consenting = patient_selectors.patients_with_consent_in_force(patients, ConsentKind.RESEARCH)
    return ResearchScope(
        studies=[s for s in studies if s.episode.patient_id in consenting],
        included_patients=[p for pid, p in patients.items() if pid in consenting],
        excluded_patients=len(patients) - len(consenting),
    )


@dataclass(frozen=True)
class ResearchExport:
    content: bytes
    filename: str
    participants: int
    excluded: int


def research_export(actor: User) -> ResearchExport:
    """A zip of de-identified single-case data of consenting patients (``interop.research``).

    Side effect: one audit INSERT for the export: an EXPORT event per included patient (so each
    patient's log shows it), or one event without a patient when nobody was included."""
    scope = research_scope(actor)
    studies = []
    for study in scope.studies:
        study_inputs = sced_selectors.analysis_inputs(study)
        if study_inputs is None:
            continue
        inputs = study_inputs.to_json()
        studies.append(
            research.StudyData(
                patient_key=str(study.episode.patient_id),
                inputs=inputs,
                start_date=study.start_date,
                session_dates=sced_selectors.session_dates(study),
            )
        )
    today = timezone.localdate()
    package = research.build_package(
        studies,
        secret=getattr(settings, "RESEARCH_DATE_SHIFT_SECRET", "") or settings.SECRET_KEY,
        excluded_without_consent=scope.excluded_patients,
        created_on=today,
    )
    export_id = str(uuid.uuid4())
    rows = [(export_id, p.pk) for p in scope.included_patients] or [(export_id, None)]
    audit.record_views(
        actor=actor, object_type=RESEARCH_OBJECT_TYPE, rows=rows, action=AuditAction.EXPORT
    )
    return ResearchExport(
        content=package.content,
        filename=f"sced-research-export-{today.isoformat()}.zip",
        participants=package.participants,
        excluded=scope.excluded_patients,
    )
