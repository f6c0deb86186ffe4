"""Bob, lead of the North team, reviews the caseload: attention lists, reassignment (audited),
review notes; only his team; clinicians cannot open the dashboard; queries are pinned."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from crispy_forms.utils import render_crispy_form
from django.core.exceptions import ValidationError
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from painclinic.models import AuditAction, AuditEvent
from patients import services
from patients.models import CareTeamMember, ReviewNote
from review.forms import ReviewFilterForm, TeamSettingsForm
from tests.factories import ContactFactory, EpisodeFactory

pytestmark = pytest.mark.django_db


def _long_active(lead, team, name):
    return EpisodeFactory(
        team=team,
        lead_clinician=lead,
        care_team=[lead],
        status="active",
        referral_date=date.today() - timedelta(weeks=20),
        status_since=date.today() - timedelta(weeks=16),
        patient__given_name=name,
        patient__family_name="Test",
    )


def test_bob_sees_his_teams_attention_lists_with_reasons(client, bob, ana, jannick, charlie):
    _long_active(ana, jannick.episodes.get().team, "Olga")
    _long_active(charlie, charlie.teams.first(), "Carmen")
    client.force_login(bob)
    page = client.get(reverse("team:dashboard"))
    content = page.content.decode()
    assert page.status_code == 200
    assert "Olga Test" in content
    assert "16 weeks of treatment and no outcome measured twice" in content
    assert "Carmen" not in content  # another team


def test_clinicians_and_programme_admins_cannot_open_the_dashboard(client, ana, priya):
    for user in (ana, priya):
        client.force_login(user)
        assert client.get(reverse("team:dashboard")).status_code == 403


def test_reassignment_moves_lead_and_care_team_and_is_audited(bob, ana, dina, jannick):
    episode = jannick.episodes.get()
    services.patient_reassign(actor=bob, episode=episode, to_clinician=dina, note="Please see soon")
    episode.refresh_from_db()
    assert episode.lead_clinician == dina
    # The previous lead stays on the care team unless Bob removes her explicitly.
    assert set(
        CareTeamMember.objects.filter(episode=episode).values_list("user__username", flat=True)
    ) == {"ana", "dina"}
    event = AuditEvent.objects.get(patient=jannick, action=AuditAction.REASSIGN)
    assert event.actor == bob
    assert event.changed_fields == ["care_team", "lead_clinician"]
    assert ReviewNote.objects.get(episode=episode).addressed_to == dina


def test_only_the_lead_of_the_team_may_reassign(ana, dina, fay, charlie, jannick):
    episode = jannick.episodes.get()
    with pytest.raises(ValidationError, match="Only the lead"):
        services.patient_reassign(actor=ana, episode=episode, to_clinician=dina)
    with pytest.raises(ValidationError, match="Only the lead"):
        services.patient_reassign(actor=fay, episode=episode, to_clinician=charlie)


def test_reassigning_to_someone_outside_the_team_is_refused(bob, charlie, jannick):
    with pytest.raises(ValidationError, match="not a member"):
        services.patient_reassign(actor=bob, episode=jannick.episodes.get(), to_clinician=charlie)


def test_reassign_page_posts_and_clinicians_get_a_read_only_page(client, bob, ana, dina, jannick):
    url = reverse("team:reassign", kwargs={"patient_id": jannick.pk})
    client.force_login(ana)
    assert "Only the lead" in client.get(url).content.decode()
    assert client.post(url, {"to_clinician": dina.pk}).status_code == 400
    client.force_login(bob)
    data = {"to_clinician": dina.pk, "note": "Fear of movement: graded exposure?"}
    assert client.post(url, data).status_code == 200  # the confirmation page
    response = client.post(url, {**data, "confirm": "1"})
    assert response.status_code == 302
    note_url = reverse("team:note", kwargs={"patient_id": jannick.pk})
    assert client.post(note_url, {"text": "Review in 2 weeks"}).status_code == 302
    assert ReviewNote.objects.filter(episode__patient=jannick).count() == 2


def test_review_interval_is_a_team_setting(client, bob, north):
    client.force_login(bob)
    client.post(
        reverse("team:settings"), {"review_interval_days": 30, "no_improvement_after_weeks": 8}
    )
    assert north.review_settings.review_interval_days == 30


# session, user, teams, settings, team episode ids, first and latest signed results, goal reviews, SCED runs,
# clinician counts, contacts, process measures, members, attention count and page, the page's
# (+1 since two-step verification: the authenticator that verified the session, issue #15.)
# episodes, the audit INSERT of the patients shown (one for the page), then the session save (3
# with the test savepoints). No high-risk band here, so no high-risk candidates query
# (tests/review/test_team_scale.py pins the page with one).
# The audit chain locks and reads its head before that INSERT (+2, issue #15).
# Issue #10: the open self-harm signals of the team's episodes and the unread notifications.
# Issue #13: + the team's open MDT actions (one query). Issue #16: the ids of the team's
# episodes are no longer read first (the queries join the access policy's episodes of the led
# teams instead): -1. Issue #16 again: the first and the latest signed results are one read of
# their stored summary (assessment.models.ResultSummary) instead of two queries: -1.
# -3 (issue #16): the session is renewed once a minute, not saved (3 queries) on every page.
# Issue #16 again: the results are read for the page's episodes, not the team's (same count);
# the reliable improvement rate is counted in the clinicians' counts query (no query more).
# -1 (issue #16): the audit chain's lock and head are read in one statement.
# -1 (issue #16): the attention page and the count of all entries are one statement.
# -1 (issue #16): the mean GAS T per clinician is read in the clinicians' counts query, from
# each episode's stored T (no query of the goal reviews).
# -1 (issue #16): the session's authenticator is read with the user (no query of its own).
# -1 (issue #16): whether there are unread notifications is read with the user.
# -1 (issue #16): a list page's audit (chain lock, head, INSERT) is one statement.
DASHBOARD_QUERIES = 15


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_dashboard_queries_do_not_grow_with_patients(client, bob, ana, dina, north):
    client.force_login(bob)

    def add(n):
        for i in range(n):
            e = _long_active(ana if i % 2 else dina, north, f"P{i}")
            ContactFactory(episode=e)

    add(3)
    few = _count(client, reverse("team:dashboard"))
    add(30)
    many = _count(client, reverse("team:dashboard"))
    assert few == many == DASHBOARD_QUERIES, (few, many)


def _squeeze(html: str) -> str:
    """Markup without the whitespace between and inside tags that the browser ignores."""
    html = re.sub(r"\s+", " ", html)
    html = re.sub(r">\s+", ">", html)
    html = re.sub(r"\s+<", "<", html)
    html = re.sub(r"\s+(/?>)", r"\1", html)
    html = re.sub(r'\s+"', '"', html)  # crispy's class="row "
    return re.sub(r"<(\w+)\s+", r"<\1 ", html).strip()


def _crispy(form) -> str:
    """The form as crispy's Bootstrap 5 layout writes it (what the page used before issue #16),
    from the form's grid, with crispy adding its own widget classes."""
    for field in form.fields.values():
        field.widget.attrs.pop("class", None)
        field.widget.attrs.pop("aria-invalid", None)
    form.helper = FormHelper()
    form.helper.form_method = form.grid_method
    form.helper.form_action = form.grid_action
    form.helper.layout = Layout(
        Row(*(Column(name, css_class=column) for name, column in form.grid)),
        Submit(*form.grid_submit),
    )
    return render_crispy_form(form)


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"clinician": "999", "status": "active", "list": "not_on_track", "sort": "x"},
        {"review_interval_days": "3", "no_improvement_after_weeks": "12"},
    ],
)
def test_the_review_forms_read_as_crispy_wrote_them(data, ana):
    """The filter and rules forms are written by a plain template (issue #16): the same fields,
    labels, values, errors, classes and accessibility attributes as crispy's layout."""
    for make in (
        lambda: ReviewFilterForm(data, clinicians=[ana]),
        lambda: TeamSettingsForm(data, action="/team/settings/"),
    ):
        plain, reference = make(), make()
        if data is not None:
            plain.is_valid(), reference.is_valid()
        written = render_to_string("_partials/_grid_form.html", {"form": plain})
        assert _squeeze(written) == _squeeze(_crispy(reference))
        assert 'class="btn btn-primary"' in written
        # An unknown clinician or a too-short interval is shown as crispy showed it.
        assert ("is-invalid" in written) == bool(plain.errors)
