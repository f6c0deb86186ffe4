"""The medication record in the admin: read-only and audited (painclinic.admin.ClinicalRecordAdmin).
Medicines, OME figures, naloxone offers and taper plans change through medicines.services only,
which validate, version and audit."""

from django.contrib import admin

from medicines.models import (
    Medication,
    MedicationVersion,
    NaloxoneOffer,
    OmeFigure,
    TaperPlan,
    TaperStep,
)
from painclinic.admin import ClinicalInline, ClinicalRecordAdmin


class MedicationVersionInline(ClinicalInline):
    model = MedicationVersion
    fields = ("version", "product", "name", "strength", "unit", "effective_from", "stop_date")
    readonly_fields = fields
    show_change_link = True


@admin.register(Medication)
class MedicationAdmin(ClinicalRecordAdmin):
    patient_path = "patient"
    list_display = ("__str__", "patient", "created_at")
    list_select_related = ("patient",)
    search_fields = ("patient__identifier",)
    inlines = [MedicationVersionInline]


@admin.register(MedicationVersion)
class MedicationVersionAdmin(ClinicalRecordAdmin):
    patient_path = "medication__patient"
    list_display = ("__str__", "medication", "version", "effective_from", "recorded_by")
    list_select_related = ("medication__patient", "recorded_by")
    list_filter = ("product", "frequency")


@admin.register(OmeFigure)
class OmeFigureAdmin(ClinicalRecordAdmin):
    patient_path = "patient"
    list_display = ("patient", "as_of", "total", "table", "computed_at")
    list_select_related = ("patient",)
    list_filter = ("table",)


@admin.register(NaloxoneOffer)
class NaloxoneOfferAdmin(ClinicalRecordAdmin):
    patient_path = "patient"
    list_display = ("patient", "offered_on", "accepted")
    list_select_related = ("patient",)


class TaperStepInline(ClinicalInline):
    model = TaperStep
    fields = ("on", "dose_before", "dose_after", "paused", "reason")
    readonly_fields = fields


@admin.register(TaperPlan)
class TaperPlanAdmin(ClinicalRecordAdmin):
    patient_path = "patient"
    list_display = ("patient", "version", "start_dose", "target_dose", "signed_by", "signed_at")
    list_select_related = ("patient", "signed_by")
    inlines = [TaperStepInline]


@admin.register(TaperStep)
class TaperStepAdmin(ClinicalRecordAdmin):
    patient_path = "patient"
    list_display = ("patient", "on", "dose_before", "dose_after", "paused")
    list_select_related = ("patient",)
