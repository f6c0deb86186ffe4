"""Ana's typos in dates are caught where she types them: a referral in 1800, a birth next year, a
contact before the referral, a next review in 1999 or in 2099. The form keeps what she typed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from patients import services
from patients.models import Patient

pytestmark = pytest.mark.django_db


def _registration(north, ana, **changes):
    data = {
        "identifier": "NHS-111",
        "given_name": "Maria",
        "family_name": "Lindqvist",
        "date_of_birth": "1971-05-02",
        "sex": "female",
        "preferred_language": "en-gb",
        "language_note": "Swedish",
        "primary_condition": "MG30.00",
        "team": north.pk,
        "lead_clinician": ana.pk,
        "referral_date": (date.today() - timedelta(days=3)).isoformat(),
        "referral_source": "gp",
        "referral_reason": "Widespread pain",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("referral_date", "1995-01-01", "outside the clinic&#x27;s records"),
        ("referral_date", "1800-01-01", "before the patient&#x27;s date of birth"),
        ("date_of_birth", "1850-01-01", "not plausible"),
        ("date_of_birth", (date.today() + timedelta(days=1)).isoformat(), "in the future"),
        ("pain_onset", "1960-01-01", "Pain onset cannot be before the date of birth"),
    ],
)
def test_an_implausible_registration_date_is_refused_and_kept(
    client, ana, north, field, value, message
):
    client.force_login(ana)
    response = client.post(
        reverse("patients:register"), _registration(north, ana, **{field: value})
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert message in content
    assert f'value="{value}"' in content
    assert not Patient.objects.filter(identifier="NHS-111").exists()


def test_a_contact_before_the_referral_is_refused(client, ana, jannick):
    episode = jannick.episodes.get()
    client.force_login(ana)
    url = reverse(
        "patients:contact_add", kwargs={"patient_id": jannick.pk, "episode_id": episode.pk}
    )
    day = episode.referral_date - timedelta(days=1)
    response = client.post(
        url, {"date": day.isoformat(), "contact_type": "individual", "duration_minutes": 45}
    )
    assert response.status_code == 400
    assert "cannot be before the referral" in response.content.decode()


@pytest.mark.parametrize("day", ["1999-05-01", "2099-01-01"])
def test_a_next_review_in_1999_or_2099_is_refused(client, ana, jannick, day):
    episode = jannick.episodes.get()
    client.force_login(ana)
    url = reverse(
        "patients:episode_review", kwargs={"patient_id": jannick.pk, "episode_id": episode.pk}
    )
    response = client.post(url, {"next_review_due": day})
    assert response.status_code == 400
    episode.refresh_from_db()
    assert episode.next_review_due is None


def test_a_status_change_in_1999_is_refused(client, ana, jannick):
    episode = jannick.episodes.get()
    client.force_login(ana)
    url = reverse(
        "patients:episode_status", kwargs={"patient_id": jannick.pk, "episode_id": episode.pk}
    )
    response = client.post(url, {"to_status": "on_hold", "changed_on": "1999-01-01"})
    assert response.status_code == 400
    assert "cannot be before the referral" in response.content.decode()


def test_the_services_apply_the_same_rules(ana, north, jannick):
    episode = jannick.episodes.get()
    with pytest.raises(ValidationError, match="outside the clinic"):
        services.episode_open(
            actor=ana,
            patient=jannick,
            team=north,
            lead_clinician=ana,
            referral_date=date(1999, 1, 1),
            referral_source="gp",
            referral_reason="x",
        )
    with pytest.raises(ValidationError, match="two years ahead"):
        services.episode_set_review_date(
            actor=ana, episode=episode, next_review_due=date(2099, 1, 1)
        )
    with pytest.raises(ValidationError, match="in the future"):
        services.contact_record(
            actor=ana,
            episode=episode,
            data={
                "date": date.today() + timedelta(days=2),
                "contact_type": "individual",
                "duration_minutes": 30,
            },
        )
