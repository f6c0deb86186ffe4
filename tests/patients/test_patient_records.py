"""Registering, editing and following a patient's episodes and contacts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from patients import services
from patients.models import Contact, Episode, EpisodeStatus, Patient


def _registration(north, ana, **changes):
    data = {
        "identifier": "NHS-943-476-5919",
        "given_name": "Maria",
        "family_name": "Lindqvist",
        "date_of_birth": "1971-05-02",
        "sex": "female",
        "gender": "",
        "phone": "",
        "email": "",
        "address": "",
        "gp_name": "Dr Osei",
        "gp_practice": "",
        "preferred_language": "en-gb",
        "language_note": "Swedish",
        "interpreter_needed": "on",
        "primary_condition": "MG30.00",
        "pain_onset": "2019-01-01",
        "team": north.pk,
        "lead_clinician": ana.pk,
        "referral_date": (date.today() - timedelta(days=3)).isoformat(),
        "referral_source": "gp",
        "referral_reason": "Widespread pain, poor sleep",
    }
    data.update(changes)
    return data


@pytest.mark.django_db
def test_ana_registers_maria_who_appears_on_her_caseload_waiting(client, ana, north):
    client.force_login(ana)
    response = client.post(reverse("patients:register"), _registration(north, ana))
    maria = Patient.objects.get(identifier="NHS-943-476-5919")
    assert response["Location"] == reverse("patients:detail", kwargs={"patient_id": maria.pk})
    episode = maria.episodes.get()
    assert episode.status == EpisodeStatus.REFERRED
    assert list(episode.care_team.values_list("user__username", flat=True)) == ["ana"]
    caseload = client.get(reverse("caseload"))
    assert "Maria Lindqvist" in caseload.content.decode()
    row = next(r for r in caseload.context["rows"] if r["patient_id"] == maria.pk)
    assert row["days_waiting"] == 3


@pytest.mark.django_db
def test_a_registration_with_errors_keeps_everything_typed(client, ana, north):
    client.force_login(ana)
    data = _registration(north, ana, date_of_birth="2999-01-01", identifier="")
    response = client.post(reverse("patients:register"), data)
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {"date_of_birth", "identifier"}
    html = response.content.decode()
    for kept in ("Lindqvist", "Swedish", "Widespread pain, poor sleep", "2999-01-01"):
        assert kept in html, f"{kept!r} was lost"
    assert not Patient.objects.filter(family_name="Lindqvist").exists()


@pytest.mark.django_db
def test_the_identifier_is_unique(client, ana, north, jannick):
    client.force_login(ana)
    response = client.post(
        reverse("patients:register"), _registration(north, ana, identifier=jannick.identifier)
    )
    assert response.status_code == 400
    assert "identifier" in response.context["form"].errors


@pytest.mark.django_db
def test_the_lead_clinician_must_belong_to_the_team(client, ana, north, charlie):
    client.force_login(ana)
    response = client.post(
        reverse("patients:register"), _registration(north, ana, lead_clinician=charlie.pk)
    )
    assert response.status_code == 400
    assert "lead_clinician" in response.context["form"].errors


def _edit_data(client, patient):
    form = client.get(reverse("patients:edit", kwargs={"patient_id": patient.pk})).context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            continue
        data[name] = "" if value is None else value
    return data


@pytest.mark.django_db
def test_two_clinicians_editing_jannick_at_once_never_lose_each_others_work(
    client, jannick, ana, bob
):
    from django.test import Client

    ana_client, bob_client = client, Client()
    ana_client.force_login(ana)
    bob_client.force_login(bob)
    url = reverse("patients:edit", kwargs={"patient_id": jannick.pk})
    ana_form, bob_form = _edit_data(ana_client, jannick), _edit_data(bob_client, jannick)

    ana_form["phone"] = "07700 900111"
    assert ana_client.post(url, ana_form).status_code == 302

    bob_form["phone"] = "07700 900222"
    bob_form["gp_practice"] = "Harbour Practice"
    response = bob_client.post(url, bob_form)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else saved this record" in html
    assert "07700 900222" in html  # Bob's typing is kept
    assert "Harbour Practice" in html
    assert "07700 900111" in html  # and he sees what Ana saved
    jannick.refresh_from_db()
    assert (jannick.phone, jannick.gp_practice, jannick.version) == ("07700 900111", "", 2)

    # Bob decides, and saves on top of Ana's version.
    resubmitted = dict(bob_form, version=response.context["form"]["version"].value())
    assert bob_client.post(url, resubmitted).status_code == 302
    jannick.refresh_from_db()
    assert (jannick.phone, jannick.gp_practice, jannick.version) == (
        "07700 900222",
        "Harbour Practice",
        3,
    )


@pytest.mark.django_db
def test_the_service_refuses_a_stale_version(jannick, ana):
    with pytest.raises(services.EditConflict) as conflict:
        services.patient_update(
            actor=ana, patient=jannick, data={"phone": "1"}, expected_version=jannick.version - 1
        )
    assert conflict.value.differing_fields == ["phone"]


@pytest.mark.django_db
def test_recording_a_first_contact_makes_a_waiting_episode_active(client, ana, north):
    from tests.factories import EpisodeFactory

    episode = EpisodeFactory(team=north, lead_clinician=ana, status=EpisodeStatus.WAITING)
    client.force_login(ana)
    url = reverse(
        "patients:contact_add", kwargs={"patient_id": episode.patient_id, "episode_id": episode.pk}
    )
    response = client.post(
        url,
        {
            "date": date.today().isoformat(),
            "contact_type": "assessment",
            "duration_minutes": 60,
            "note": "First assessment",
        },
    )
    assert response.status_code == 302
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.ACTIVE
    assert [c.to_status for c in episode.status_changes.all()][-1] == EpisodeStatus.ACTIVE
    assert Contact.objects.filter(episode=episode).count() == 1


@pytest.mark.django_db
def test_a_contact_with_a_bad_duration_is_refused_and_keeps_the_note(client, jannick, ana):
    episode = jannick.episodes.get()
    client.force_login(ana)
    url = reverse(
        "patients:contact_add", kwargs={"patient_id": jannick.pk, "episode_id": episode.pk}
    )
    response = client.post(
        url,
        {
            "date": date.today().isoformat(),
            "contact_type": "individual",
            "duration_minutes": 0,
            "note": "Graded exposure: lifting a crate",
        },
    )
    assert response.status_code == 400
    assert "Graded exposure: lifting a crate" in response.content.decode()
    assert episode.contacts.count() == 1


@pytest.mark.django_db
def test_episode_state_machine(jannick, ana):
    episode = jannick.episodes.get()
    today = date.today()
    with pytest.raises(ValidationError, match="cannot become referred"):
        services.episode_change_status(
            actor=ana, episode=episode, to_status="referred", changed_on=today
        )
    with pytest.raises(ValidationError, match="needs a date and a reason"):
        services.episode_change_status(
            actor=ana, episode=episode, to_status="discharged", changed_on=today
        )
    services.episode_change_status(
        actor=ana, episode=episode, to_status="on_hold", changed_on=today
    )
    services.episode_change_status(
        actor=ana,
        episode=episode,
        to_status="discharged",
        changed_on=today,
        discharge_reason="goals_met",
    )
    episode.refresh_from_db()
    assert (episode.status, episode.discharge_date) == ("discharged", today)
    with pytest.raises(ValidationError, match="discharged cannot become active"):
        services.episode_change_status(
            actor=ana, episode=episode, to_status="active", changed_on=today
        )
    assert [c.to_status for c in episode.status_changes.all()][-2:] == ["on_hold", "discharged"]


@pytest.mark.django_db
def test_a_patient_with_two_episodes_over_the_years(client, jannick, ana, north):
    first = jannick.episodes.get()
    services.episode_change_status(
        actor=ana,
        episode=first,
        to_status="discharged",
        changed_on=date.today(),
        discharge_reason="self_managing",
    )
    services.episode_open(
        actor=ana,
        patient=jannick,
        team=north,
        lead_clinician=ana,
        referral_date=date.today(),
        referral_source="gp",
        referral_reason="Relapse",
    )
    client.force_login(ana)
    response = client.get(reverse("patients:detail", kwargs={"patient_id": jannick.pk}))
    assert [e.status for e in response.context["episodes"]] == ["referred", "discharged"]
    assert response.context["current_episode"] == Episode.objects.get(referral_reason="Relapse")


@pytest.mark.django_db
def test_live_search_answers_htmx_with_the_results_table_only(client, jannick, susan, ana):
    client.force_login(ana)
    response = client.get(reverse("patients:list"), {"q": "jann"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "Jannick" in html
    assert "Susan" not in html
    assert "<form" not in html
    assert '<nav class="navbar' not in html
    full = client.get(reverse("patients:list"), {"q": "whitfield"}).content.decode()
    assert "Susan" in full
    assert "Jannick" not in full
    assert "<form" in full


@pytest.mark.django_db
def test_the_patient_list_says_an_episode_on_hold_in_words(client, jannick, ana):
    """The list's status badge reads as the caseload's and the record's do: "On hold", not the
    stored code run together ("Onhold")."""
    services.episode_change_status(
        actor=ana, episode=jannick.episodes.get(), to_status="on_hold", changed_on=date.today()
    )
    client.force_login(ana)
    html = client.get(reverse("patients:list"), {"q": "jann"}).content.decode()
    assert ">On hold</span>" in html
    assert "Onhold" not in html


@pytest.mark.django_db
def test_the_episode_section_buttons_show_their_labels(client, jannick, ana):
    """The status and review-date buttons are outline buttons with their label readable: not a
    filled primary button with outline colours on top (blue text on blue)."""
    client.force_login(ana)
    episode = jannick.episodes.get()
    html = client.get(
        reverse(
            "patients:episode_change",
            kwargs={"patient_id": jannick.pk, "episode_id": episode.pk},
        )
    ).content.decode()
    assert 'class="btn btn-outline-primary"' in html
    assert 'value="Change status"' in html
    assert 'value="Save review date"' in html
    assert "btn-primary btn-outline-primary" not in html
