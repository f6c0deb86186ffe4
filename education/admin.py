"""Education in the admin. The curriculum and the technique list are reference data, edited in
the product (team lead) or by migration, so read-only here; the per-contact records change
through education.services only (written once, audited): read-only and audited
(painclinic.admin.ClinicalRecordAdmin)."""

from django.contrib import admin

from education.models import ContactEducation
from painclinic.admin import ClinicalRecordAdmin


@admin.register(ContactEducation)
class ContactEducationAdmin(ClinicalRecordAdmin):
    patient_path = "patient"
    list_display = ("patient", "contact", "recorded_by")
    list_select_related = ("patient", "contact", "recorded_by")
