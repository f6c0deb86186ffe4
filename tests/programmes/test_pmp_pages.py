"""Priya runs the cohort: attendance and dose, GCQ-S, outcomes and the audited CSV export;
and the access rules of the PMP level."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from painclinic.access import AccessLevel
from painclinic.models import AuditAction, AuditEvent
from patients import access as patient_access
from programmes import policy, services
from programmes.models import Direction, ProgrammeMeasure
from tests.programmes.conftest import enrol, north_patient

pytestmark = pytest.mark.django_db


def test_attendance_gives_each_participant_their_dose(client, full_cohort, susan_referred, priya):
    enrolment = enrol(susan_referred, full_cohort, priya)
    sessions = list(full_cohort.sessions.all())
    client.force_login(priya)
    for session in sessions[:9]:
        url = reverse("programmes:attendance", args=[full_cohort.pk, session.pk])
        assert client.post(url, {"attended": [enrolment.pk]}).status_code == 302
    page = client.get(reverse("programmes:cohort", args=[full_cohort.pk]))
    content = page.content.decode()
    assert "9 / 12" in content
    assert "27.0 / 36.0" in content
    assert "75%" in content
    assert content.count("Not met") == 0
    assert content.count(">Met<") == 2


def test_gcqs_is_scored_by_the_library_and_charted(client, full_cohort, susan_referred, priya):
    enrolment = enrol(susan_referred, full_cohort, priya)
    session = full_cohort.sessions.first()
    client.force_login(priya)
    answers = {f"item_{n}": 4 for n in range(1, 13)}
    url = reverse("programmes:climate", args=[full_cohort.pk, session.pk])
    assert client.post(url, {"enrolment": enrolment.pk, **answers}).status_code == 302
    rating = session.climate_ratings.get()
    assert (rating.engaged, rating.avoiding, rating.conflict) == (4.0, 4.0, 4.0)
    content = client.get(reverse("programmes:cohort", args=[full_cohort.pk])).content.decode()
    # One rated session: its dots (a line needs two sessions in a row).
    assert 'class="dot engaged"' in content
    assert "4.00" in content


def test_scores_typed_in_by_the_care_team_feed_the_cohort_outcomes(
    client, cohort, susan_referred, priya, ana, bob, susan, pmp
):
    measure = ProgrammeMeasure.objects.create(
        programme=pmp,
        instrument_key="pseq",
        label="PSEQ",
        direction=Direction.HIGHER_IS_BETTER,
        sd=10.0,
        reliability=0.84,
        source="test values",
    )
    enrolment = enrol(susan_referred, cohort, priya)
    for point, value in (("pre", 20), ("post", 38)):
        services.outcome_record(
            actor=ana,
            enrolment=enrolment,
            measure=measure,
            time_point=point,
            value=value,
            recorded_on=date.today(),
        )
    client.force_login(priya)  # one participant: the "aggregate" would be Susan's own result
    page = client.get(reverse("programmes:outcomes", args=[cohort.pk])).content.decode()
    assert "Fewer than 3 participants: not shown to protect privacy." in page
    assert "Reliably improved: 1 of 1" not in page
    assert "0 of 1 (0.0%)" not in page
    client.force_login(bob)  # leads Susan's team: her own scores are open to him
    page = client.get(reverse("programmes:outcomes", args=[cohort.pk])).content.decode()
    assert "Reliably improved: 1 of 1 (100%" in page
    assert "0 of 1 (0.0%) reliably deteriorated, within the published 0–3.4%" in page
    response = client.get(reverse("programmes:participants_csv", args=[cohort.pk]))
    (row,) = csv.DictReader(io.StringIO(response.content.decode()))
    assert (row["identifier"], row["enrolment_state"]) == ("DEMO-SUSAN", "Enrolled")
    assert (row["pre"], row["post"], row["follow_up"]) == ("20", "38", "")
    assert row["pre_source"].startswith("Entered by ")  # typed in: no signed PSEQ in the record
    assert (row["rc_post"], row["change_post"]) == ("3.18", "Reliably improved")
    assert (
        AuditEvent.objects.filter(patient=susan, action=AuditAction.EXPORT, actor=bob).count() == 1
    )


def test_a_programme_admin_reaches_pmp_level_only(client, susan_referred, priya, susan, jannick):
    assert policy.access_level(priya, susan) == AccessLevel.PMP
    assert policy.access_level(priya, jannick) == AccessLevel.NONE
    assert not patient_access.can_view_patient(priya, susan)
    client.force_login(priya)
    # The programme page for Susan opens; her clinical record does not.
    assert client.get(reverse("programmes:enrolment", args=[susan_referred.pk])).status_code == 200
    assert client.get(reverse("patients:detail", args=[susan.pk])).status_code == 404
    assert client.get(reverse("patients:edit", args=[susan.pk])).status_code == 404


def test_another_teams_programme_is_out_of_reach(client, susan_referred, fay, ana, charlie):
    client.force_login(fay)  # South team lead: the programme is North's
    assert client.get(reverse("programmes:enrolment", args=[susan_referred.pk])).status_code == 404
    client.force_login(ana)  # a clinician does not run programmes
    assert client.get(reverse("programmes:list")).status_code == 403


def test_the_cohort_page_queries_do_not_grow_with_participants(
    client, full_cohort, priya, ana, pmp, north
):
    client.force_login(priya)
    url = reverse("programmes:cohort", args=[full_cohort.pk])

    def add(n):
        for _ in range(n):
            e = services.enrolment_refer(
                actor=ana,
                patient=north_patient(ana, north),
                programme=pmp,
                referred_on=date.today(),
            )
            enrol(e, full_cohort, priya)

    def count():
        with CaptureQueriesContext(connection) as q:
            assert client.get(url).status_code == 200
        return len(q)

    add(2)
    few = count()
    add(6)
    assert count() == few
