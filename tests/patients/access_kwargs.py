"""URL parameters for patients views, for the access suite (tests/test_access.py)."""

from patients.models import Episode, ReviewNote


def url_kwargs(patient, actor) -> dict:
    """A team lead's review note on the patient's episode, addressed to ``actor``."""
    episode = Episode.objects.filter(patient=patient).first()
    note = ReviewNote.objects.create(
        episode=episode, author=actor, addressed_to=actor, text="Please review the goals."
    )
    return {"note_id": note.pk}
