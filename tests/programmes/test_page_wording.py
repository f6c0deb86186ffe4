"""Programme pages speak the clinic's language (issue #9): a withdrawal reason in words, not
"Withdrawn (not_suitable)"; "1 session added", not "1 session(s)"; and no internal reference
("issue #6", "instruments.md §20") on any programme page."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from programmes import services
from programmes.models import Direction, ProgrammeMeasure
from tests.programmes.conftest import enrol

pytestmark = pytest.mark.django_db

INTERNAL = re.compile(r"issue #\d|§|\.md\b|\(P\d+\)|UNVERIFIED|\.py\b")


def test_a_withdrawal_shows_its_reason_in_words(client, susan_referred, ana, priya):
    services.screening_record(
        actor=ana,
        enrolment=susan_referred,
        data={"readiness": "not_ready"},
        screened_on=date.today(),
    )
    services.enrolment_transition(
        actor=priya,
        enrolment=susan_referred,
        to_state="withdrawn",
        changed_on=date.today(),
        reason="not_suitable",
    )
    client.force_login(priya)
    page = client.get(reverse("programmes:enrolment", args=[susan_referred.pk])).content.decode()
    assert "Withdrawn (Not suitable after screening)" in page
    assert "not_suitable" not in page.replace('value="not_suitable"', "")


def test_the_number_of_sessions_added_is_said_in_words(client, cohort, priya):
    client.force_login(priya)
    url = reverse("programmes:sessions_add", args=[cohort.pk])
    form = {"first_date": cohort.start_date, "length": "am", "components": ["education"]}
    response = client.post(url, {**form, "weeks": 1})
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["1 session added."]
    response = client.post(url, {**form, "weeks": 3})
    assert "3 sessions added." in [str(m) for m in get_messages(response.wsgi_request)]


def test_no_programme_page_shows_an_internal_reference(
    client, full_cohort, susan_referred, pmp, priya, bob
):
    ProgrammeMeasure.objects.create(
        programme=pmp, instrument_key="tsk11", label="TSK-11", direction=Direction.HIGHER_IS_WORSE
    )
    enrolment = enrol(susan_referred, full_cohort, priya)
    session = full_cohort.sessions.first()
    services.climate_record(
        actor=priya, session=session, enrolment=enrolment, answers={str(n): 3 for n in range(1, 13)}
    )
    urls = [
        reverse("programmes:list"),
        reverse("programmes:cohort", args=[full_cohort.pk]),
        reverse("programmes:outcomes", args=[full_cohort.pk]),
        reverse("programmes:climate", args=[full_cohort.pk, session.pk]),
        reverse("programmes:attendance", args=[full_cohort.pk, session.pk]),
        reverse("programmes:enrolment", args=[enrolment.pk]),
    ]
    for user in (priya, bob):
        client.force_login(user)
        for url in urls:
            page = client.get(url).content.decode()
            found = INTERNAL.findall(re.sub(r"<(script|link)[^>]*>", "", page))
            assert found == [], f"{url} as {user}: {found}"
