"""Bob's and Ana's pages speak the clinic's language: no raw floats, raw enum values, "(s)"
plurals, "?" for a missing number, or internal references (issue numbers, §, file names)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from patients import services
from review.rules import ScedFinding
from tests.assessment.factories import answers_all, signed_result
from tests.review.test_team_scale import _measure_result, _mixed_caseload, _run
from tests.sced.conftest import make_study

pytestmark = pytest.mark.django_db

INTERNAL = re.compile(
    r"§|issue #|UNVERIFIED|\w+\.py\b|\(s\)|\?–\?|\d\.\d{4,}|"
    r"\b(not_on_track|overdue_review|high_risk_no_plan|no_goals_or_plan|reliably_\w+|"
    r"not_available|on_hold|programme_admin|team_lead)\b"
)


def _text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_a_missing_sced_interval_is_left_out_not_shown_as_question_marks():
    finding = ScedFinding("Fear of lifting a crate", 0.52, None, None, None)
    assert finding.reason == "SCED: NAP 0.52 in 'Fear of lifting a crate' — no improvement."


def test_the_review_pages_have_no_internal_wording(client, bob, ana, dina, jannick, north):
    _mixed_caseload(ana, dina, jannick, north, 8)
    _run(make_study(ana, jannick), _measure_result("Fear of lifting a crate", 0.52, None, None))
    for code in (2, 4, 5):
        signed_result(patient=jannick, key="waisr", answers=answers_all("waisr", code), actor=ana)
    signed_result(patient=jannick, key="care", answers=answers_all("care", 3), actor=ana)
    services.review_note_add(actor=bob, episode=jannick.episodes.get(), text="Please check")
    patient = {"patient_id": jannick.pk}
    pages = [(bob, reverse("team:dashboard")), (bob, reverse("team:reassign", kwargs=patient))]
    pages += [(ana, reverse("caseload")), (ana, reverse("patients:detail", kwargs=patient))]
    for user, url in pages:
        client.force_login(user)
        text = _text(client.get(url).content.decode())
        assert not INTERNAL.search(text), (url, INTERNAL.search(text).group(0))
