"""Admin: read-only views of studies, draws, analyses and diary links (for support and audit).

Clinical records change only through ``sced.services``, which validate and audit; the admin
therefore adds, changes and deletes nothing here, and every page audits the records it shows
(painclinic.admin.ClinicalRecordAdmin). Measurements cannot be deleted at all (the
database refuses it too, migration 0002). Values are not listed, only their existence, and a
diary link's token hash is never shown.
"""

from __future__ import annotations

from django.contrib import admin

from painclinic.admin import ClinicalInline, ClinicalRecordAdmin
from sced.models import AnalysisRun, DiaryLink, Draw, Measure, Measurement, Study

ReadOnlyAdmin = ClinicalRecordAdmin


class ReadOnlyInline(ClinicalInline):
    show_change_link = False


class MeasureInline(ReadOnlyInline):
    model = Measure
    fields = ["position", "name", "unit", "range_min", "range_max", "improvement"]


class DrawInline(ReadOnlyInline):
    model = Draw
    fields = ["start", "tiers", "seed", "concealed", "drawn_by", "drawn_at"]
    readonly_fields = ["drawn_at"]


@admin.register(Study)
class StudyAdmin(ReadOnlyAdmin):
    patient_path = "episode__patient"
    list_display = ["id", "design", "state", "episode", "created_by", "created_at", "closed_at"]
    list_filter = ["design", "state"]
    list_select_related = ["episode", "created_by"]
    inlines = [MeasureInline, DrawInline]
    readonly_fields = ["created_at"]


@admin.register(Draw)
class DrawAdmin(ReadOnlyAdmin):
    patient_path = "study__episode__patient"
    list_display = ["id", "study", "start", "seed", "concealed", "drawn_by", "drawn_at"]
    list_select_related = ["study", "drawn_by"]
    readonly_fields = ["drawn_at"]


@admin.register(AnalysisRun)
class AnalysisRunAdmin(ReadOnlyAdmin):
    patient_path = "study__episode__patient"
    list_display = ["id", "study", "state", "attempts", "created_at", "finished_at"]
    list_filter = ["state"]
    list_select_related = ["study"]
    exclude = ["inputs", "results"]  # clinical values stay on the access-checked pages
    readonly_fields = ["created_at"]


@admin.register(Measurement)
class MeasurementAdmin(ReadOnlyAdmin):
    patient_path = "measure__study__episode__patient"
    """Which sessions exist and who recorded them; never a delete (not even in bulk)."""

    # A struck-out value is kept (not analysed): the list says which ones, read-only as the rest.
    list_display = [
        "id",
        "measure",
        "session",
        "date",
        "recorded_by",
        "recorded_at",
        "struck_out_at",
    ]
    list_select_related = ["measure", "recorded_by"]
    exclude = ["original_value", "value"]
    readonly_fields = ["recorded_at"]
    actions = None


@admin.register(DiaryLink)
class DiaryLinkAdmin(ReadOnlyAdmin):
    patient_path = "study__episode__patient"
    list_display = ["id", "study", "kind", "expires_at", "used_at", "revoked_at", "created_by"]
    list_filter = ["kind"]
    list_select_related = ["study", "created_by"]
    exclude = ["token_hash"]
    readonly_fields = ["created_at"]
