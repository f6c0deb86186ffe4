"""Assessment factories. ``signed_result`` is a contract: the treatment and team-lead engineers
create signed results with it in their tests, always through the real services."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from assessment import instruments, services
from assessment.models import Administration, TimePoint
from patients.models import Episode

if TYPE_CHECKING:
    from datetime import date


def signed_result(
    *,
    patient,
    key: str,
    answers: dict[str, Any],
    actor,
    on: date | None = None,
    time_point: str | None = None,
) -> Administration:
    """Start a one-instrument session for ``patient`` (current episode, else the last one), sign ``answers`` as
    ``actor`` on ``on`` (today by default) and return the signed Administration. The session is
    a first visit unless ``time_point`` says otherwise, or a review for an instrument that asks
    about change since care began (the PGIC is never given at a first visit)."""
    episode = Episode.objects.current_or_last_for(patient)
    if time_point is None:
        asks_about_change = key in instruments.ASKS_ABOUT_CHANGE
        time_point = TimePoint.REVIEW if asks_about_change else TimePoint.FIRST_VISIT
    session = services.session_start(
        actor=actor,
        patient=patient,
        episode=episode,
        time_point=time_point,
        on=on,
        instrument_keys=[key],
    )
    administration = session.administrations.get()
    return services.administration_sign(actor=actor, administration=administration, answers=answers)


def answers_all(key: str, code: int) -> dict[str, int]:
    """Every item of instrument ``key`` answered with ``code``."""
    from assessment.instruments import get

    return {item.id: code for item in get(key).items}


def made_up_wording(key: str, *, language: str = "en-gb", by=None, licence: str = "Test licence 1"):
    """Upload invented wording for every item of instrument ``key`` in ``language`` through the
    real service, as the clinic's administrator (a staff user) unless ``by`` is given. Never real
    licensed text: "Made-up question 3 (nl)" and the like."""
    from assessment.instruments import get
    from tests.factories import UserFactory

    admin = by or UserFactory(username="wording-admin", is_staff=True)
    rows = "\n".join(
        f"{item.id}, Made-up question {item.id} ({language})" for item in get(key).items
    )
    return services.item_text_upload(
        actor=admin,
        instrument_key=key,
        language=language,
        licence_reference=licence,
        items_text=rows,
        instructions=f"Made-up instructions ({language}).",
    )
