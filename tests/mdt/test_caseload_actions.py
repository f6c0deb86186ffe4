"""An action agreed at the MDT shows on its owner's caseload ("Your MDT actions") and on the team
lead's review until it is done (issue #13); the panel costs the same queries for 1 or 10."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mdt import services
from tests.factories import EpisodeFactory
from tests.review.test_query_counts import CASELOAD_QUERIES

pytestmark = pytest.mark.django_db


def _actions_for(owner, bob, ana, north, n):
    flags = []
    for _ in range(n):
        episode = EpisodeFactory(team=north, lead_clinician=ana, care_team=[ana])
        flags.append(services.flag_for_mdt(actor=ana, patient=episode.patient, reason="Plateau."))
    conference = services.conference_prepare(
        actor=bob, team=north, held_on=date.today(), attendees=[], flags=flags
    )
    return [
        services.action_add(
            actor=bob,
            discussion=d,
            text=f"Phone the GP of {d.patient.family_name}.",
            owner=owner,
            due_on=date.today() + timedelta(days=7),
        )
        for d in conference.discussions.all()
    ]


def test_anas_action_shows_on_her_caseload_and_bobs_review_until_done(client, ana, bob, north):
    (action,) = _actions_for(ana, bob, ana, north, 1)
    client.force_login(ana)
    caseload = client.get(reverse("caseload")).content.decode()
    assert "Your MDT actions" in caseload
    assert action.text in caseload
    client.force_login(bob)
    review = client.get(reverse("team:dashboard")).content.decode()
    assert action.text in review
    client.force_login(ana)
    response = client.post(
        reverse("mdt:action_done", kwargs={"action_id": action.pk}),
        {"next": reverse("caseload")},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("caseload")
    assert action.text not in client.get(reverse("caseload")).content.decode()


def test_dinas_caseload_does_not_show_anas_actions(client, ana, bob, dina, north):
    (action,) = _actions_for(ana, bob, ana, north, 1)
    client.force_login(dina)
    assert action.text not in client.get(reverse("caseload")).content.decode()


# The caseload's pin (tests/review/test_query_counts.py, no panel with rows) plus the actions'
# list (read because that panel has rows, issue #16) and their audit (the chain's lock, head and
# INSERT in one statement, issue #16).
CASELOAD_WITH_ACTIONS_QUERIES = CASELOAD_QUERIES + 2


def test_the_caseload_panel_costs_the_same_for_1_and_10_actions(client, ana, bob, north):
    client.force_login(ana)
    counts = []
    for n in (1, 9):
        _actions_for(ana, bob, ana, north, n)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("caseload")).status_code == 200
        counts.append(len(queries))
    assert counts == [CASELOAD_WITH_ACTIONS_QUERIES] * 2
