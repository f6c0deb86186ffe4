"""The study page's queries are pinned and do not grow with the number of measurements."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sced import services
from tests.sced.conftest import fill

# session, user, patient (access policy), study + draw, measures, measurements, amendments,
# latest run, its plots, the diary links with who issued them, the measure choices of the two entry forms (4 cursors: each select's
# choices are iterated twice when rendered), the audit INSERT, then the session save (3 with the
# test savepoints).
# (+1 since two-step verification: the authenticator that verified the session, issue #15.)
# +2: the audit chain locks its head and reads it before the INSERT (issue #15).
# Issue #10: the unread notifications and the self-harm banner's open signals (+2).
# -3 (issue #16): the session is renewed once a minute, not saved (3 queries) on every page.
# -1 (issue #16): the audit chain's lock and head are read in one statement.
STUDY_DETAIL_QUERIES = 19


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_study_page_queries_do_not_grow_with_measurements(
    client, ana, jannick, ab_study, django_capture_on_commit_callbacks
):
    services.study_randomize(actor=ana, study=ab_study, seed=11)
    client.force_login(ana)
    url = reverse("sced:study_detail", kwargs={"patient_id": jannick.pk, "study_id": ab_study.pk})
    with django_capture_on_commit_callbacks(execute=True):
        measurements = fill(ab_study, ana, [8, 7, 8])
        services.measurement_amend(actor=ana, measurement=measurements[0], value=7, reason="typo")
    few = _count(client, url)
    with django_capture_on_commit_callbacks(execute=True):
        services.measurements_record(
            actor=ana,
            study=ab_study,
            rows=[services.Row(ab_study.measures.first(), 5.0, session=s) for s in range(4, 61)],
            confirm_outside_plan=True,  # 60 sessions where 21 are planned
        )
    many = _count(client, url)
    assert few == many == STUDY_DETAIL_QUERIES
