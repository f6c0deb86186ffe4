"""Every API endpoint answers each of the seven personas of tests/test_access.py as the pages do:
Ana (care team) and Bob (leads the team) reach Jannick's record; Dina (same team, not on the care
team), Charlie and Fay (another team) and Priya (programme admin) get 404 that does not name
him; anyone without a token gets 401. The URLs come from the resolver, so a new endpoint is in
the matrix the day it is added."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, get_resolver, reverse

from api.permissions import API_AUTHENTICATED, API_PATIENT_READ, API_PATIENT_WRITE
from painclinic.models import AuditAction, AuditEvent
from tests.api.conftest import client_with, token_for
from tests.test_access import PERSONAS, _walk

API_POLICIES = (API_AUTHENTICATED, API_PATIENT_READ, API_PATIENT_WRITE)
# The API answers "login" (a page's redirect to the log-in page) with 401.
EXPECTED = {persona: (401 if want == "login" else want) for persona, want in PERSONAS.items()}


def api_urls() -> list[tuple[str, URLPattern]]:
    return [(name, p) for name, p in _walk(get_resolver().url_patterns) if name.startswith("api:")]


def patient_scoped_urls():
    return [(name, p) for name, p in api_urls() if "patient_id" in p.pattern.converters]


def test_every_api_url_declares_its_access():
    undecided = [
        name
        for name, pattern in api_urls()
        if getattr(pattern.callback, "access_policy", None) not in API_POLICIES
    ]
    assert undecided == []
    assert len(patient_scoped_urls()) >= 10  # guards the walk: it found the endpoints


@pytest.fixture
def cast(ana, bob, dina, charlie, fay, priya):
    return {"ana": ana, "bob": bob, "dina": dina, "charlie": charlie, "fay": fay, "priya": priya}


@pytest.mark.django_db
@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_every_patient_endpoint_answers_each_persona_as_the_policy_says(
    cast, jannick_record, persona
):
    client = client_with(token_for(cast[persona]) if persona in cast else None)
    expected = EXPECTED[persona]
    wrong = []
    for name, pattern in patient_scoped_urls():
        url = reverse(name, kwargs={k: jannick_record[k] for k in pattern.pattern.converters})
        methods = ["get"]
        if pattern.callback.access_policy == API_PATIENT_WRITE:
            methods.append("post" if "measurement_id" not in url else "patch")
        for method in methods:
            response = getattr(client, method)(url, {}, format="json")
            status = response.status_code
            if status == 405:
                continue
            if expected == "ok":
                good = status in (200, 400, 428)  # an empty body is refused with its fields
            else:
                good = status == expected
                if b"Jannick" in response.content or b"de Vries" in response.content:
                    wrong.append(f"{method.upper()} {name} names Jannick")
            if not good:
                wrong.append(f"{method.upper()} {name} -> {status} (expected {expected})")
    assert wrong == [], f"{persona}: " + "; ".join(wrong)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_the_patient_list_holds_jannick_only_for_those_who_reach_him(cast, jannick_record, persona):
    client = client_with(token_for(cast[persona]) if persona in cast else None)
    response = client.get(reverse("api:patient_list"))
    if persona == "anonymous":
        assert response.status_code == 401
        return
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert (str(jannick_record["patient_id"]) in ids) == (EXPECTED[persona] == "ok")


@pytest.mark.django_db
def test_charlie_asking_for_jannick_is_a_404_and_a_denied_audit_event(jannick_record, charlie):
    client = client_with(token_for(charlie))
    url = reverse("api:patient_detail", kwargs={"patient_id": jannick_record["patient_id"]})
    assert client.get(url).status_code == 404
    denied = AuditEvent.objects.filter(actor=charlie, action=AuditAction.DENIED)
    assert list(denied.values_list("patient_id", flat=True)) == [jannick_record["patient_id"]]


@pytest.mark.django_db
def test_an_unknown_patient_is_the_same_404_as_a_hidden_one(ana, jannick_record):
    import uuid

    client = client_with(token_for(ana))
    response = client.get(reverse("api:patient_detail", kwargs={"patient_id": uuid.uuid4()}))
    assert response.status_code == 404
    assert response.json() == {"detail": "No such patient."}
