"""Priya runs Susan's PMP cohort. Susan answered item 9 above 0: Priya learns only that Susan
needs clinical review before the next session, never the content (issue #10)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.assessment.factories import answers_all, signed_result
from tests.programmes.conftest import enrol

pytestmark = pytest.mark.django_db


def test_the_cohort_page_says_needs_clinical_review_and_nothing_more(
    client, full_cohort, susan_referred, priya, dina
):
    enrol(susan_referred, full_cohort, priya)
    client.force_login(priya)
    url = reverse("programmes:cohort", args=[full_cohort.pk])
    assert "needs clinical review" not in client.get(url).content.decode()
    answers = answers_all("phq9", 1) | {"9": 2}
    signed_result(patient=susan_referred.patient, key="phq9", answers=answers, actor=dina)
    page = client.get(url).content.decode()
    assert "needs clinical review before the next session" in page
    assert "self-harm" not in page.lower()
    assert "PHQ" not in page
    enrolment = client.get(reverse("programmes:enrolment", args=[susan_referred.pk]))
    text = enrolment.content.decode()
    assert "Needs clinical review before the next session" in text
    assert "self-harm" not in text.lower()
