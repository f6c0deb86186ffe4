"""The team's waiting list (issue #13): Bob sees the North team's referred and waiting patients
with days since referral, urgency and pathway; he sorts and filters it; its number agrees with
the team review's "waiting" counts; both download as CSV, each download audited once."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from painclinic.models import AuditAction, AuditEvent
from patients import services as patient_services
from patients.models import EpisodeStatus
from review import selectors
from tests.factories import EpisodeFactory, PatientFactory

pytestmark = pytest.mark.django_db


def _referral(team, lead, family, days_ago, status=EpisodeStatus.WAITING, urgency="", pathway=""):
    return EpisodeFactory(
        team=team,
        lead_clinician=lead,
        care_team=[lead],
        patient=PatientFactory(family_name=family, given_name="Pat"),
        referral_date=date.today() - timedelta(days=days_ago),
        status=status,
        urgency=urgency,
        pathway=pathway,
    )


@pytest.fixture
def referrals(north, south, ana, dina, charlie):
    return {
        "long": _referral(north, ana, "Longwait", 186, urgency="routine", pathway="psychology"),
        "urgent": _referral(north, dina, "Urgent", 20, EpisodeStatus.REFERRED, "urgent", "medical"),
        "new": _referral(north, ana, "Newcomer", 3, EpisodeStatus.REFERRED),
        "active": _referral(north, ana, "Active", 90, EpisodeStatus.ACTIVE),
        "south": _referral(south, charlie, "Southern", 50),
    }


def _names(response) -> list[str]:
    return [e.patient.family_name for e, _days in response.context["rows"]]


def test_the_waiting_list_shows_norths_referred_and_waiting_longest_first(client, bob, referrals):
    client.force_login(bob)
    response = client.get(reverse("team:waiting_list"))
    assert response.status_code == 200
    assert _names(response) == ["Longwait", "Urgent", "Newcomer"]
    days = dict((e.patient.family_name, d) for e, d in response.context["rows"])
    assert days["Longwait"] == 186
    content = response.content.decode()
    assert "Southern" not in content
    assert "Active" not in _names(response)


def test_sorting_by_urgency_puts_urgent_and_untriaged_first(client, bob, referrals):
    client.force_login(bob)
    response = client.get(reverse("team:waiting_list"), {"order": "urgency"})
    names = _names(response)
    assert names[-1] == "Longwait"  # routine last
    assert set(names[:2]) == {"Urgent", "Newcomer"}
    by_name = client.get(reverse("team:waiting_list"), {"order": "-name"})
    assert _names(by_name) == ["Urgent", "Newcomer", "Longwait"]


def test_filtering_by_urgency_pathway_and_triage(client, bob, referrals):
    client.force_login(bob)
    url = reverse("team:waiting_list")
    assert _names(client.get(url, {"urgency": "urgent"})) == ["Urgent"]
    assert _names(client.get(url, {"pathway": "psychology"})) == ["Longwait"]
    assert _names(client.get(url, {"urgency": "none"})) == ["Newcomer"]
    assert _names(client.get(url, {"status": "referred"})) == ["Urgent", "Newcomer"]


def test_the_waiting_list_and_the_team_review_count_the_same_patients(client, bob, referrals):
    client.force_login(bob)
    listed = client.get(reverse("team:waiting_list")).context["page"].paginator.count
    review = client.get(reverse("team:dashboard")).context
    counted = sum(row.waiting for row in review["clinicians"])
    assert listed == counted == 3


def test_the_waiting_list_is_for_team_leads(client, ana, priya, referrals):
    for user in (ana, priya):
        client.force_login(user)
        assert client.get(reverse("team:waiting_list")).status_code == 403
        assert client.get(reverse("team:waiting_list_export")).status_code == 403
        assert client.get(reverse("team:export")).status_code == 403


def test_a_fay_of_the_south_sees_only_the_south(client, fay, referrals):
    client.force_login(fay)
    assert _names(client.get(reverse("team:waiting_list"))) == ["Southern"]


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_the_waiting_list_downloads_as_csv_audited_once(client, bob, referrals):
    client.force_login(bob)
    before = AuditEvent.objects.filter(action=AuditAction.EXPORT).count()
    response = client.get(reverse("team:waiting_list_export"), {"urgency": "urgent"})
    rows = _csv(response)
    assert rows[0][:3] == ["Patient", "Identifier", "Team"]
    assert all("_" not in header for header in rows[0])  # no internal keys as headers
    assert [row[0] for row in rows[1:]] == ["Pat Urgent"]
    assert rows[1][7] == "Urgent"
    assert rows[1][8] == "Medical (pain physician)"
    events = AuditEvent.objects.filter(action=AuditAction.EXPORT)
    assert events.count() == before + 1
    assert events.latest("id").patient == referrals["urgent"].patient


def test_the_team_review_downloads_as_csv_with_one_export_event_per_patient(client, bob, referrals):
    client.force_login(bob)
    response = client.get(reverse("team:export"))
    assert response["Content-Disposition"].endswith('team-review.csv"')
    rows = _csv(response)
    assert rows[0] == [
        "Patient",
        "Identifier",
        "Attention list",
        "Why",
        "Lead clinician",
        "Status",
        "Days waiting",
    ]
    exported = {row[0] for row in rows[1:] if row and row[0].startswith("Pat ")}
    events = AuditEvent.objects.filter(action=AuditAction.EXPORT, actor=bob)
    assert {e.patient.family_name for e in events} == {n.split()[1] for n in exported}
    assert events.count() == len({e.patient_id for e in events})  # once per patient per export
    assert "Southern" not in response.content.decode()


def test_triage_from_the_record_feeds_the_list(client, ana, bob, referrals):
    episode = referrals["new"]
    client.force_login(ana)
    url = reverse(
        "patients:episode_triage",
        kwargs={"patient_id": episode.patient_id, "episode_id": episode.pk},
    )
    bad = client.post(url, {"urgency": "tomorrow", "pathway": "pmp"})
    assert bad.status_code == 400
    assert client.post(url, {"urgency": "soon", "pathway": "pmp"}).status_code == 302
    episode.refresh_from_db()
    assert (episode.urgency, episode.pathway) == ("soon", "pmp")
    client.force_login(bob)
    assert _names(client.get(reverse("team:waiting_list"), {"pathway": "pmp"})) == ["Newcomer"]


def test_a_triage_over_someone_elses_is_refused(ana, bob, referrals):
    from painclinic.concurrency import EditConflict, edit_token

    episode = referrals["new"]
    opened = edit_token(episode, patient_services.TRIAGE_FIELDS)
    patient_services.episode_triage(
        actor=bob, episode=episode, urgency="urgent", pathway="", edit_token=opened
    )
    with pytest.raises(EditConflict):
        patient_services.episode_triage(
            actor=ana, episode=episode, urgency="routine", pathway="", edit_token=opened
        )


# The frame (session, user, authenticator, notifications), the COUNT and the page, the audit
# (chain lock, head, INSERT), the clinicians of the filter's picker, the session save (3).
# -3 (issue #16): the session is renewed once a minute, not saved (3 queries) on every page.
# -1 (issue #16): the audit chain's lock and head are read in one statement.
# -1 (issue #16): the session's authenticator is read with the user (no query of its own).
# -1 (issue #16): whether there are unread notifications is read with the user.
# -1 (issue #16): a list page's audit (chain lock, head, INSERT) is one statement.
WAITING_LIST_QUERIES = 6


def test_the_waiting_list_uses_the_same_queries_for_3_and_30_patients(client, bob, north, ana):
    client.force_login(bob)
    counts = []
    for n in (3, 27):
        for i in range(n):
            _referral(north, ana, f"W{n}-{i}", 10 + i)
        with CaptureQueriesContext(connection) as queries:
            assert (
                client.get(reverse("team:waiting_list"), {"order": "-referred"}).status_code == 200
            )
        counts.append(len(queries))
    assert counts == [WAITING_LIST_QUERIES, WAITING_LIST_QUERIES]


def test_selector_and_page_use_the_same_episodes(bob, referrals):
    ids = set(selectors.waiting_list(bob).values_list("pk", flat=True))
    assert ids == {referrals[k].pk for k in ("long", "urgent", "new")}
