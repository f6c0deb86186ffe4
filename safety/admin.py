"""Safety records in the admin: read-only and audited (painclinic.admin.ClinicalRecordAdmin).
Signals, safety assessments, safety plans and notifications change through safety.services only,
which validate, version and audit. Notifications are a user's own inbox: not in the admin."""

from django.contrib import admin

from painclinic.admin import ClinicalRecordAdmin
from safety.models import RiskSignal, SafetyAssessment, SafetyPlan


@admin.register(RiskSignal)
class RiskSignalAdmin(ClinicalRecordAdmin):
    patient_path = "patient"
    list_display = ("patient", "raised_at", "response")
    list_select_related = ("patient", "response")


@admin.register(SafetyAssessment)
class SafetyAssessmentAdmin(ClinicalRecordAdmin):
    patient_path = "patient"
    list_display = ("patient", "assessed_by", "outcome")
    list_select_related = ("patient", "assessed_by")


@admin.register(SafetyPlan)
class SafetyPlanAdmin(ClinicalRecordAdmin):
    patient_path = "patient"
    list_display = ("patient", "version", "created_by")
    list_select_related = ("patient", "created_by")
