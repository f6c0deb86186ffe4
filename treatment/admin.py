"""Admin: read-only views for support staff. Clinical writes go through services only."""

from django.contrib import admin

from treatment.models import FlareUpPlan, Goal, HierarchyItem, PacingPlan, TreatmentPlan


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TreatmentPlan)
class TreatmentPlanAdmin(ReadOnlyAdmin):
    list_display = ("episode", "version", "signed_by", "signed_at")


@admin.register(Goal)
class GoalAdmin(ReadOnlyAdmin):
    list_display = ("what", "episode", "domain", "by_when")


@admin.register(HierarchyItem)
class HierarchyItemAdmin(ReadOnlyAdmin):
    list_display = ("activity", "patient", "fear_rating")


@admin.register(PacingPlan)
class PacingPlanAdmin(ReadOnlyAdmin):
    list_display = ("activity", "patient", "start_date")


@admin.register(FlareUpPlan)
class FlareUpPlanAdmin(ReadOnlyAdmin):
    list_display = ("patient", "version", "signed_by", "signed_at")
