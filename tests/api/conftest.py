"""The API's cast: the seven personas of tests/test_access.py, each with a personal token, and
Jannick's record with something in every resource (the apps' own access_kwargs build it)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from api import tokens
from api.models import TokenScope


def token_for(user, scope=TokenScope.WRITE, days=30) -> str:
    _token, raw = tokens.token_create(
        actor=user, name=f"{user.username} device", scope=scope, days=days, otp_verified=True
    )
    return raw


def client_with(raw: str | None) -> APIClient:
    client = APIClient()
    if raw:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


@pytest.fixture
def api_client():
    return client_with


@pytest.fixture
def jannick_record(jannick, ana):
    """Every URL parameter of the API for Jannick's record: an episode, a signed TSK-11, an SCED
    study with values and an analysis, a medication."""
    from tests.api.records import api_record

    return {"patient_id": jannick.pk, **api_record(jannick, ana)}
