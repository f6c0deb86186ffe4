"""Personal API tokens: shown once, stored as a hash, created only by a verified session, with an
expiry and a scope, revoked by their owner; listed read-only for the admin."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from api import tokens
from api.models import ApiToken, TokenScope
from painclinic.models import AuditAction, AuditEvent
from tests.api.conftest import client_with, token_for

pytestmark = pytest.mark.django_db


def patient_url(record):
    return reverse("api:patient_detail", kwargs={"patient_id": record["patient_id"]})


def measurements_url(record):
    return reverse(
        "api:measurement_list",
        kwargs={"patient_id": record["patient_id"], "study_id": record["study_id"]},
    )


def test_ana_creates_a_token_on_her_page_and_sees_it_once(client, ana):
    client.force_login(ana)
    response = client.post(
        reverse("api_tokens:tokens"), {"name": "Ward tablet", "scope": "read", "days": 30}
    )
    assert response.status_code == 200
    raw = response.context["new_token"]
    assert raw.startswith("pc-")
    assert raw in response.content.decode()
    token = ApiToken.objects.get(user=ana)
    assert token.key_hash == tokens.hash_token(raw)
    assert raw not in token.key_hash
    assert token.scope == TokenScope.READ
    assert AuditEvent.objects.filter(
        actor=ana, action=AuditAction.CREATE, object_type="api.apitoken"
    ).exists()
    # The next visit lists it by name and prefix, never the token itself.
    again = client.get(reverse("api_tokens:tokens")).content.decode()
    assert "Ward tablet" in again
    assert raw not in again


def test_a_session_without_two_step_verification_cannot_create_a_token(client, ana):
    client.force_login(ana, otp_verified=False)
    page = client.get(reverse("api_tokens:tokens"))
    assert "two-step verification" in page.content.decode()
    client.post(reverse("api_tokens:tokens"), {"name": "Script", "scope": "write", "days": 5})
    assert not ApiToken.objects.exists()


def test_the_service_refuses_an_unverified_creator_too(ana):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        tokens.token_create(actor=ana, name="x", scope="read", days=1, otp_verified=False)


def test_a_token_lifetime_outside_1_to_90_days_is_refused_with_the_field(client, ana):
    client.force_login(ana)
    response = client.post(
        reverse("api_tokens:tokens"), {"name": "Forever", "scope": "read", "days": 365}
    )
    assert response.status_code == 400
    assert "days" in response.context["form"].errors
    assert not ApiToken.objects.exists()


def test_an_expired_token_is_refused(ana, jannick_record):
    raw = token_for(ana, days=1)
    client = client_with(raw)
    assert client.get(patient_url(jannick_record)).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=1, minutes=1)):
        response = client.get(patient_url(jannick_record))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


def test_a_revoked_token_is_refused_and_only_its_owner_can_revoke_it(
    client, ana, dina, jannick_record
):
    raw = token_for(ana)
    token = ApiToken.objects.get(user=ana)
    client.force_login(dina)
    assert client.post(reverse("api_tokens:revoke", args=[token.pk])).status_code == 404
    assert client_with(raw).get(patient_url(jannick_record)).status_code == 200
    client.force_login(ana)
    assert client.post(reverse("api_tokens:revoke", args=[token.pk])).status_code == 302
    assert client_with(raw).get(patient_url(jannick_record)).status_code == 401


def test_a_token_of_a_deactivated_user_is_refused(ana, jannick_record):
    raw = token_for(ana)
    ana.is_active = False
    ana.save()
    assert client_with(raw).get(patient_url(jannick_record)).status_code == 401


def test_a_made_up_token_is_refused(jannick_record):
    response = client_with("pc-" + "0" * 64).get(patient_url(jannick_record))
    assert response.status_code == 401


def test_a_read_token_cannot_write(ana, jannick_record):
    from sced.models import Measurement

    before = Measurement.objects.count()
    client = client_with(token_for(ana, scope=TokenScope.READ))
    response = client.post(
        measurements_url(jannick_record),
        {"measure_id": jannick_record["measure_id"], "value": 5, "session": 6},
        format="json",
    )
    assert response.status_code == 403
    assert Measurement.objects.count() == before
    # ... but it reads.
    assert client.get(measurements_url(jannick_record)).status_code == 200


def test_the_admin_lists_tokens_read_only(rf, ana):
    token_for(ana)
    model_admin = admin.site._registry[ApiToken]
    request = rf.get("/")
    request.user = ana
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, ApiToken.objects.get())
    assert not model_admin.has_delete_permission(request, ApiToken.objects.get())
    assert "key_hash" not in model_admin.fields
