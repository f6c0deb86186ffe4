"""URL parameters for medicines views, for the access suite (tests/test_access.py)."""

from datetime import date

from medicines import services


def url_kwargs(patient, actor) -> dict:
    medication = services.medication_add(
        actor=actor,
        patient=patient,
        data={
            "product": "oxycodone_oral",
            "strength": 10,
            "doses_per_day": 2,
            "start_date": date(2026, 1, 5),
        },
    )
    return {"medication_id": medication.pk}
