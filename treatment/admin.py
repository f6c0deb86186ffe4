"""Admin: read-only, audited views for support staff (painclinic.admin.ClinicalRecordAdmin).
Clinical writes go through services only."""

from django.contrib import admin

from painclinic.admin import ClinicalRecordAdmin as ReadOnlyAdmin
from treatment.models import FlareUpPlan, Goal, HierarchyItem, PacingPlan, TreatmentPlan


@admin.register(TreatmentPlan)
class TreatmentPlanAdmin(ReadOnlyAdmin):
    patient_path = "episode__patient"
    list_display = ("episode", "version", "signed_by", "signed_at")


@admin.register(Goal)
class GoalAdmin(ReadOnlyAdmin):
    patient_path = "episode__patient"
    list_display = ("what", "episode", "domain", "by_when")


@admin.register(HierarchyItem)
class HierarchyItemAdmin(ReadOnlyAdmin):
    patient_path = "patient"
    list_display = ("activity", "patient", "fear_rating")


@admin.register(PacingPlan)
class PacingPlanAdmin(ReadOnlyAdmin):
    patient_path = "patient"
    list_display = ("activity", "patient", "start_date")


@admin.register(FlareUpPlan)
class FlareUpPlanAdmin(ReadOnlyAdmin):
    patient_path = "patient"
    list_display = ("patient", "version", "signed_by", "signed_at")
