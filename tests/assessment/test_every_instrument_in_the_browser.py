"""Every instrument of the library can be given on its own in the browser, answered, signed and
scored exactly as the pure library scores it (issue #3: "every key scores from the CLI and the
browser")."""

from __future__ import annotations

import pytest
from django.urls import reverse

from assessment import instruments
from assessment.models import Administration
from tests.assessment.plain_language import assert_plain_language

KEYS = [definition.key for definition in instruments.all_instruments()]


def _mid_answers(key: str) -> dict[str, int]:
    # A valid answer for every item: the middle code of its printed scale.
    return {item.id: (item.scale.min + item.scale.max) // 2 for item in instruments.get(key).items}


@pytest.mark.django_db
@pytest.mark.parametrize("key", KEYS)
def test_ana_gives_jannick_a_single_instrument_and_signs_it(client, jannick, ana, key):
    client.force_login(ana)
    sessions = reverse("assessment:sessions", kwargs={"patient_id": jannick.pk})
    response = client.post(
        sessions, {"time_point": "review", "date": "2026-01-05", "instruments": [key]}
    )
    assert response.status_code == 302, response.content.decode()[:1500]
    administration = Administration.objects.get(session__patient=jannick, instrument_key=key)
    url = reverse(
        "assessment:administration",
        kwargs={"patient_id": jannick.pk, "administration_id": administration.pk},
    )
    draft_page = client.get(url)
    assert draft_page.status_code == 200
    assert_plain_language(draft_page.content, page=f"{key} draft")
    answers = _mid_answers(key)
    posted = {f"item_{item_id}": str(code) for item_id, code in answers.items()}
    kwargs = {"patient_id": jannick.pk, "administration_id": administration.pk}
    preview_url = reverse("assessment:score_preview", kwargs=kwargs)
    first_item = next(iter(posted.items()))
    for given in (dict([first_item]), posted):  # cannot be scored yet, then complete
        preview = client.post(preview_url, given)
        assert_plain_language(preview.content, page=f"{key} preview of {len(given)} answers")
    response = client.post(url, {**posted, "sign": "1"})
    assert response.status_code == 302, response.content.decode()[:1500]
    administration.refresh_from_db()
    assert administration.state == "signed"
    for name in ("assessment:administration", "assessment:amend"):
        assert_plain_language(
            client.get(reverse(name, kwargs=kwargs)).content, page=f"{key} {name}"
        )
    expected = instruments.score(key, answers)
    assert administration.score["scorable"] is isinstance(expected, instruments.Score)
    if isinstance(expected, instruments.Score):
        assert administration.score["total"] == expected.total


@pytest.mark.django_db
def test_a_session_needs_a_battery_or_an_instrument(client, jannick, ana):
    client.force_login(ana)
    response = client.post(
        reverse("assessment:sessions", kwargs={"patient_id": jannick.pk}),
        {"time_point": "review", "date": "2026-01-05"},
    )
    assert response.status_code == 400
    assert "Choose a battery, or one or more single instruments." in response.content.decode()
