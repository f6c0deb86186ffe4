"""Ana's caseload page uses the same queries for 3 and 30 patients (performance.md R1: 3 queries
vs 53 with N+1 made the caseload 3.8x slower); the pin moved here with the page from patients/."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import ContactFactory, EpisodeFactory

# (+1 since two-step verification: the authenticator that verified the session, issue #15.)
# Session, user, COUNT, one page query (the self-harm badge is an EXISTS in it), then the session
# save (UPDATE wrapped in a SAVEPOINT/RELEASE pair, which exists only because tests run inside a
# transaction). The caseload also reads the unread review notes addressed to the user (one
# query). It audits the patients it shows in one INSERT, whatever their number, after the audit
# chain locks and reads its head (+2, issue #15).
# Issue #10: pages in the app frame count the unread notifications (+1).
# Issue #13: + the user's open MDT actions (one query; their audit INSERT only when there are
# some: tests/mdt/test_caseload_actions.py).
# +1 (issue #13): the clinician's overdue follow-up calls after discharge.
# -3 (issue #16): the session is renewed once a minute, not saved (3 queries) on every page.
# -2 (issue #16): one query says which of the three panels (notes, follow-up calls, MDT actions)
# has rows; here none, so none of their lists is read. A panel with rows adds its list
# (tests/patients/test_episodes_and_follow_ups.py, tests/mdt/test_caseload_actions.py).
# -1 (issue #16): the page's open safeguarding concerns are an EXISTS in the page query.
# -1 (issue #16): the episodes are counted in the panels' query, not in a COUNT of their own.
# -1 (issue #16): the audit chain's lock and head are read in one statement.
# -1 (issue #16): the session's authenticator is read with the user (no query of its own).
# -1 (issue #16): whether there are unread notifications is read with the user.
# -1 (issue #16): a list page's audit (chain lock, head, INSERT) is one statement.
CASELOAD_QUERIES = 5


def _caseload_of(ana, north, n):
    for _ in range(n):
        episode = EpisodeFactory(team=north, lead_clinician=ana, care_team=[ana])
        ContactFactory(episode=episode)


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_the_caseload_uses_the_same_queries_for_3_and_30_patients(client, ana, north):
    client.force_login(ana)
    _caseload_of(ana, north, 3)
    few = _count(client, reverse("caseload"))
    _caseload_of(ana, north, 27)
    many = _count(client, reverse("caseload"))
    assert few == many == CASELOAD_QUERIES
