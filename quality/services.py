"""Writes of the quality app: a supervisor records a rating (issue #13)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext, gettext_noop

from painclinic import audit
from painclinic.access import supervised_teams
from painclinic.models import AuditAction, User
from quality import scales
from quality.models import SupervisorRating

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import date

    from patients.models import Contact

NOT_YOUR_CLINICIAN = gettext_noop("You can rate only clinicians of a team you lead.")
CONTACT_NOT_OF_CLINICIAN = gettext_noop("The session chosen was not with this clinician.")
UNKNOWN_SCALE = gettext_noop("Choose a rating scale.")


@transaction.atomic
def supervisor_rating_record(
    *,
    actor: User,
    clinician: User,
    scale: str,
    values: Mapping[str, Any],
    session_date: date,
    contact: Contact | None = None,
    segment: str = "",
    feedback: str = "",
) -> SupervisorRating:
    """Score ``values`` with the scale's pure core and store the rating with its result.
    Refused (ValidationError) when the actor leads no team of the clinician, when the session
    chosen was not the clinician's, or when the items cannot be scored (the scale's message)."""
    if scale not in scales.SCALES:
        raise ValidationError(gettext(UNKNOWN_SCALE), code="scale")
    team = supervised_teams(actor, clinician).first()
    if team is None or clinician.pk == actor.pk:
        raise ValidationError(gettext(NOT_YOUR_CLINICIAN), code="not_supervisor")
    if contact is not None and contact.clinician_id != clinician.pk:
        raise ValidationError(gettext(CONTACT_NOT_OF_CLINICIAN), code="contact")
    definition = scales.get(scale)
    try:
        result = definition.score(values)
    except scales.InvalidRating as exc:
        raise ValidationError(str(exc), code="invalid") from exc
    rating = SupervisorRating.objects.create(
        scale=scale,
        clinician=clinician,
        team=team,
        rater=actor,
        contact=contact,
        session_date=session_date,
        segment=segment,
        items={item_id: values[item_id] for item_id in definition.item_ids()},
        result=result.as_dict(),
        feedback=feedback,
    )
    audit.record_event(actor=actor, action=AuditAction.CREATE, obj=rating)
    return rating
