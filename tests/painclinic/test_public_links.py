"""Jannick's links open without an account: what he types is never reflected unescaped, and no
browser or proxy keeps a link page (issue #15)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessment import services as assessment_services
from sced import services as sced_services
from tests.assessment.factories import made_up_wording
from tests.sced.conftest import make_study

pytestmark = pytest.mark.django_db

HOSTILE = "<script>alert(1)</script>"


@pytest.fixture
def self_report(jannick, ana):
    session = assessment_services.session_start(
        actor=ana,
        patient=jannick,
        episode=jannick.episodes.get(),
        time_point="first_visit",
        instrument_keys=["tsk11"],
    )
    made_up_wording("tsk11")
    _link, token = assessment_services.patient_link_issue(actor=ana, session=session)
    return session.administrations.get(), reverse("assessment:link", args=[token])


@pytest.fixture
def diary_url(ana, jannick):
    study = make_study(ana, jannick, start_date=timezone.localdate() - timedelta(days=4))
    sced_services.study_randomize(actor=ana, study=study, seed=5)
    _link, token = sced_services.diary_link_issue(actor=ana, study=study, days=14)
    return reverse("sced:diary", args=[token]), study.measures.first()


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


@pytest.mark.parametrize("htmx", [False, True])
def test_a_hostile_answer_on_the_self_report_link_comes_back_escaped(client, self_report, htmx):
    administration, url = self_report
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = client.post(url, {f"a{administration.pk}-item_1": HOSTILE}, **headers)
    body = response.content.decode()
    assert response.status_code == (200 if htmx else 400)
    assert response["Content-Type"].startswith("text/html")
    assert HOSTILE not in body
    assert _no_store(response)
    administration.refresh_from_db()
    assert "1" not in administration.answers


def test_every_answer_of_the_self_report_link_is_no_store(client, self_report):
    administration, url = self_report
    assert _no_store(client.get(url))
    assert _no_store(client.post(url, {f"a{administration.pk}-item_1": "3"}, HTTP_HX_REQUEST="1"))
    assert _no_store(client.post(url, {f"a{administration.pk}-item_1": "3"}))
    unknown = client.get(reverse("assessment:link", args=["x" * 43]))
    assert unknown.status_code == 404
    assert _no_store(unknown)


def test_every_answer_of_the_diary_is_no_store_and_escapes_input(client, diary_url):
    url, measure = diary_url
    assert _no_store(client.get(url))
    bad = client.post(url, {f"diary-m{measure.pk}": HOSTILE})
    assert bad.status_code == 400
    assert HOSTILE not in bad.content.decode()
    assert _no_store(bad)
    good = client.post(url, {f"diary-m{measure.pk}": "4"})
    assert good.status_code == 200
    assert _no_store(good)
    unknown = client.get(reverse("sced:diary", args=["x" * 43]))
    assert unknown.status_code == 404
    assert _no_store(unknown)


def test_the_login_page_is_no_store(client):
    assert _no_store(client.get(reverse("login")))
