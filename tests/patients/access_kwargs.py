"""URL parameters for patients views, for the access suite (tests/test_access.py)."""

from datetime import timedelta

from django.utils import timezone

from patients.models import EmergencyAccess, Episode, ReviewNote


def url_kwargs(patient, actor) -> dict:
    """A team lead's review note on the patient's episode, addressed to ``actor``, and an emergency
    access by ``actor`` to the patient."""
    episode = Episode.objects.filter(patient=patient).first()
    note = ReviewNote.objects.create(
        episode=episode, author=actor, addressed_to=actor, text="Please review the goals."
    )
    # An emergency access to the patient, for the team lead's review page.
    grant = EmergencyAccess.objects.create(
        user=actor,
        patient=patient,
        reason="On call overnight: the patient rang the ward about a flare-up.",
        expires_at=timezone.now() + timedelta(hours=1),
    )
    return {"note_id": note.pk, "grant_id": grant.pk}
