"""Writes of the bottom layer that are not accounts: the clinic's own details (issue #14)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction

from painclinic import audit
from painclinic.models import AuditAction, ClinicDetails

if TYPE_CHECKING:
    from painclinic.models import User

CLINIC_DETAILS_FIELDS = ("name", "address", "phone", "email", "website", "rereferral", "footer")


@transaction.atomic
def clinic_details_update(*, actor: User, data: dict[str, Any]) -> ClinicDetails:
    """Save the clinic's details (the letterhead). Creates the one row on first use.

    ``data``: cleaned values of ``CLINIC_DETAILS_FIELDS`` (a form has checked them). One CHANGE
    audit event naming the fields that changed (none changed: no event, nothing written). The row
    is locked so two leads saving at once do not interleave their fields.
    """
    row = (
        ClinicDetails.objects.select_for_update(no_key=True)
        .filter(pk=ClinicDetails.SINGLETON_PK)
        .first()
    )
    created = row is None
    if row is None:
        row = ClinicDetails(pk=ClinicDetails.SINGLETON_PK)
    changed = [
        field
        for field in CLINIC_DETAILS_FIELDS
        if field in data and (data[field] or "") != (getattr(row, field) or "")
    ]
    if not changed and not created:
        return row
    for field in changed:
        setattr(row, field, data[field] or "")
    row.updated_by = actor
    row.save()
    audit.record_event(
        actor=actor,
        action=AuditAction.CREATE if created else AuditAction.CHANGE,
        obj=row,
        changed_fields=changed,
    )
    return row
