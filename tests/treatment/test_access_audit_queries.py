"""Every treatment page: one audit event per request for the care team, 404 for Charlie; and
the pages' queries do not grow with the number of goals, reviews, steps and sessions."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver, reverse

from painclinic.models import AuditAction, AuditEvent
from tests.treatment.access_kwargs import url_kwargs
from tests.treatment.factories import (
    episode_of,
    exposure_session_for,
    goal_for,
    hierarchy_item_for,
    plan_for,
    review_for,
)
from treatment import services
from treatment.suggestions import suggest


def treatment_get_urls(patient, ana):
    known = {"patient_id": patient.pk, "episode_id": episode_of(patient).pk}
    known.update(url_kwargs(patient, ana))
    resolver = get_resolver().namespace_dict["treatment"][1]
    urls = {}
    for pattern in resolver.url_patterns:
        kwargs = {k: known[k] for k in pattern.pattern.converters}
        urls[pattern.name] = reverse(f"treatment:{pattern.name}", kwargs=kwargs)
    return urls


POST_ONLY = {
    "suggestion_decide",
    "goal_review",
    "goal_retire",
    "item_sced",
    "item_move",
    "item_retire",
    "pacing_log",
}
EXPORTS = {
    "summary",
    "gp_letter",
    "flare_up_print",
    "summary_pdf",
    "gp_letter_pdf",
    "flare_up_pdf",
    "handout",
    "handout_pdf",
    "clinician_summary",
    "clinician_summary_pdf",
    # The letters of issue #14.
    "discharge_letter",
    "discharge_letter_pdf",
    "pmp_letter",
    "pmp_letter_pdf",
}


@pytest.mark.django_db
def test_every_treatment_page_writes_exactly_one_audit_event_for_ana(client, ana, jannick):
    urls = treatment_get_urls(jannick, ana)
    client.force_login(ana)
    for name, url in urls.items():
        if name in POST_ONLY:
            assert client.get(url).status_code == 405, name
            continue
        before = AuditEvent.objects.count()
        response = client.get(url)
        assert response.status_code == 200, name
        events = list(AuditEvent.objects.order_by("-id")[: AuditEvent.objects.count() - before])
        expected = AuditAction.EXPORT if name in EXPORTS else AuditAction.VIEW
        assert [(e.action, e.actor) for e in events] == [(expected, ana)], name
        assert events[0].patient == jannick


@pytest.mark.django_db
def test_charlie_from_another_team_gets_404_everywhere_and_is_logged_as_denied(
    client, ana, charlie, jannick
):
    urls = treatment_get_urls(jannick, ana)
    client.force_login(charlie)
    for name, url in urls.items():
        response = client.post(url, {}) if name in POST_ONLY else client.get(url)
        assert response.status_code == 404, name
        assert b"Jannick" not in response.content
    assert AuditEvent.objects.filter(
        actor=charlie, action=AuditAction.DENIED, patient=jannick
    ).count() == len(urls)


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _add_rows(patient, ana, n):
    for i in range(n):
        goal = goal_for(patient, ana, what=f"Goal {i}")
        review_for(goal, ana, level=i % 3 - 1)
        item = hierarchy_item_for(patient, ana, activity=f"Activity {i}", fear=10 + i)
        exposure_session_for(item, ana)
        services.suggestion_decide(
            actor=ana,
            episode=episode_of(patient),
            suggestion=suggest({"pcs": {"total": 40, "band": "clinically_relevant"}})[0],
            decision="accepted",
        )


# Pinned: session, user, the patient through the access policy, the page's own reads (each a
# constant: current episode, plan + interventions + signers, decisions, goals + reviews +
# amendments + signers, hierarchy + sessions, pacing plans + logs, flare-up plan), the assessment
# profile read, the audit INSERT and the session save with its test savepoints. Pacing plans
# bring their schedule versions in one more prefetch. The PDF reads what its print page reads.
# (+1 since two-step verification: the authenticator that verified the session, issue #15.)
# The documents' medication section adds 3 (medications, latest OME figure, taper plan).
# Each includes 2 for the audit chain (lock and head) before the audit INSERT (issue #15).
# Pages in the app's frame (base.html) add the unread notifications and the self-harm banner's
# open signals (issue #10); the htmx section and the PDF have neither.
# -3 (issue #16): the session is renewed once a minute, not saved (3 queries) on every page.
# -1 (issue #16): the audit chain's lock and head are read in one statement.
# -1 each (issue #16): the session's authenticator is read with the user (no query of its own);
# -1 more in the app's frame: whether there are unread notifications is read with the user.
PINNED = {
    # - 1 each: the page's audit event is one statement (painclinic migration 0013).
    # -3 each (issue #16): the session is renewed once a minute, not saved on every page.
    "overview": 20,
    "section": 19,
    "hierarchy": 9,  # + episode and open red-flag referral (safety gate, #10)
    "goal_detail": 10,
    "plan_edit": 17,
    # The clinicians' summary: what the summary read before issue #14.
    "clinician_summary": 24,  # + the flare-up plan's safety-netting (#10)
    "clinician_summary_pdf": 23,  # + safety-netting (#10)
    # The patient's own documents (#14; treatment/handouts.py): episode with its lead clinician,
    # plan + interventions, the formulation's flags, hierarchy, active goals, pacing plans + logs
    # + schedule changes, flare-up plan, the education record (records + topics + techniques,
    # curriculum, contacts); the summary adds the medication section (3). No profile read, no
    # suggestions, no GAS reviews, no exposure sessions: fewer than the clinicians' summary.
    "summary": 22,
    "summary_pdf": 21,
    "handout": 19,
    "handout_pdf": 18,
    # The letter builder (issue #14) reads less than the treatment overview did (no decisions,
    # suggestions, pacing plans or GAS history) and adds the clinic's details: 31 -> 28.
    "gp_letter": 21,  # + the consent to share with the GP (#10)
    # No exposure reads; + the programmes attended (enrolments, sessions, attendance).
    "discharge_letter": 17,
    # + the programme's outcomes for the cohort (cohort_outcomes: measures, participants, signed
    # results, entered scores, clinical visibility) and the programme attended.
    "pmp_letter": 28,
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(PINNED))
def test_treatment_pages_use_the_same_queries_for_2_and_12_rows(client, ana, jannick_profile, name):
    patient = jannick_profile
    plan_for(patient, ana)
    client.force_login(ana)
    _add_rows(patient, ana, 2)
    urls = treatment_get_urls(patient, ana)
    few = _count(client, urls[name])
    _add_rows(patient, ana, 10)
    many = _count(client, urls[name])
    assert few == many == PINNED[name], (name, few, many)
