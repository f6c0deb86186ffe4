from django.contrib import admin

from patients.models import CareTeamMember, Contact, Episode, EpisodeStatusChange, Patient


class EpisodeInline(admin.TabularInline):
    model = Episode
    extra = 0
    fields = ("team", "referral_date", "status", "lead_clinician", "discharge_date")
    readonly_fields = fields
    can_delete = False
    show_change_link = True


@admin.register(Patient)
class PatientAdmin(admin.ModelAdmin):
    list_display = ("identifier", "family_name", "given_name", "date_of_birth", "primary_condition")
    search_fields = ("identifier", "family_name", "given_name")
    list_filter = ("primary_condition", "sex")
    readonly_fields = ("version", "created_at", "updated_at", "created_by")
    inlines = [EpisodeInline]


class CareTeamInline(admin.TabularInline):
    model = CareTeamMember
    extra = 0
    autocomplete_fields = ("user",)


class StatusChangeInline(admin.TabularInline):
    model = EpisodeStatusChange
    extra = 0
    readonly_fields = ("from_status", "to_status", "changed_on", "changed_by", "note")
    can_delete = False


@admin.register(Episode)
class EpisodeAdmin(admin.ModelAdmin):
    list_display = ("patient", "team", "status", "referral_date", "lead_clinician")
    list_filter = ("status", "team")
    search_fields = ("patient__identifier", "patient__family_name")
    raw_id_fields = ("patient",)
    inlines = [CareTeamInline, StatusChangeInline]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ("episode", "date", "contact_type", "duration_minutes", "clinician")
    list_filter = ("contact_type",)
    raw_id_fields = ("episode",)
