"""URL parameters for education views, for the access suite (tests/test_access.py)."""

from patients.models import Contact


def url_kwargs(patient, actor) -> dict:
    """The patient's first contact (Jannick's first assessment)."""
    contact = Contact.objects.filter(episode__patient=patient).order_by("date", "id").first()
    return {"contact_id": contact.pk}
