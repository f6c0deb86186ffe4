"""The caseload and the patient list read columns, not objects, and make their labels, dates and
links once per page (issue #16): each row still says what the models say."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils import translation

from painclinic.listing import day_formatter, uuid_url
from patients.models import EpisodeStatus, Patient
from tests.factories import ContactFactory, EpisodeFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_day_reads_as_the_date_filter_writes_it_in_each_language():
    days = [date(2026, m, d) for m in range(1, 13) for d in (1, 9, 28)] + [date(987, 3, 4)]
    for language in ("en-gb", "nl"):
        with translation.override(language):
            day = day_formatter()
            assert [day(d) for d in days] == [date_filter(d, "j M Y") for d in days]
            assert day(None) is None


def test_links_are_the_reversed_links(jannick, susan):
    url = uuid_url("patients:detail", "patient_id")
    for patient in (jannick, susan):
        assert url(patient.pk) == reverse("patients:detail", kwargs={"patient_id": patient.pk})


def test_each_caseload_row_says_what_the_episode_says(client, ana, north):
    nameless = UserFactory(username="locum7", first_name="", last_name="")
    waiting = EpisodeFactory(
        team=north,
        lead_clinician=nameless,
        care_team=[ana, nameless],
        status=EpisodeStatus.WAITING,
        referral_date=date.today() - timedelta(days=12),
        next_review_due=date.today() - timedelta(days=1),
    )
    active = EpisodeFactory(
        team=north, lead_clinician=ana, care_team=[ana], next_review_due=date(2031, 5, 9)
    )
    ContactFactory(episode=active, date=date.today() - timedelta(days=3))
    client.force_login(ana)
    rows = {row["id"]: row for row in client.get(reverse("caseload")).context["rows"]}
    for episode in (waiting, active):
        row = rows[episode.pk]
        patient = episode.patient
        assert row["patient_id"] == patient.pk
        assert row["name"] == patient.full_name
        assert row["identifier"] == patient.identifier
        assert row["lead"] == str(episode.lead_clinician)
        assert row["detail_url"] == reverse("patients:detail", args=[patient.pk])
        assert row["status_label"] == episode.get_status_display()
        assert row["next_review_due"] == date_filter(episode.next_review_due, "j M Y")
    assert rows[waiting.pk]["lead"] == "locum7"
    assert rows[waiting.pk]["days_waiting"] == 12
    assert rows[waiting.pk]["review_overdue"] is True
    assert rows[waiting.pk]["last_contact"] is None
    assert rows[active.pk]["days_waiting"] is None
    assert rows[active.pk]["review_overdue"] is False
    assert rows[active.pk]["last_contact"] == date_filter(date.today() - timedelta(days=3), "j M Y")
    assert rows[active.pk]["safety_url"] is None
    assert rows[active.pk]["safeguarding_open"] is False


def test_each_patient_list_row_says_what_the_patient_says(client, bob, ana, north):
    older = EpisodeFactory(team=north, lead_clinician=ana, referral_date=date(2020, 1, 1))
    patient = older.patient
    latest = EpisodeFactory(
        patient=patient,
        team=north,
        lead_clinician=bob,
        status=EpisodeStatus.ON_HOLD,
        referral_date=date(2024, 6, 1),
    )
    ContactFactory(episode=older, date=date(2025, 2, 3))
    client.force_login(bob)
    page = client.get(reverse("patients:list"))
    row = next(r for r in page.context["page"] if r["id"] == patient.pk)
    shown = Patient.objects.get(pk=patient.pk)
    assert row["condition"] == shown.get_primary_condition_display()
    assert row["born"] == date_filter(shown.date_of_birth, "j M Y")
    assert (row["family_name"], row["given_name"]) == (shown.family_name, shown.given_name)
    assert row["detail_url"] == reverse("patients:detail", args=[patient.pk])
    assert row["last_contact"] == date_filter(date(2025, 2, 3), "j M Y")
    assert (row["episode_status"], row["episode_team"]) == (latest.status, north.name)
    assert (row["lead_first"], row["lead_last"]) == ("Bob", "Hughes")


def test_the_caseload_counts_and_pages_its_episodes_without_a_count_query(client, ana, north):
    for _ in range(53):
        EpisodeFactory(team=north, lead_clinician=ana, care_team=[ana])
    EpisodeFactory(team=north, status=EpisodeStatus.ACTIVE)  # not on Ana's care team
    client.force_login(ana)
    first = client.get(reverse("caseload"))
    assert first.context["page"].paginator.count == 53
    assert len(first.context["rows"]) == 50
    assert "53 open episodes on your caseload." in first.content.decode()
    second = client.get(reverse("caseload"), {"page": "2"})
    assert len(second.context["rows"]) == 3
    beyond = client.get(reverse("caseload"), {"page": "9"})  # the last page, as before
    assert beyond.context["page"].number == 2
    ids = {r["id"] for r in first.context["rows"]} | {r["id"] for r in second.context["rows"]}
    assert len(ids) == 53


# The caseload's row loop as the template wrote it before the rows were made in Python
# (review.views._caseload_rows_html, issue #16): the markup a clinician's browser, the e2e tests
# and the screen reader saw must not change.
TEMPLATE_ROW_LOOP = """{% load i18n %}{% for row in rows %}
    <tr>
      <th scope="row"><a href="{{ row.detail_url }}">{{ row.name }}</a>{% if row.safety_url %} <a href="{{ row.safety_url }}" class="badge text-bg-danger text-decoration-none" data-testid="caseload-safety">{% translate "Self-harm risk — response needed" %}</a>{% endif %}{% if row.safeguarding_open %} <span class="badge text-bg-danger">{% translate "Safeguarding concern" %}</span>{% endif %}{% if row.id in noted_episodes %} <a href="#h-review-notes" class="badge text-bg-warning text-decoration-none">{% translate "note from your team lead" %}</a>{% endif %}</th>
      <td>{{ row.identifier }}</td>
      <td><span class="badge badge-status-{{ row.status }}">{{ row.status_label }}</span></td>
      <td>{{ row.lead }}</td>
      <td class="text-end">{% if row.days_waiting is not None %}{{ row.days_waiting }}{% else %}<span class="text-body-secondary">—</span>{% endif %}</td>
      <td>{% if row.last_contact %}{{ row.last_contact }}{% else %}<span class="text-body-secondary">{% translate "none yet" %}</span>{% endif %}</td>
      <td>{% if row.next_review_due %}{{ row.next_review_due }}{% if row.review_overdue %} <span class="badge text-bg-danger">{% translate "overdue" %}</span>{% endif %}{% else %}<span class="text-body-secondary">{% translate "not set" %}</span>{% endif %}</td>
    </tr>
  {% endfor %}"""


def _caseload_row(**overrides):
    row = {
        "id": 1,
        "patient_id": "p1",
        "name": "Jannick de Vries",
        "identifier": "DEMO-1",
        "detail_url": "/patients/p1/",
        "safety_url": None,
        "safeguarding_open": False,
        "status": "active",
        "status_label": "Active",
        "lead": "Ana Clinician",
        "days_waiting": None,
        "last_contact": "3 Dec 2026",
        "next_review_due": "9 May 2031",
        "review_overdue": False,
    }
    return {**row, **overrides}


def test_the_caseload_rows_are_the_markup_the_template_wrote_in_each_language():
    from django.template import Context, Template

    from review.views import _caseload_rows_html

    rows = [
        _caseload_row(),
        # every badge, waiting, overdue, never seen; a name that must be escaped
        _caseload_row(
            id=2,
            name="Anne <b>O'Brien</b> & co",
            identifier='X"1',
            safety_url="/safety/p2/",
            safeguarding_open=True,
            status="waiting",
            status_label="Waiting",
            days_waiting=0,
            last_contact=None,
            review_overdue=True,
            lead="locum7",
        ),
        _caseload_row(id=3, next_review_due=None, days_waiting=41, status="referred"),
    ]
    noted = {2, 3}
    for language in ("en-gb", "nl"):
        with translation.override(language):
            expected = Template(TEMPLATE_ROW_LOOP).render(
                Context({"rows": rows, "noted_episodes": noted})
            )
            made = _caseload_rows_html(rows, noted)
        assert " ".join(made.split()) == " ".join(expected.split())
    assert "Anne &lt;b&gt;O&#x27;Brien&lt;/b&gt; &amp; co" in made
    assert _caseload_rows_html([], set()) == ""


# The patient list's row loop as templates/patients/_patient_table.html wrote it before the rows
# were made in Python (patients.views._patient_rows_html, issue #16).
PATIENT_TABLE_ROW_LOOP = """{% for p in rows %}
    <tr>
      <th scope="row"><a href="{{ p.detail_url }}">{{ p.family_name }}, {{ p.given_name }}</a></th>
      <td>{{ p.identifier }}</td>
      <td>{{ p.born }}</td>
      <td>{{ p.condition }}</td>
      <td>{% if p.episode_status %}<span class="badge badge-status-{{ p.episode_status }}">{{ p.status_label }}</span>{% endif %}</td>
      <td>{{ p.episode_team|default:"" }}{% if p.lead_last %} · {{ p.lead_first }} {{ p.lead_last }}{% endif %}</td>
      <td>{{ p.last_contact|default:"—" }}</td>
    </tr>
  {% endfor %}"""


def test_the_patient_list_rows_are_the_markup_the_template_wrote():
    from django.template import Context, Template

    from patients.views import _patient_rows_html

    base = {
        "detail_url": "/patients/p1/",
        "family_name": "de Vries",
        "given_name": "Jannick",
        "identifier": "DEMO-1",
        "born": "4 Mar 1971",
        "condition": "Chronic low back pain",
        "episode_status": "on_hold",
        "status_label": "On hold",
        "episode_team": "North",
        "lead_first": "Ana",
        "lead_last": "Clinician",
        "last_contact": "3 Dec 2026",
    }
    rows = [
        base,
        # no episode yet, never seen, a name that must be escaped
        {
            **base,
            "family_name": "<script>O'Brien</script>",
            "given_name": "Anne & Co",
            "episode_status": None,
            "status_label": None,
            "episode_team": None,
            "lead_first": None,
            "lead_last": None,
            "last_contact": None,
        },
    ]
    expected = Template(PATIENT_TABLE_ROW_LOOP).render(Context({"rows": rows}))
    made = _patient_rows_html(rows)
    assert " ".join(made.split()) == " ".join(expected.split())
    assert "&lt;script&gt;O&#x27;Brien&lt;/script&gt;, Anne &amp; Co" in made
    assert _patient_rows_html([]) == ""


def test_an_empty_patient_list_says_no_patient_matches(client, bob):
    client.force_login(bob)
    page = client.get(reverse("patients:list"), {"q": "no such name at all"}).content.decode()
    assert "No patients match." in page
