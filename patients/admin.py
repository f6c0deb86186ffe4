"""Patients, episodes and contacts are clinical records: read-only and audited in the admin
(painclinic.admin.ClinicalRecordAdmin). They change through patients.services only."""

from django.contrib import admin

from painclinic.admin import ClinicalInline, ClinicalRecordAdmin
from patients.models import (
    CareTeamMember,
    ConsentRecord,
    Contact,
    EmergencyAccess,
    Episode,
    EpisodeStatusChange,
    Patient,
    SafeguardingConcern,
)


class EpisodeInline(ClinicalInline):
    model = Episode
    fields = ("team", "referral_date", "status", "lead_clinician", "discharge_date")
    readonly_fields = fields
    show_change_link = True


@admin.register(Patient)
class PatientAdmin(ClinicalRecordAdmin):
    patient_path = "pk"
    list_display = ("identifier", "family_name", "given_name", "date_of_birth", "primary_condition")
    search_fields = ("identifier", "family_name", "given_name")
    list_filter = ("primary_condition", "sex")
    readonly_fields = ("version", "created_at", "updated_at", "created_by")
    inlines = [EpisodeInline]


class CareTeamInline(ClinicalInline):
    model = CareTeamMember
    fields = ("user",)


class StatusChangeInline(ClinicalInline):
    model = EpisodeStatusChange
    fields = ("from_status", "to_status", "changed_on", "changed_by", "note")


@admin.register(Episode)
class EpisodeAdmin(ClinicalRecordAdmin):
    patient_path = "patient"
    list_display = ("patient", "team", "status", "referral_date", "lead_clinician")
    list_filter = ("status", "team")
    search_fields = ("patient__identifier", "patient__family_name")
    list_select_related = ("patient", "team", "lead_clinician")
    inlines = [CareTeamInline, StatusChangeInline]


@admin.register(Contact)
class ContactAdmin(ClinicalRecordAdmin):
    patient_path = "episode__patient"
    list_display = ("episode", "date", "contact_type", "duration_minutes", "clinician")
    list_filter = ("contact_type",)
    list_select_related = ("episode__patient", "clinician")


@admin.register(EmergencyAccess)
class EmergencyAccessAdmin(ClinicalRecordAdmin):
    patient_path = "patient"
    list_display = ("user", "patient", "started_at", "expires_at", "reviewed_at")
    list_select_related = ("user", "patient")


@admin.register(ConsentRecord)
class ConsentRecordAdmin(ClinicalRecordAdmin):
    patient_path = "patient"
    list_display = ("patient", "kind", "state", "decided_on")
    list_select_related = ("patient",)
    list_filter = ("kind", "state")


@admin.register(SafeguardingConcern)
class SafeguardingConcernAdmin(ClinicalRecordAdmin):
    patient_path = "patient"
    list_display = ("patient", "category", "raised_on", "closed_on")
    list_select_related = ("patient",)
