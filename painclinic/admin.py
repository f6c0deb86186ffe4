"""What the Django admin is for (issue #9): accounts, teams and memberships here; configuration
(batteries, programmes, cohorts and their outcome measures) in the apps' admin modules.

Clinical records are read-only in the admin: they change only through the services, which
validate and audit. Every admin page that shows a clinical record writes a VIEW event per
record, as any other page does (DESIGN.md: "every access ... audited, including the Django
admin"). ``tests/painclinic/test_admin.py`` walks every registered model to hold this.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from painclinic import audit
from painclinic.models import AuditEvent, Membership, Team, User


class ClinicalRecordAdmin(admin.ModelAdmin):
    """A clinical model in the admin: look, never add, change or delete; every look audited.

    ``patient_path`` is the ORM path from the model to its patient's primary key
    ("pk" for Patient itself, "episode__patient" for a contact, ...).
    """

    patient_path: str = ""
    actions = None

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def _audit(self, request, object_ids) -> None:
        object_ids = list(object_ids)
        if not object_ids:
            return
        rows = list(
            self.model._default_manager.filter(pk__in=object_ids).values_list(
                "pk", self.patient_path
            )
        )
        audit.record_views(actor=request.user, object_type=self.model._meta.label_lower, rows=rows)

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if changelist is not None:
            self._audit(request, (obj.pk for obj in changelist.result_list))
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if response.status_code == 200:
            obj = self.get_object(request, unquote(object_id))
            if obj is not None:
                self._audit(request, [obj.pk])
        return response

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        if response.status_code == 200:
            obj = self.get_object(request, unquote(object_id))
            if obj is not None:
                self._audit(request, [obj.pk])
        return response


class ClinicalInline(admin.TabularInline):
    """Rows of a clinical record shown on its parent's (audited) page, read-only."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


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
    """Read-only: the audit log is append-only (the database refuses changes anyway). The patient
    is shown by record id only, so browsing the log here shows no patient's name."""

    list_display = ("at", "actor_username", "action", "object_type", "object_id", "client_address")
    exclude = ("patient",)
    readonly_fields = ("patient_record",)
    actions = None

    @admin.display(description="Patient record id")
    def patient_record(self, obj: AuditEvent) -> str:
        return str(obj.patient_id or "")

    list_filter = ("action",)
    search_fields = ("actor_username", "request_id", "object_id")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
