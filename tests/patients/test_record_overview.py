"""The record reads its episodes' rows (status history, contacts, reassignments, care-team
changes, follow-up calls, care team, review notes) in one query and their people in one more
(issue #16). It shows exactly what a prefetch per kind showed, in the same order."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.db.models import Prefetch
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from patients.models import (
    CareTeamChange,
    CareTeamMember,
    Contact,
    Episode,
    EpisodeStatus,
    EpisodeStatusChange,
    FollowUpCall,
    LeadChange,
    ReviewNote,
)
from patients.selectors import patient_overview
from tests.factories import ContactFactory, EpisodeFactory


def _reference(patient):
    """The record's reads before issue #16: one prefetch per kind."""
    episodes = list(
        Episode.objects.filter(patient=patient)
        .select_related("team", "lead_clinician")
        .prefetch_related(
            Prefetch("care_team", queryset=CareTeamMember.objects.select_related("user")),
            Prefetch(
                "status_changes", queryset=EpisodeStatusChange.objects.select_related("changed_by")
            ),
            Prefetch("contacts", queryset=Contact.objects.select_related("clinician")),
            Prefetch(
                "lead_changes",
                queryset=LeadChange.objects.select_related("from_lead", "to_lead", "changed_by"),
            ),
            Prefetch(
                "care_team_changes",
                queryset=CareTeamChange.objects.select_related("member", "changed_by"),
            ),
            Prefetch("follow_up_calls", queryset=FollowUpCall.objects.select_related("caller")),
        )
    )
    timeline = []
    for episode in episodes:
        timeline += [(c.changed_on, "status", episode, c) for c in episode.status_changes.all()]
        timeline += [(c.date, "contact", episode, c) for c in episode.contacts.all()]
        timeline += [(c.changed_on, "lead", episode, c) for c in episode.lead_changes.all()]
        timeline += [(c.changed_on, "care", episode, c) for c in episode.care_team_changes.all()]
        timeline += [
            (c.called_on, "follow_up", episode, c)
            for c in episode.follow_up_calls.all()
            if c.outcome and c.called_on is not None
        ]
    timeline.sort(key=lambda e: (e[0], e[1] != "contact", e[3].pk), reverse=True)
    notes = list(
        ReviewNote.objects.filter(episode__patient=patient).select_related("author", "addressed_to")
    )
    return episodes, timeline, notes


def _shown(item):
    """What the record shows of a row: every field and every person, by name."""
    values = {}
    for field in item._meta.concrete_fields:
        if field.attname in item.get_deferred_fields():
            continue
        if field.is_relation and field.name != "episode":
            person = getattr(item, field.name)
            values[field.name] = (str(person), person.get_discipline_display()) if person else None
        elif field.choices:
            values[field.name] = getattr(item, f"get_{field.name}_display")()
        else:
            values[field.name] = getattr(item, field.attname)
    return values


@pytest.fixture
def busy_record(jannick, ana, bob, dina, north):
    """Two episodes; every kind of row, several on the same day with the same ids."""
    today = date.today()
    old = EpisodeFactory(
        patient=jannick,
        team=north,
        lead_clinician=dina,
        care_team=[dina, ana],
        referral_date=today - timedelta(days=400),
        status=EpisodeStatus.DISCHARGED,
        discharge_date=today - timedelta(days=200),
        discharge_reason="goals_met",
    )
    current = jannick.episodes.exclude(pk=old.pk).get()
    day = today - timedelta(days=10)
    for episode in (old, current):
        EpisodeStatusChange.objects.create(
            episode=episode, from_status="", to_status="referred", changed_on=day, changed_by=ana
        )
        EpisodeStatusChange.objects.create(
            episode=episode,
            from_status="referred",
            to_status="active",
            changed_on=day,
            changed_by=bob,
            note="First seen",
        )
        ContactFactory(episode=episode, date=day, clinician=dina, note="")
        ContactFactory(episode=episode, date=day - timedelta(days=3), clinician=ana)
        LeadChange.objects.create(
            episode=episode,
            from_lead=ana,
            to_lead=dina,
            changed_by=bob,
            changed_on=day,
            previous_lead_kept=True,
            note="Handover",
        )
        CareTeamChange.objects.create(
            episode=episode, member=dina, kind="added", changed_by=bob, changed_on=day
        )
        FollowUpCall.objects.create(
            episode=episode, due_on=day, caller=ana, outcome="reached", called_on=day, notes="Well"
        )
        FollowUpCall.objects.create(episode=episode, due_on=day + timedelta(days=40), caller=dina)
        ReviewNote.objects.create(episode=episode, author=bob, addressed_to=ana, text="Goals?")
    return jannick


@pytest.mark.django_db
def test_the_record_reads_show_what_a_prefetch_per_kind_showed(busy_record):
    episodes, timeline, notes = _reference(busy_record)
    overview = patient_overview(busy_record)
    assert [e.pk for e in overview["episodes"]] == [e.pk for e in episodes]
    for new, ref in zip(overview["episodes"], episodes, strict=True):
        assert str(new.lead_clinician) == str(ref.lead_clinician)
        assert str(new.team) == str(ref.team)
        assert [(str(m.user), m.user.get_discipline_display()) for m in new.care_team_members] == [
            (str(m.user), m.user.get_discipline_display())
            for m in sorted(ref.care_team.all(), key=lambda m: m.pk)
        ]
    assert len(timeline) >= 14  # seven rows per episode, and the fixture's own
    assert [(e.day, e.kind, e.episode.pk, e.item.pk) for e in overview["timeline"]] == [
        (day, kind, episode.pk, item.pk) for day, kind, episode, item in timeline
    ]
    for entry, (_, _, _, item) in zip(overview["timeline"], timeline, strict=True):
        assert _shown(entry.item) == {
            k: v for k, v in _shown(item).items() if k in _shown(entry.item)
        }
    assert [n.pk for n in overview["review_notes"]] == [n.pk for n in notes]
    assert [(str(n.author), str(n.addressed_to), n.text) for n in overview["review_notes"]] == [
        (str(n.author), str(n.addressed_to), n.text) for n in notes
    ]
    assert overview["current_episode"].pk == next(e.pk for e in episodes if e.is_open)


@pytest.mark.django_db
def test_the_record_reads_its_rows_in_one_query_and_their_people_in_one(busy_record):
    with CaptureQueriesContext(connection) as queries:
        overview = patient_overview(busy_record)
        # and showing them reads nothing more
        for entry in overview["timeline"]:
            str(_shown(entry.item))
        for episode in overview["episodes"]:
            [m.user.get_discipline_display() for m in episode.care_team_members]
            str(episode.lead_clinician), str(episode.team)
        for note in overview["review_notes"]:
            str(note.author), note.episode.patient_id
    assert len(queries) == 3  # episodes (with their team), their rows, the people
    people = queries[2]["sql"]
    assert "password" not in people
    assert "email" not in people


@pytest.mark.django_db
def test_the_busy_record_page_shows_every_row(client, busy_record, ana):
    client.force_login(ana)
    html = client.get(reverse("patients:detail", kwargs={"patient_id": busy_record.pk})).content
    html = html.decode()
    _, timeline, _ = _reference(busy_record)
    for kind in ("status", "contact", "lead", "care", "follow_up"):
        assert html.count(f'<li class="{kind}">') == sum(1 for e in timeline if e[1] == kind)
    assert html.count("Handover note") == 2
    assert html.count('class="review-note ') == 2
    assert "Dina Okafor" in html
    assert "First seen" in html
