"""Queries on the main pages are pinned and do not grow with the number of rows
(performance.md R1: 3 queries vs 53 with N+1 made the caseload 3.8x slower)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import ContactFactory, EpisodeFactory


def _caseload_of(ana, north, n):
    for _ in range(n):
        episode = EpisodeFactory(team=north, lead_clinician=ana, care_team=[ana])
        ContactFactory(episode=episode)


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


# (+1 since two-step verification: the authenticator that verified the session, issue #15.)
# Lists: session, user, COUNT, one page query, then the session save (UPDATE wrapped in a
# SAVEPOINT/RELEASE pair, which exists only because tests run inside a transaction). Each list
# audits the patients it shows in one INSERT, whatever their number, after the audit chain
# locks and reads its head (+2, issue #15). The caseload page is pinned with the review app
# (tests/review/test_query_counts.py).
# Issue #10: pages in the app frame count the unread notifications (+1); patient pages also read
# the self-harm banner's open signals (+1), and the access level when one is open (+1).
# -3 (issue #16): the session is renewed once a minute, not saved (3 queries) on every page.
# -1 (issue #16): the audit chain's lock and head are read in one statement.
# -1 (issue #16): the session's authenticator is read with the user (no query of its own).
# -1 (issue #16): whether there are unread notifications is read with the user.
# -1 (issue #16): a list page's audit (chain lock, head, INSERT) is one statement.
PATIENT_LIST_QUERIES = 5
# Detail: session, user, patient (through the access policy), episodes, care teams, status
# changes, contacts, reassignments, review notes (now: episodes, their rows, their people),
# the audit INSERT, then the session save (3
# with the test savepoints).
# +2: the audit chain locks its head and reads it before the INSERT (issue #15).
# +2 (issue #13): the care-team changes and the follow-up calls of the episodes (timeline).
# -3 (issue #16): the session is renewed once a minute, not saved (3 queries) on every page.
# -5 (issue #16): the episodes' rows (care teams, status changes, contacts, reassignments,
# care-team changes, follow-up calls, review notes) in ONE query, their people in one more.
# -1 (issue #16): the audit chain's lock and head are read in one statement.
# -1 (issue #16): the session's authenticator is read with the user (no query of its own).
# -1 (issue #16): whether there are unread notifications is read with the user.
# - 1: the page's audit event is one statement (painclinic migration 0013)
PATIENT_DETAIL_QUERIES = 9  # + an open safeguarding concern (issue #10)


@pytest.mark.django_db
def test_the_patient_list_uses_the_same_queries_for_3_and_30_patients(client, ana, north):
    client.force_login(ana)
    _caseload_of(ana, north, 3)
    few = _count(client, reverse("patients:list"))
    _caseload_of(ana, north, 27)
    many = _count(client, reverse("patients:list"))
    assert few == many == PATIENT_LIST_QUERIES


@pytest.mark.django_db
def test_patient_detail_queries_do_not_grow_with_contacts(client, jannick, ana):
    client.force_login(ana)
    url = reverse("patients:detail", kwargs={"patient_id": jannick.pk})
    few = _count(client, url)
    episode = jannick.episodes.get()
    for _ in range(25):
        ContactFactory(episode=episode)
    many = _count(client, url)
    assert few == many == PATIENT_DETAIL_QUERIES
