"""The new pages of therapist quality read a fixed number of queries whatever the number of
ratings (pins: a change says by how much and why in the report)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment import services as assessment_services
from assessment.models import TimePoint
from quality import services
from tests.assessment.factories import answers_all, signed_result
from tests.factories import EpisodeFactory


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _ratings(bob, ana, n):
    for _ in range(n):
        services.supervisor_rating_record(
            actor=bob,
            clinician=ana,
            scale="miti",
            values={"cct": 4, "sst": 4, "partnership": 4, "empathy": 4},
            session_date=date.today(),
        )


def _alliance(jannick, ana, n):
    for days_ago in range(n):
        session = assessment_services.session_start(
            actor=ana,
            patient=jannick,
            episode=jannick.episodes.get(),
            time_point=TimePoint.REVIEW,
            instrument_keys=["waisr"],
            on=date.today() - timedelta(days=days_ago),
        )
        assessment_services.administration_sign(
            actor=ana,
            administration=session.administrations.get(),
            answers={str(i): 4 for i in range(1, 13)},
        )


@pytest.mark.django_db
def test_the_ratings_list_reads_the_same_queries_for_2_and_20_ratings(client, bob, ana):
    client.force_login(bob)
    _ratings(bob, ana, 2)
    few = _count(client, reverse("quality:ratings"))
    _ratings(bob, ana, 18)
    assert _count(client, reverse("quality:ratings")) == few


@pytest.mark.django_db
def test_the_alliance_page_reads_the_same_queries_for_2_and_12_ratings(client, jannick, ana):
    client.force_login(ana)
    url = reverse("quality:alliance", kwargs={"patient_id": jannick.pk})
    _alliance(jannick, ana, 2)
    few = _count(client, url)
    _alliance(jannick, ana, 10)
    assert _count(client, url) == few


@pytest.mark.django_db
def test_the_outcomes_page_reads_the_same_queries_for_more_patients(client, bob, ana, north):
    client.force_login(bob)
    url = reverse("quality:outcomes")

    def cases(n):
        for _ in range(n):
            episode = EpisodeFactory(team=north, lead_clinician=ana, care_team=[ana])
            for code, days_ago in ((4, 40), (1, 2)):
                signed_result(
                    patient=episode.patient,
                    key="tsk11",
                    answers=answers_all("tsk11", code),
                    actor=ana,
                    on=date.today() - timedelta(days=days_ago),
                )

    cases(1)
    few = _count(client, url)
    cases(5)
    assert _count(client, url) == few
