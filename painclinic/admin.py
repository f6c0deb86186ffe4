from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from painclinic.models import AuditEvent, Membership, Team, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "first_name", "last_name", "role", "discipline", "is_active")
    list_filter = ("role", "discipline", "is_active", "is_staff")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("Clinical role", {"fields": ("role", "discipline")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        ("Clinical role", {"fields": ("first_name", "last_name", "role", "discipline")}),
    )


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    search_fields = ("name",)
    inlines = [MembershipInline]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only (the database refuses changes anyway)."""

    list_display = ("at", "actor_username", "action", "object_type", "object_id", "client_address")
    list_filter = ("action",)
    search_fields = ("actor_username", "request_id", "object_id")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
