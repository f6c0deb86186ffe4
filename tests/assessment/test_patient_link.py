"""Jannick fills his questionnaires at home through a single-use, expiring link."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from assessment import services
from assessment.models import AdministrationState, PatientLink
from painclinic.models import AuditEvent
from tests.assessment.factories import made_up_wording

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(jannick, ana):
    session = services.session_start(
        actor=ana,
        patient=jannick,
        episode=jannick.episodes.get(),
        time_point="first_visit",
        instrument_keys=["tsk11", "phq9"],
    )
    made_up_wording("tsk11")  # the PHQ-9's English wording ships with its definition
    link, token = services.patient_link_issue(actor=ana, session=session)
    return session, link, token


def _name(administration, item):
    return f"a{administration.pk}-item_{item}"


def test_the_token_is_stored_only_as_its_sha256(issued):
    _session, link, token = issued
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert not PatientLink.objects.filter(token_hash=token).exists()


def test_jannick_answers_on_his_phone_resumes_and_sends(client, issued):
    session, _link, token = issued
    tsk, phq = session.administrations.order_by("position")
    url = reverse("assessment:link", args=[token])
    page = client.get(url)
    assert page.status_code == 200
    assert b"Tampa" in page.content
    # htmx autosave: answers are saved as he goes
    response = client.post(url, {_name(tsk, 1): "4", _name(tsk, 2): "3"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert b"Saved" in response.content
    tsk.refresh_from_db()
    assert tsk.answers["1"] == 4
    assert tsk.answers["2"] == 3
    assert tsk.source == "patient_link"
    # he closes the page and opens the link again: his answers are there
    again = client.get(url).content.decode()
    assert f'name="{_name(tsk, 1)}" value="4" id="id_{_name(tsk, 1)}_3" checked' in again
    data = {_name(tsk, i): "3" for i in range(1, 12)} | {_name(phq, i): "1" for i in range(1, 10)}
    sent = client.post(url, {**data, "send": "1"})
    assert sent.status_code == 200
    assert b"Thank you" in sent.content
    tsk.refresh_from_db()
    phq.refresh_from_db()
    # the result arrives as a DRAFT for Ana to review and sign
    assert tsk.state == phq.state == AdministrationState.DRAFT
    assert tsk.score["total"] == 33
    assert phq.score["total"] == 9
    events = AuditEvent.objects.filter(
        actor_username=services.PATIENT_LINK_ACTOR, patient=session.patient
    )
    assert events.exists()


def test_the_link_is_single_use(client, issued):
    _session, _link, token = issued
    url = reverse("assessment:link", args=[token])
    client.post(url, {"send": "1"})
    assert client.get(url).status_code == 410
    with pytest.raises(ValidationError, match=str(services.LINK_USED)):
        services.patient_link_redeem(token=token)


def test_an_expired_link_opens_nothing(client, issued):
    _session, link, token = issued
    PatientLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    response = client.get(reverse("assessment:link", args=[token]))
    assert response.status_code == 410
    assert b"expired" in response.content
    assert b"Jannick" not in response.content


def test_a_wrong_token_is_404(client, issued):
    assert client.get(reverse("assessment:link", args=["not-a-token"])).status_code == 404


def test_the_link_reaches_nothing_else(client, issued, jannick, ana):
    session, _link, token = issued
    # not the patient record, not the assessment pages: the link is no login
    client.get(reverse("assessment:link", args=[token]))
    for url in (
        reverse("patients:detail", kwargs={"patient_id": jannick.pk}),
        reverse("assessment:profile", kwargs={"patient_id": jannick.pk}),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert "/login/" in response["Location"]
    # not another session's administration, nor a signed one
    other = services.session_start(
        actor=ana,
        patient=jannick,
        episode=jannick.episodes.get(),
        time_point="review",
        instrument_keys=["pcs"],
    )
    with pytest.raises(ValidationError, match=str(services.LINK_INVALID)):
        services.patient_link_save_answer(
            token=token, administration_id=other.administrations.get().pk, item_id="1", value=2
        )
    tsk = session.administrations.get(instrument_key="tsk11")
    services.administration_sign(
        actor=ana, administration=tsk, answers={str(i): 2 for i in range(1, 12)}
    )
    page = client.get(reverse("assessment:link", args=[token])).content.decode()
    assert "Tampa" not in page  # a signed questionnaire is no longer offered
    with pytest.raises(ValidationError, match=str(services.LINK_INVALID)):
        services.patient_link_save_answer(
            token=token, administration_id=tsk.pk, item_id="1", value=4
        )
    # the page itself shows no name or identifier of the patient
    assert "Jannick" not in page
    assert jannick.identifier not in page


def test_a_link_needs_something_to_fill(jannick, ana):
    session = services.session_start(
        actor=ana,
        patient=jannick,
        episode=jannick.episodes.get(),
        time_point="review",
        instrument_keys=["pcs"],
    )
    services.administration_sign(
        actor=ana,
        administration=session.administrations.get(),
        answers={str(i): 1 for i in range(1, 14)},
    )
    with pytest.raises(ValidationError, match=services.LINK_NOTHING_TO_FILL):
        services.patient_link_issue(actor=ana, session=session)


def test_ana_issues_the_link_from_the_session_page_and_sees_it_once(client, issued, jannick, ana):
    session, _link, _token = issued
    client.force_login(ana)
    response = client.post(
        reverse(
            "assessment:link_issue", kwargs={"patient_id": jannick.pk, "session_id": session.pk}
        )
    )
    assert response.status_code == 200
    assert b"/p/" in response.content
    assert PatientLink.objects.filter(session=session).count() == 2
