"""The education pages' queries are pinned and do not grow with the number of contacts, topics
covered or techniques coded (performance.md R1). The patient page only links to the education
record (no query), so its own pin (tests/patients/test_query_counts.py) does not move."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from education import selectors, services
from patients.models import Contact
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db

# Session, user, MFA device, patient through the access policy; the records, their topics and
# their techniques (2 prefetches), the curriculum, the contacts; unread notifications and the
# self-harm banner; the audit chain's lock, head and INSERT; the session save (3 with the test
# savepoints).
# -3 (issue #16): the session is renewed once a minute, not saved (3 queries) on every page.
# -1 (issue #16): the audit chain's lock and head are read in one statement.
# -1 (issue #16): the session's authenticator is read with the user (no query of its own).
# -1 (issue #16): whether there are unread notifications is read with the user.
# - 1: the page's audit event is one statement (painclinic migration 0013)
EDUCATION_PAGE_QUERIES = 10
# Session, user, MFA device, patient; the contact (with its education), the curriculum, the
# techniques; notifications, banner; audit lock, head, INSERT; session save (3).
# -3 (issue #16): the session is renewed once a minute, not saved (3 queries) on every page.
# -1 (issue #16): the audit chain's lock and head are read in one statement.
# -1 (issue #16): the session's authenticator is read with the user (no query of its own).
# -1 (issue #16): whether there are unread notifications is read with the user.
# - 1: the page's audit event is one statement (painclinic migration 0013)
CONTACT_FORM_QUERIES = 8
# Session, user, MFA device; the contacts and patients counted, the coded techniques (one row per
# coded technique), their labels; notifications; session save (3). Lists no patient: no audit.
# -3 (issue #16): the session is renewed once a minute, not saved (3 queries) on every page.
# -1 (issue #16): the session's authenticator is read with the user (no query of its own).
# -1 (issue #16): whether there are unread notifications is read with the user.
TEAM_SUMMARY_QUERIES = 6


def _count(client, url, data=None):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, data or {}).status_code == 200
    return len(queries)


def _teach(patient, ana, n, topics, techniques):
    episode = patient.episodes.get()
    for i in range(n):
        contact = ContactFactory(
            episode=episode, clinician=ana, date=date.today() - timedelta(days=i + 3)
        )
        services.contact_education_record(
            actor=ana,
            patient=patient,
            contact=contact,
            topics={t.pk: ("partly", "Still thinks rest is best") for t in topics},
            technique_ids=[t.pk for t in techniques],
        )


def test_the_education_page_uses_the_same_queries_for_1_and_12_contacts(client, jannick, ana):
    topics = list(selectors.curriculum())
    techniques = selectors.techniques()
    client.force_login(ana)
    url = reverse("education:patient", kwargs={"patient_id": jannick.pk})
    _teach(jannick, ana, 1, topics[:2], techniques[:2])
    few = _count(client, url)
    _teach(jannick, ana, 11, topics, techniques[:20])
    many = _count(client, url)
    assert few == many == EDUCATION_PAGE_QUERIES


def test_the_contact_form_has_a_fixed_number_of_queries(client, jannick, ana):
    client.force_login(ana)
    contact = Contact.objects.filter(episode__patient=jannick).first()
    url = reverse("education:contact", kwargs={"patient_id": jannick.pk, "contact_id": contact.pk})
    assert _count(client, url) == CONTACT_FORM_QUERIES


def test_the_team_summary_uses_the_same_queries_for_1_and_12_contacts(
    client, jannick, susan, ana, bob
):
    techniques = selectors.techniques()
    client.force_login(bob)
    url = reverse("education:techniques")
    _teach(jannick, ana, 1, [], techniques[:3])
    few = _count(client, url)
    _teach(susan, ana, 11, [], techniques[:30])
    many = _count(client, url)
    assert few == many == TEAM_SUMMARY_QUERIES
