"""The yellow-flag profile: domains, bands with words, RCI, charts, matched care, formulation."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment import charts, selectors, services, yellow_flags
from assessment.models import AssessmentSession, Formulation, MatchedCareDecision, WorkStatus
from tests.assessment.factories import answers_all, signed_result

pytestmark = pytest.mark.django_db
TODAY = date.today()
STARTBACK_HIGH = {str(i): 1 for i in range(1, 9)} | {"9": 4}


def _screen(patient, actor, on, tsk=3):
    signed_result(
        patient=patient, key="tsk11", answers=answers_all("tsk11", tsk), actor=actor, on=on
    )
    signed_result(patient=patient, key="pcs", answers=answers_all("pcs", 3), actor=actor, on=on)
    signed_result(patient=patient, key="phq9", answers=answers_all("phq9", 1), actor=actor, on=on)


def test_jannick_high_fear_of_movement_heads_his_profile(client, jannick, ana):
    _screen(jannick, ana, TODAY)
    client.force_login(ana)
    page = client.get(
        reverse("assessment:profile", kwargs={"patient_id": jannick.pk})
    ).content.decode()
    assert "High fear of movement (TSK-11 33)" in page
    assert "High catastrophizing (PCS 39)" in page
    assert "Clinically relevant catastrophizing" in page  # the band's word, not only its colour
    assert "clinic policy" in page.lower()  # the TSK-11 band is policy and says so
    summary = client.get(
        reverse("assessment:summary", kwargs={"patient_id": jannick.pk})
    ).content.decode()
    assert "High fear of movement (TSK-11 33)" in summary


def test_the_profile_shows_reliable_change_since_baseline(client, jannick, ana):
    _screen(jannick, ana, TODAY - timedelta(days=90), tsk=3)
    _screen(jannick, ana, TODAY, tsk=2)
    client.force_login(ana)
    page = client.get(
        reverse("assessment:profile", kwargs={"patient_id": jannick.pk})
    ).content.decode()
    assert "Reliably improved" in page
    assert "Change not available" in page  # PCS without RCI parameters says so


def test_startback_high_risk_suggests_psychologically_informed_physiotherapy(client, jannick, ana):
    signed_result(patient=jannick, key="startback", answers=STARTBACK_HIGH, actor=ana)
    suggestion = yellow_flags.matched_care_suggestion(selectors.latest_scores(jannick))
    assert suggestion.category == "high"
    assert suggestion.pathway == "pipt"
    client.force_login(ana)
    url = reverse("assessment:decide", kwargs={"patient_id": jannick.pk})
    refused = client.post(url, {"chosen_pathway": "physiotherapy"})
    assert refused.status_code == 400
    assert b"Say why" in refused.content
    assert client.post(url, {"chosen_pathway": "pipt"}).status_code == 302
    decision = MatchedCareDecision.objects.get()
    assert decision.suggested_pathway == "pipt"
    assert decision.follows_suggestion
    assert decision.risk_category == "high"
    assert decision.decided_by == ana
    page = client.get(
        reverse("assessment:profile", kwargs={"patient_id": jannick.pk})
    ).content.decode()
    assert "Psychologically informed physiotherapy" in page
    assert "Ana Costa" in page


def test_departing_from_the_suggestion_needs_a_rationale(jannick, ana):
    with pytest.raises(ValidationError, match=services.RATIONALE_REQUIRED):
        services.matched_care_decide(
            actor=ana,
            patient=jannick,
            chosen_pathway="advice",
            suggestion={"key": "startback", "category": "high", "pathway": "pipt"},
        )


def test_the_formulation_checklist_is_saved_as_a_new_version(client, jannick, ana):
    client.force_login(ana)
    url = reverse("assessment:formulation", kwargs={"patient_id": jannick.pk})
    assert client.get(url).status_code == 200
    client.post(
        url,
        {
            "yellow_hurt_harm": "on",
            "blue_work_harm": "on",
            "red_flags": "cleared",
            "notes": "Avoids lifting since the injury.",
        },
    )
    client.post(url, {"yellow_hurt_harm": "on", "notes": "Revised."})
    assert Formulation.objects.filter(patient=jannick).count() == 2
    current = selectors.latest_formulation(jannick)
    assert current.flags["yellow_hurt_harm"]
    assert not current.flags["blue_work_harm"]
    page = client.get(
        reverse("assessment:profile", kwargs={"patient_id": jannick.pk})
    ).content.decode()
    assert "Believes hurt means harm" in page
    # The red-flag state is the dated screen's (issue #10), not a select in the formulation.
    assert "not yet screened in this episode" in page


def test_the_cycle_places_fear_and_catastrophizing(jannick, ana):
    _screen(jannick, ana, TODAY)
    rows = yellow_flags.yellow_flag_profile(selectors.latest_scores(jannick))
    stages = {s["stage"]: s for s in yellow_flags.cycle_placement(rows)}
    assert stages["fear"]["active"]
    assert stages["catastrophizing"]["active"]
    assert not stages["avoidance"]["rows"]


def test_a_chart_is_a_png_drawn_once_per_data_version(client, jannick, ana, monkeypatch):
    _screen(jannick, ana, TODAY - timedelta(days=30))
    services.matched_care_decide(actor=ana, patient=jannick, chosen_pathway="pipt")
    client.force_login(ana)
    url = reverse("assessment:chart", kwargs={"patient_id": jannick.pk, "key": "tsk11"})
    drawn = []
    real = charts.render_measure_chart
    monkeypatch.setattr(
        charts, "render_measure_chart", lambda spec: drawn.append(spec) or real(spec)
    )
    first = client.get(url)
    assert first["Content-Type"] == "image/png"
    assert first.content.startswith(b"\x89PNG")
    assert client.get(url)["ETag"] == first["ETag"]
    assert len(drawn) == 1  # second request served from the cache
    _screen(jannick, ana, TODAY)
    assert client.get(url)["ETag"] != first["ETag"]
    assert len(drawn) == 2
    assert any("Pathway" in label for _day, label in drawn[0]["events"])  # treatment events marked
    assert (
        client.get(
            reverse("assessment:chart", kwargs={"patient_id": jannick.pk, "key": "gad7"})
        ).status_code
        == 404
    )


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


# session, user, patient (through the access policy), the signed results (one query for
# latest, RCI and chart list), the latest decision, the latest formulation, the audit INSERT,
# then the session save (3 with the test savepoints).
# (+1 since two-step verification: the authenticator that verified the session, issue #15.)
# +2: the audit chain locks its head and reads it before the INSERT (issue #15).
# Issue #10: pages in the app frame count the unread notifications (+1); patient pages also read
# the self-harm banner's open signals (+1), and the access level when one is open (+1).
# -3 (issue #16): the session is renewed once a minute, not saved (3 queries) on every page.
# -1 (issue #16): the audit chain's lock and head are read in one statement.
# -1 (issue #16): the session's authenticator is read with the user (no query of its own).
# -1 (issue #16): whether there are unread notifications is read with the user.
# - 1: the page's audit event is one statement (painclinic migration 0013)
PROFILE_QUERIES = 12  # + the current episode and its red-flag screens (issue #10)
# +1 (issue #14): work status and healthcare use across time points, one query for all of them.


def test_profile_queries_do_not_grow_with_results(client, jannick, ana):
    client.force_login(ana)
    url = reverse("assessment:profile", kwargs={"patient_id": jannick.pk})
    _screen(jannick, ana, TODAY - timedelta(days=60))
    few = _count(client, url)
    for days in range(50, 0, -5):
        _screen(jannick, ana, TODAY - timedelta(days=days))
    signed_result(patient=jannick, key="startback", answers=STARTBACK_HIGH, actor=ana)
    services.matched_care_decide(actor=ana, patient=jannick, chosen_pathway="pipt")
    for session in AssessmentSession.objects.filter(patient=jannick)[:3]:
        services.work_and_healthcare_record(
            actor=ana, session=session, data={"work_status": WorkStatus.OFF_SICK}
        )
    many = _count(client, url)
    assert few == many == PROFILE_QUERIES
