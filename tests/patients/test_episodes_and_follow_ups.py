"""After discharge (issue #13): the follow-up calls planned with the discharge, their outcomes,
the overdue ones on the caller's caseload, and a re-referral that opens a new episode while the
earlier ones stay on the record."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from painclinic.models import AuditAction, AuditEvent
from patients import services
from patients.models import Episode, EpisodeStatus, FollowUpCall, FollowUpOutcome
from tests.factories import EpisodeFactory

DISCHARGED_ON = date.today() - timedelta(days=50)


def _discharge(actor, episode, on=DISCHARGED_ON):
    return services.episode_change_status(
        actor=actor,
        episode=episode,
        to_status="discharged",
        changed_on=on,
        discharge_reason="goals_met",
    )


@pytest.fixture
def discharged(ana, north):
    """Marta Keller: an episode referred 200 days ago, discharged 50 days ago."""
    episode = EpisodeFactory(
        team=north,
        lead_clinician=ana,
        care_team=[ana],
        referral_date=date.today() - timedelta(days=200),
        patient__given_name="Marta",
        patient__family_name="Keller",
    )
    return _discharge(ana, episode)


# Constant in the number of calls: session, user, the patient through the policy, the episode,
# its calls with their callers, the picker of callers, the audit chain (lock, head, INSERT), the
# app frame's notification count, with the test savepoints.
# -3 (issue #16): the session is renewed once a minute, not saved (3 queries) on every page.
# -1 (issue #16): the audit chain's lock and head are read in one statement.
# -1 (issue #16): the session's authenticator is read with the user (no query of its own).
# -1 (issue #16): whether there are unread notifications is read with the user.
# - 1: the page's audit event is one statement (painclinic migration 0013)
FOLLOW_UP_PAGE_QUERIES = 8


# --- Follow-up calls --------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_discharge_plans_calls_at_2_6_and_12_weeks_by_the_lead(discharged, ana):
    calls = list(FollowUpCall.objects.filter(episode=discharged).order_by("due_on"))
    assert [c.due_on for c in calls] == [
        DISCHARGED_ON + timedelta(weeks=2),
        DISCHARGED_ON + timedelta(weeks=6),
        DISCHARGED_ON + timedelta(weeks=12),
    ]
    assert {c.caller for c in calls} == {ana}
    assert all(c.outcome == "" for c in calls)


@pytest.mark.django_db
def test_other_status_changes_plan_no_calls(ana, jannick):
    episode = jannick.episodes.get()
    services.episode_change_status(
        actor=ana, episode=episode, to_status="on_hold", changed_on=date.today()
    )
    assert not FollowUpCall.objects.exists()


def _call_data(call, **changes):
    data = {
        "due_on": call.due_on,
        "caller": call.caller,
        "outcome": "",
        "called_on": None,
        "notes": "",
    }
    data.update(changes)
    return data


@pytest.mark.django_db
def test_a_reached_call_is_recorded_and_audited(discharged, ana):
    call = discharged.follow_up_calls.order_by("due_on").first()
    services.follow_up_update(
        actor=ana,
        call=call,
        data=_call_data(
            call,
            outcome=FollowUpOutcome.REACHED,
            called_on=call.due_on,
            notes="Walking daily; no flare-ups.",
        ),
    )
    call.refresh_from_db()
    assert (call.outcome, call.called_on) == (FollowUpOutcome.REACHED, call.due_on)
    assert AuditEvent.objects.filter(
        actor=ana, action=AuditAction.CHANGE, object_type="patients.followupcall"
    ).exists()


@pytest.mark.django_db
def test_an_outcome_needs_the_date_of_the_call(discharged, ana):
    call = discharged.follow_up_calls.first()
    with pytest.raises(ValidationError) as error:
        services.follow_up_update(
            actor=ana, call=call, data=_call_data(call, outcome=FollowUpOutcome.NOT_REACHED)
        )
    assert "called_on" in error.value.message_dict
    call.refresh_from_db()
    assert call.outcome == ""


@pytest.mark.django_db
def test_a_rescheduled_call_adds_the_new_call_and_keeps_its_own_notes(discharged, ana):
    call = discharged.follow_up_calls.order_by("due_on").first()
    new_day = date.today() + timedelta(days=7)
    services.follow_up_update(
        actor=ana,
        call=call,
        data=_call_data(
            call,
            outcome=FollowUpOutcome.RESCHEDULED,
            called_on=call.due_on,
            notes="Asked to be called after her holiday.",
            new_due_on=new_day,
        ),
    )
    assert discharged.follow_up_calls.count() == 4
    assert discharged.follow_up_calls.filter(due_on=new_day, outcome="", caller=ana).exists()


@pytest.mark.django_db
def test_a_rescheduled_call_needs_the_new_date(discharged, ana):
    call = discharged.follow_up_calls.first()
    with pytest.raises(ValidationError) as error:
        services.follow_up_update(
            actor=ana,
            call=call,
            data=_call_data(call, outcome=FollowUpOutcome.RESCHEDULED, called_on=call.due_on),
        )
    assert "new_due_on" in error.value.message_dict
    assert discharged.follow_up_calls.count() == 3


@pytest.mark.django_db
def test_a_programme_admin_never_makes_the_call(discharged, ana, priya):
    call = discharged.follow_up_calls.first()
    with pytest.raises(ValidationError) as error:
        services.follow_up_update(actor=ana, call=call, data=_call_data(call, caller=priya))
    assert "caller" in error.value.message_dict


@pytest.mark.django_db
def test_two_people_saving_one_call_do_not_overwrite_each_other(discharged, ana, dina):
    from painclinic.concurrency import edit_token

    call = discharged.follow_up_calls.first()
    token = edit_token(call, services.FOLLOW_UP_FIELDS)
    services.follow_up_update(
        actor=ana,
        call=call,
        data=_call_data(call, outcome="reached", called_on=call.due_on),
        edit_token=token,
    )
    with pytest.raises(services.EditConflict):
        services.follow_up_update(
            actor=ana,
            call=call,
            data=_call_data(call, outcome="not_reached", called_on=call.due_on),
            edit_token=token,
        )
    call.refresh_from_db()
    assert call.outcome == "reached"


@pytest.mark.django_db
def test_calls_are_for_a_discharged_episode_only(ana, jannick):
    with pytest.raises(ValidationError, match="after its discharge"):
        services.follow_up_add(
            actor=ana, episode=jannick.episodes.get(), due_on=date.today(), caller=ana
        )


@pytest.mark.django_db
def test_overdue_calls_show_on_the_callers_caseload(client, discharged, ana, dina):
    client.force_login(ana)
    page = client.get(reverse("caseload")).content.decode()
    # Due 2 and 6 weeks after a discharge 50 days ago: overdue; the 12-week call is not yet due.
    assert "2 follow-up calls are overdue" in page
    assert "Marta Keller" in page
    client.force_login(dina)
    assert "follow-up call" not in client.get(reverse("caseload")).content.decode()


@pytest.mark.django_db
def test_the_caseload_panel_queries_do_not_grow_with_overdue_calls(client, ana, north):
    from tests.review.test_query_counts import CASELOAD_QUERIES

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("caseload")).status_code == 200
        return len(queries)

    def discharged_patient():
        episode = EpisodeFactory(
            team=north,
            lead_clinician=ana,
            care_team=[ana],
            referral_date=date.today() - timedelta(days=200),
        )
        _discharge(ana, episode)

    client.force_login(ana)
    EpisodeFactory(team=north, lead_clinician=ana, care_team=[ana])  # one open episode listed
    discharged_patient()
    few = count()
    for _ in range(6):
        discharged_patient()
    many = count()
    # The empty caseload's pin plus the overdue calls' list (read because that panel has rows).
    assert few == many == CASELOAD_QUERIES + 1


@pytest.mark.django_db
def test_the_follow_up_page_records_an_outcome_and_keeps_typed_notes_on_error(
    client, discharged, ana
):
    call = discharged.follow_up_calls.order_by("due_on").first()
    url = reverse(
        "patients:follow_ups",
        kwargs={"patient_id": discharged.patient_id, "episode_id": discharged.pk},
    )
    client.force_login(ana)
    page = client.get(url).content.decode()
    assert "Record the call" in page
    assert "overdue" in page
    posted = {
        "action": "save",
        "call_id": call.pk,
        "due_on": call.due_on.isoformat(),
        "caller": ana.pk,
        "outcome": "reached",
        "called_on": "",
        "notes": "She is back at work part-time.",
    }
    response = client.post(url, posted)
    assert response.status_code == 400
    assert "She is back at work part-time." in response.content.decode()
    assert "Give the date of the call." in response.content.decode()
    posted["called_on"] = call.due_on.isoformat()
    assert client.post(url, posted).status_code == 302
    call.refresh_from_db()
    assert call.outcome == "reached"
    record = client.get(reverse("patients:detail", kwargs={"patient_id": discharged.patient_id}))
    assert "She is back at work part-time." in record.content.decode()


@pytest.mark.django_db
def test_the_follow_up_page_queries_do_not_grow_with_calls(client, discharged, ana):
    url = reverse(
        "patients:follow_ups",
        kwargs={"patient_id": discharged.patient_id, "episode_id": discharged.pk},
    )
    client.force_login(ana)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    few = count()
    for weeks in range(14, 24):
        services.follow_up_add(
            actor=ana,
            episode=discharged,
            due_on=DISCHARGED_ON + timedelta(weeks=weeks),
            caller=ana,
        )
    many = count()
    assert few == many == FOLLOW_UP_PAGE_QUERIES


# --- Re-referral: a new episode after discharge -----------------------------------------------


@pytest.mark.django_db
def test_a_re_referral_while_an_episode_is_open_is_refused(ana, jannick):
    with pytest.raises(ValidationError, match="already has an open episode"):
        services.episode_rerefer(
            actor=ana,
            patient=jannick,
            lead_clinician=ana,
            referral_date=date.today(),
            referral_source="gp",
            referral_reason="Back pain again",
        )
    assert jannick.episodes.count() == 1


@pytest.mark.django_db
def test_a_re_referral_opens_a_new_episode_and_keeps_the_earlier_one(discharged, ana, dina):
    patient = discharged.patient
    new = services.episode_rerefer(
        actor=ana,
        patient=patient,
        lead_clinician=dina,
        referral_date=date.today(),
        referral_source="gp",
        referral_reason="Neck pain after a fall",
    )
    assert Episode.objects.current_for(patient) == new
    assert (new.status, new.team, new.lead_clinician) == (
        EpisodeStatus.REFERRED,
        discharged.team,
        dina,
    )
    discharged.refresh_from_db()
    assert discharged.status == EpisodeStatus.DISCHARGED
    assert patient.episodes.count() == 2


@pytest.mark.django_db
def test_a_re_referral_cannot_predate_the_last_discharge(discharged, ana):
    with pytest.raises(ValidationError) as error:
        services.episode_rerefer(
            actor=ana,
            patient=discharged.patient,
            lead_clinician=ana,
            referral_date=DISCHARGED_ON - timedelta(days=1),
            referral_source="gp",
            referral_reason="Back pain again",
        )
    assert "referral_date" in error.value.message_dict


@pytest.mark.django_db
def test_the_record_offers_a_new_episode_and_shows_the_history(client, discharged, ana):
    patient = discharged.patient
    client.force_login(ana)
    record = client.get(reverse("patients:detail", kwargs={"patient_id": patient.pk}))
    assert "Open a new episode" in record.content.decode()
    url = reverse("patients:episode_new", kwargs={"patient_id": patient.pk})
    posted = {
        "referral_date": date.today().isoformat(),
        "referral_source": "gp",
        "lead_clinician": ana.pk,
        "referral_reason": "",
    }
    response = client.post(url, posted)
    assert response.status_code == 400  # the reason is missing; the rest stays as typed
    assert f'value="{date.today().isoformat()}"' in response.content.decode()
    posted["referral_reason"] = "Neck pain after a fall"
    assert client.post(url, posted).status_code == 302
    page = client.get(reverse("patients:detail", kwargs={"patient_id": patient.pk}))
    content = page.content.decode()
    assert "Current episode" in content
    assert "Neck pain after a fall" in content
    assert "Persistent pain" in content  # the earlier episode's reason, still on the record
    follow_ups = reverse(
        "patients:follow_ups", kwargs={"patient_id": patient.pk, "episode_id": discharged.pk}
    )
    assert follow_ups in content  # the earlier episode links to its follow-up calls
    plans = reverse(
        "treatment:plan_history", kwargs={"patient_id": patient.pk, "episode_id": discharged.pk}
    )
    assert plans in content  # and to its treatment plans
    assert client.get(plans).status_code == 200


@pytest.mark.django_db
def test_the_new_episode_page_says_why_not_while_one_is_open(client, ana, jannick):
    client.force_login(ana)
    url = reverse("patients:episode_new", kwargs={"patient_id": jannick.pk})
    page = client.get(url).content.decode()
    assert "already has an open episode" in page
    response = client.post(
        url,
        {
            "referral_date": date.today().isoformat(),
            "referral_source": "gp",
            "lead_clinician": ana.pk,
            "referral_reason": "Again",
        },
    )
    assert response.status_code == 400
    assert jannick.episodes.count() == 1


def _first_call_form(client, episode, user):
    """``user`` opens the form of the episode's first call: (the call, the page's URL, the page)."""
    call = episode.follow_up_calls.order_by("due_on").first()
    url = reverse(
        "patients:follow_ups", kwargs={"patient_id": episode.patient_id, "episode_id": episode.pk}
    )
    client.force_login(user)
    return call, url, client.get(f"{url}?call={call.pk}").content.decode()


@pytest.mark.django_db
def test_the_call_form_opens_with_the_calls_date_and_caller(client, discharged, ana):
    call, _, page = _first_call_form(client, discharged, ana)
    assert f'name="due_on" value="{call.due_on.isoformat()}"' in page
    assert f'<option value="{ana.pk}" selected>' in page


@pytest.mark.django_db
def test_a_call_recorded_meanwhile_is_not_overwritten_on_the_page(client, discharged, ana):
    """The 409 page: what was typed stays, what is saved now is shown, nothing is written or
    audited; the page carries the new token, so saving again is a deliberate overwrite."""
    call, url, page = _first_call_form(client, discharged, ana)
    token = re.search(r'name="edit_token" value="([0-9a-f]+)"', page).group(1)
    meanwhile = _call_data(call, outcome="not_reached", called_on=call.due_on, notes="No answer.")
    services.follow_up_update(actor=ana, call=call, data=meanwhile)
    typed = _call_data(call, outcome="reached", called_on=call.due_on, notes="Walking again.")
    posted = {
        **{name: getattr(value, "pk", value) or "" for name, value in typed.items()},
        "action": "save",
        "call_id": call.pk,
    }
    changes = AuditEvent.objects.exclude(action=AuditAction.VIEW)  # the page itself is a VIEW
    audited = changes.count()
    refused = client.post(url, {**posted, "edit_token": token})
    assert refused.status_code == 409
    page = refused.content.decode()
    assert "Walking again." in page  # nothing typed is lost
    saved_now = page.split('id="edit-conflict"', 1)[1].split("</div>", 1)[0]
    assert "No answer." in saved_now
    assert changes.count() == audited
    call.refresh_from_db()
    assert call.notes == "No answer."
    token = re.search(r'name="edit_token" value="([0-9a-f]+)"', page).group(1)
    assert client.post(url, {**posted, "edit_token": token}).status_code == 302
    call.refresh_from_db()
    assert call.notes == "Walking again."
