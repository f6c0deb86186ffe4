"""Supervisor ratings (issue #13): a team lead records a CTS-R, a fidelity checklist or MITI
globals for a clinician of their team; the clinician reads their own, the lead the team's;
anybody else gets a 404, and a clinician cannot record one."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from painclinic.models import AuditEvent
from quality import services
from quality.models import SupervisorRating

CTSR_OK = {str(i): 3 for i in range(1, 13)}


def _rate(bob, ana, **extra):
    return services.supervisor_rating_record(
        actor=bob,
        clinician=ana,
        scale="ctsr",
        values=CTSR_OK,
        session_date=date.today(),
        **extra,
    )


@pytest.mark.django_db
def test_bob_records_a_ctsr_for_ana_and_the_result_is_stored_with_its_band(bob, ana):
    rating = _rate(bob, ana, feedback="Good agenda; homework could be more specific.")
    assert rating.result["band"] == "competent"
    assert rating.team == ana.teams.first()
    assert AuditEvent.objects.filter(object_type="quality.supervisorrating").exists()


@pytest.mark.django_db
def test_a_lead_of_another_team_and_a_clinician_cannot_record_a_rating(fay, ana, dina):
    for actor in (fay, dina):
        with pytest.raises(ValidationError):
            _rate(actor, ana)
    assert not SupervisorRating.objects.exists()


@pytest.mark.django_db
def test_a_lead_cannot_rate_themselves(bob):
    with pytest.raises(ValidationError):
        _rate(bob, bob)


@pytest.mark.django_db
def test_the_session_attached_must_be_the_clinicians(bob, ana, dina, jannick):
    contact = jannick.episodes.get().contacts.get()  # Ana's first assessment
    with pytest.raises(ValidationError):
        _rate(bob, dina, contact=contact)
    assert _rate(bob, ana, contact=contact).contact == contact


@pytest.mark.django_db
def test_the_form_posts_a_miti_rating_and_redisplays_a_bad_one_with_its_message(client, bob, ana):
    client.force_login(bob)
    url = reverse("quality:rating_new", kwargs={"scale": "miti"})
    data = {
        "clinician": ana.pk,
        "session_date": date.today().isoformat(),
        "item_cct": "4",
        "item_sst": "3",
        "item_partnership": "4",
        "item_empathy": "4",
    }
    bad = client.post(url, {**data, "item_empathy": ""})
    assert bad.status_code == 400
    assert not SupervisorRating.objects.exists()
    good = client.post(url, data)
    assert good.status_code == 302
    rating = SupervisorRating.objects.get()
    assert rating.result["parts"]["Technical global"] == 3.5
    assert rating.result["band"] == "fair"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "list_shows", "detail"),
    [
        ("ana", True, 200),  # her own
        ("bob", True, 200),  # her team lead
        ("dina", False, 404),  # a colleague: not hers to read
        ("charlie", False, 404),  # another team
        ("fay", False, 404),  # the lead of another team
        ("priya", False, 404),  # programme admin
    ],
)
def test_who_reads_a_rating(
    client, ana, bob, dina, charlie, fay, priya, persona, list_shows, detail
):
    rating = _rate(bob, ana, feedback="Pacing of the session was good.")
    users = {"ana": ana, "bob": bob, "dina": dina, "charlie": charlie, "fay": fay, "priya": priya}
    client.force_login(users[persona])
    listing = client.get(reverse("quality:ratings")).content.decode()
    assert (
        "Pacing of the session"
        in client.get(reverse("quality:rating", kwargs={"rating_id": rating.pk})).content.decode()
    ) is (detail == 200)
    assert ("Ana Costa" in listing) is list_shows
    assert (
        client.get(reverse("quality:rating", kwargs={"rating_id": rating.pk})).status_code == detail
    )


@pytest.mark.django_db
def test_anonymous_users_are_sent_to_log_in(client, ana, bob):
    rating = _rate(bob, ana)
    for url in (
        reverse("quality:ratings"),
        reverse("quality:rating", kwargs={"rating_id": rating.pk}),
        reverse("quality:rating_new", kwargs={"scale": "ctsr"}),
        reverse("quality:outcomes"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert "/login/" in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["ana", "dina", "charlie", "priya"])
def test_only_team_leads_open_the_rating_form_and_the_outcomes(
    client, ana, dina, charlie, priya, persona
):
    users = {"ana": ana, "dina": dina, "charlie": charlie, "priya": priya}
    client.force_login(users[persona])
    assert client.get(reverse("quality:rating_new", kwargs={"scale": "ctsr"})).status_code == 403
    assert client.get(reverse("quality:outcomes")).status_code == 403


@pytest.mark.django_db
def test_fay_cannot_pick_a_clinician_of_another_team(client, fay, ana):
    client.force_login(fay)
    url = reverse("quality:rating_new", kwargs={"scale": "ctsr"})
    assert "Ana Costa" not in client.get(url).content.decode()
    data = {"clinician": ana.pk, "session_date": date.today().isoformat()}
    data.update({f"item_{k}": v for k, v in CTSR_OK.items()})
    assert client.post(url, data).status_code == 400
    assert not SupervisorRating.objects.exists()


@pytest.mark.django_db
def test_an_unknown_scale_is_a_404(client, bob):
    client.force_login(bob)
    assert client.get(reverse("quality:rating_new", kwargs={"scale": "acme"})).status_code == 404
