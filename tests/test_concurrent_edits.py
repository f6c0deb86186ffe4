"""Two clinicians edit the same record at once: the second save is refused with 409, keeps
everything typed and shows what is saved now; nothing the first saved is lost (issue #15,
security.md E3). One loop of rounds per editable model; the figures are printed (run with -s):
rounds and lost updates per model."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import TYPE_CHECKING

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.formats import date_format

from assessment import services as assessment_services
from assessment.models import Administration, Formulation
from patients.models import CareTeamMember, Episode
from programmes import services as programme_services
from programmes.models import Programme, ProgrammeKind
from sced import services as sced_services
from sced.models import Measurement
from tests.sced.conftest import fill, make_study
from tests.treatment.factories import goal_for, pacing_plan_for
from tests.treatment.test_goal_hierarchy_pacing_maintenance import change_form, goal_post
from treatment.models import Goal, PacingScheduleChange

if TYPE_CHECKING:
    from collections.abc import Callable

ROUNDS = 20
TOKEN = re.compile(r'name="edit_token" value="([0-9a-f]+)"')


def _token(response) -> str:
    found = TOKEN.search(response.content.decode())
    assert found, "the edit form carries no edit token"
    return found.group(1)


def concurrent_rounds(
    first: Client,
    second: Client,
    url: str,
    data: Callable[[int, str], dict],
    saved: Callable[[], str],
    rounds: int = ROUNDS,
    form_url: str | None = None,
) -> int:
    """Each round: both open the form; the first saves (302), the second, from the older form,
    is refused (409) with its typed text on the page. Returns the lost updates (must be 0)."""
    lost = 0
    for i in range(rounds):
        page_url = form_url or url  # the page the form is on
        token_1, token_2 = _token(first.get(page_url)), _token(second.get(page_url))
        mine, theirs = data(i, "first"), data(i, "second")
        assert first.post(url, {**mine["post"], "edit_token": token_1}).status_code == 302
        refused = second.post(url, {**theirs["post"], "edit_token": token_2})
        assert refused.status_code == 409, (i, refused.status_code)
        page = refused.content.decode()
        assert theirs["text"] in page  # nothing typed is lost
        assert mine.get("shown", mine["text"]) in page  # and what is saved now is shown
        lost += saved() != mine["text"]
    # Having compared, the second saves deliberately on top: the carried token lets it through.
    resave = second.post(url, {**theirs["post"], "edit_token": _token(refused)})
    assert resave.status_code == 302
    assert saved() == theirs["text"]
    return lost


@pytest.fixture
def two_clinicians(ana, dina, jannick):
    CareTeamMember.objects.create(episode=jannick.episodes.get(), user=dina)
    first, second = Client(), Client()
    first.force_login(ana)
    second.force_login(dina)
    return first, second


def _report(model: str, lost: int) -> None:
    print(f"\nconcurrent edits: {model}: {ROUNDS} rounds, {lost} lost updates")


@pytest.mark.django_db
def test_goal(two_clinicians, ana, jannick):
    first, second = two_clinicians
    goal = goal_for(jannick, ana)
    url = reverse("treatment:goal_edit", kwargs={"patient_id": jannick.pk, "goal_id": goal.pk})

    def data(i, who):
        text = f"Plays football for {i} minutes ({who})"
        return {"post": goal_post(Goal.objects.get(pk=goal.pk), level_0=text), "text": text}

    lost = concurrent_rounds(first, second, url, data, lambda: Goal.objects.get(pk=goal.pk).level_0)
    _report("goal", lost)
    assert lost == 0


@pytest.mark.django_db
def test_episode_review_date(two_clinicians, jannick):
    first, second = two_clinicians
    episode = jannick.episodes.get()
    url = reverse(
        "patients:episode_review", kwargs={"patient_id": jannick.pk, "episode_id": episode.pk}
    )

    def data(i, who):
        day = date.today() + timedelta(days=10 + 2 * i + (who == "second"))
        return {
            "post": {"next_review_due": day.isoformat()},
            "text": day.isoformat(),
            "shown": date_format(day),
        }

    lost = concurrent_rounds(
        first,
        second,
        url,
        data,
        lambda: Episode.objects.get(pk=episode.pk).next_review_due.isoformat(),
        # The record loads the episode's forms when their section is opened (issue #16).
        form_url=reverse(
            "patients:episode_change",
            kwargs={"patient_id": jannick.pk, "episode_id": episode.pk},
        ),
    )
    _report("episode review date", lost)
    assert lost == 0


@pytest.mark.django_db
def test_questionnaire_draft(two_clinicians, ana, jannick):
    """Two clinicians (or two tabs) entering the same paper questionnaire: the later save from
    the older form is refused, its answers stay ticked, the saved ones are listed."""
    first, second = two_clinicians
    session = assessment_services.session_start(
        actor=ana,
        patient=jannick,
        episode=jannick.episodes.get(),
        time_point="first_visit",
        instrument_keys=["tsk11"],
    )
    draft = session.administrations.get()
    url = reverse(
        "assessment:administration",
        kwargs={"patient_id": jannick.pk, "administration_id": draft.pk},
    )
    lost = 0
    for i in range(ROUNDS):
        token_1, token_2 = _token(first.get(url)), _token(second.get(url))
        mine, theirs = str(1 + i % 4), str(1 + (i + 1) % 4)
        saved = first.post(url, {"item_1": mine, "save": "1", "edit_token": token_1})
        assert saved.status_code == 302
        refused = second.post(url, {"item_1": theirs, "save": "1", "edit_token": token_2})
        assert refused.status_code == 409
        page = refused.content.decode()
        assert re.search(rf'name="item_1" value="{theirs}"[^>]*checked', page)  # kept
        assert 'id="edit-conflict"' in page
        lost += Administration.objects.get(pk=draft.pk).answers["1"] != int(mine)
    resave = second.post(url, {"item_1": theirs, "save": "1", "edit_token": _token(refused)})
    assert resave.status_code == 302
    _report("questionnaire draft", lost)
    assert lost == 0


@pytest.mark.django_db
def test_programme_outcome_windows(priya, north):
    """Two tabs of the programme admin change the follow-up window of the same programme."""
    programme = programme_services.programme_create(
        actor=priya, team=north, name="Outpatient PMP North", kind=ProgrammeKind.OUTPATIENT
    )
    start = date.today() - timedelta(weeks=2)
    cohort = programme_services.cohort_create(
        actor=priya,
        programme=programme,
        data={
            "name": "Spring",
            "start_date": start,
            "end_date": start + timedelta(weeks=12),
            "venue": "Gym",
            "capacity": 10,
        },
    )
    first, second = Client(), Client()
    first.force_login(priya)
    second.force_login(priya)
    url = reverse("programmes:outcome_windows", args=[cohort.pk])

    def data(i, who):
        weeks = 13 + i % 15 + (who == "second") * 20
        return {
            "post": {
                "pre_weeks_before": 6,
                "pre_weeks_after": 1,
                "post_weeks_around": 4,
                "follow_up_weeks": weeks,
                "follow_up_weeks_around": 4,
            },
            "text": f'value="{weeks}"',
            "shown": f"<td>{weeks}</td>",
        }

    def saved():
        return f'value="{Programme.objects.get(pk=programme.pk).follow_up_weeks}"'

    lost = concurrent_rounds(
        first,
        second,
        url,
        data,
        saved,
        form_url=reverse("programmes:outcomes", args=[cohort.pk]),
    )
    _report("programme outcome windows", lost)
    assert lost == 0


@pytest.mark.django_db
def test_sced_value_amendment(two_clinicians, ana, jannick):
    """Two clinicians correct the same diary value: the second sees the first's correction."""
    first, second = two_clinicians
    study = make_study(ana, jannick)
    sced_services.study_randomize(actor=ana, study=study, seed=5, concealed=False)
    measurement = fill(study, ana, [8])[0]
    url = reverse(
        "sced:measurement_amend",
        kwargs={"patient_id": jannick.pk, "study_id": study.pk, "measurement_id": measurement.pk},
    )

    def data(i, who):
        value = (i % 9) + (0.5 if who == "second" else 0.0)
        return {
            "post": {"value": str(value), "reason": f"Wrong day ({who} {i})"},
            "text": f"Wrong day ({who} {i})",
            "shown": f"<td>{value:g}</td>",
        }

    def value_saved():
        return Measurement.objects.get(pk=measurement.pk).value

    lost = 0
    for i in range(ROUNDS):
        token_1, token_2 = _token(first.get(url)), _token(second.get(url))
        mine, theirs = data(i, "first"), data(i, "second")
        if value_saved() == float(mine["post"]["value"]):
            continue  # the same value is refused as "already recorded": not a concurrency round
        assert first.post(url, {**mine["post"], "edit_token": token_1}).status_code == 302
        refused = second.post(url, {**theirs["post"], "edit_token": token_2})
        assert refused.status_code == 409
        page = refused.content.decode()
        assert theirs["text"] in page
        assert mine["shown"] in page
        lost += value_saved() != float(mine["post"]["value"])
    _report("SCED value amendment", lost)
    assert lost == 0


@pytest.mark.django_db
def test_pacing_schedule_change(two_clinicians, ana, jannick):
    """Two clinicians set a new pacing schedule from the same page: the second sees the first."""
    first, second = two_clinicians
    plan = pacing_plan_for(jannick, ana)
    url = reverse(
        "treatment:pacing_change", kwargs={"patient_id": jannick.pk, "pacing_id": plan.pk}
    )

    def data(i, who):
        reason = f"Copes well, round {i} ({who})"
        return {"post": change_form(reason=reason), "text": reason}

    def saved():
        latest = PacingScheduleChange.objects.filter(plan=plan).order_by("-id").first()
        return latest.reason if latest else ""

    lost = concurrent_rounds(first, second, url, data, saved)
    _report("pacing schedule", lost)
    assert lost == 0


@pytest.mark.django_db
def test_formulation(two_clinicians, jannick):
    """Each save is a new version; the second from an older page must not become current
    unseen."""
    first, second = two_clinicians
    url = reverse("assessment:formulation", kwargs={"patient_id": jannick.pk})

    def data(i, who):
        notes = f"Avoids lifting since the injury, round {i} ({who})"
        return {"post": {"notes": notes, "red_flags": ""}, "text": notes}

    def saved():
        return Formulation.objects.filter(patient=jannick).order_by("-recorded_at", "-id")[0].notes

    lost = concurrent_rounds(first, second, url, data, saved)
    _report("formulation", lost)
    assert lost == 0


@pytest.mark.django_db
def test_triage_page(two_clinicians, jannick):
    """The record's triage form (the last token of the episode's change section, after the review
    date's): the 409 page names, field by field, what is saved now."""
    first, second = two_clinicians
    episode = jannick.episodes.get()
    url = reverse(
        "patients:episode_triage", kwargs={"patient_id": jannick.pk, "episode_id": episode.pk}
    )
    section = reverse(
        "patients:episode_change", kwargs={"patient_id": jannick.pk, "episode_id": episode.pk}
    )
    token = TOKEN.findall(second.get(section).content.decode())[-1]
    assert (
        first.post(url, {"urgency": "urgent", "pathway": "pmp", "edit_token": token}).status_code
        == 302
    )
    refused = second.post(url, {"urgency": "routine", "pathway": "psychology", "edit_token": token})
    assert refused.status_code == 409
    rows = refused.content.decode().split('id="edit-conflict"', 1)[1]
    assert "<td>Urgency</td><td>Urgent</td>" in rows
    assert "<td>Pathway</td><td>Pain Management Programme</td>" in rows
    episode.refresh_from_db()
    assert (episode.urgency, episode.pathway) == ("urgent", "pmp")
    again = {"urgency": "routine", "pathway": "psychology", "edit_token": _token(refused)}
    assert second.post(url, again).status_code == 302
    episode.refresh_from_db()
    assert (episode.urgency, episode.pathway) == ("routine", "psychology")
