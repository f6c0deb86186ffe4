from django.contrib import admin

from programmes.models import Cohort, Programme, ProgrammeMeasure, StaffMember


class MeasureInline(admin.TabularInline):
    model = ProgrammeMeasure
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "team")
    list_filter = ("kind", "team")
    inlines = [MeasureInline]


class StaffInline(admin.TabularInline):
    model = StaffMember
    extra = 0


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ("name", "programme", "start_date", "end_date", "capacity")
    list_filter = ("programme",)
    inlines = [StaffInline]
