"""What a device, a diary app or a script does through the API, told as the clinic's stories:
it reads Jannick's record, starts a questionnaire draft, records a value, corrects one with
If-Match; bad input is a 400 naming the field; every record read or written is audited."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.request import Request

from api.pagination import LimitOffset
from api.throttling import PerTokenOrUserThrottle, WriteThrottle
from assessment.models import Administration, AdministrationState
from interop.fhir.checks import bundle_problems
from painclinic.models import AuditAction, AuditEvent
from sced.models import Measurement
from tests.api.conftest import client_with, token_for
from tests.interop.validation import validate_r4

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()  # the throttles count in the cache
    yield
    cache.clear()


def url(name, record, *keys):
    return reverse(f"api:{name}", kwargs={k: record[k] for k in ("patient_id", *keys)})


# --- reads ------------------------------------------------------------------------------------


def test_ana_reads_jannicks_record_and_each_read_is_one_audit_event(ana, jannick_record):
    client = client_with(token_for(ana))
    before = AuditEvent.objects.filter(actor=ana, action=AuditAction.VIEW).count()
    for name, keys in (
        ("patient_detail", ()),
        ("episode_list", ()),
        ("result_list", ()),
        ("medication_list", ()),
        ("study_list", ()),
        ("study_detail", ("study_id",)),
        ("measurement_list", ("study_id",)),
        ("analysis_list", ("study_id",)),
    ):
        response = client.get(url(name, jannick_record, *keys))
        assert response.status_code == 200, name
    views = AuditEvent.objects.filter(actor=ana, action=AuditAction.VIEW)
    assert views.count() - before == 8
    assert set(views.values_list("patient_id", flat=True)) == {jannick_record["patient_id"]}


def test_the_signed_tsk11_is_read_with_its_total(ana, jannick_record):
    results = client_with(token_for(ana)).get(url("result_list", jannick_record)).json()
    (tsk,) = [r for r in results["results"] if r["instrument"] == "tsk11"]
    assert tsk["total"] == 33  # eleven items answered 3


def test_the_patient_list_audits_each_patient_named(ana, jannick_record, susan):
    client_with(token_for(ana)).get(reverse("api:patient_list"))
    listed = AuditEvent.objects.filter(
        actor=ana, action=AuditAction.VIEW, object_type="patients.patient"
    )
    assert set(listed.values_list("patient_id", flat=True)) == {
        jannick_record["patient_id"],
        susan.pk,
    }


def test_a_single_record_carries_an_etag_and_answers_304_when_unchanged(ana, jannick_record):
    client = client_with(token_for(ana))
    first = client.get(url("patient_detail", jannick_record))
    tag = first["ETag"]
    assert tag.startswith('"')
    assert len(tag) > 10
    again = client.get(url("patient_detail", jannick_record), HTTP_IF_NONE_MATCH=tag)
    assert again.status_code == 304


# --- pagination -------------------------------------------------------------------------------


def test_lists_are_paged_with_limit_and_offset(ana, jannick_record):
    client = client_with(token_for(ana))
    page = client.get(url("measurement_list", jannick_record, "study_id"), {"limit": 2}).json()
    assert page["count"] == 5
    assert len(page["results"]) == 2
    assert "offset=2" in page["next"]
    last = client.get(
        url("measurement_list", jannick_record, "study_id"), {"limit": 2, "offset": 4}
    ).json()
    assert [m["session"] for m in last["results"]] == [5]
    assert last["next"] is None


def test_a_page_is_never_larger_than_100():
    request = Request(RequestFactory().get("/", {"limit": 5000}))
    assert LimitOffset().get_limit(request) == 100


# --- assessment drafts ------------------------------------------------------------------------


def drafts(record):
    return url("draft_create", record)


def test_a_tablet_saves_jannicks_pcs_answers_as_a_draft_to_sign_in_the_browser(
    ana, jannick, jannick_record
):
    episode = jannick.episodes.first()
    body = {
        "episode_id": episode.pk,
        "instrument_key": "tsk11",
        "time_point": "review",
        "answers": {str(i): "2" for i in range(1, 12)},
    }
    response = client_with(token_for(ana)).post(drafts(jannick_record), body, format="json")
    assert response.status_code == 201, response.json()
    draft = Administration.objects.get(pk=response.json()["id"])
    assert draft.state == AdministrationState.DRAFT  # signing stays in the browser
    assert draft.score["total"] == 22
    assert AuditEvent.objects.filter(
        actor=ana,
        patient=jannick,
        action=AuditAction.CREATE,
        object_type="assessment.assessmentsession",
    ).exists()


def test_an_out_of_range_answer_is_a_400_naming_answers_and_nothing_is_saved(
    ana, jannick, jannick_record
):
    before = Administration.objects.count()
    body = {
        "episode_id": jannick.episodes.first().pk,
        "instrument_key": "tsk11",
        "time_point": "review",
        "answers": {"1": "9"},
    }
    response = client_with(token_for(ana)).post(drafts(jannick_record), body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["answers"]
    assert Administration.objects.count() == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"instrument_key": "no-such-questionnaire"}, "instrument_key"),
        ({"time_point": "someday"}, "time_point"),
        ({"episode_id": 999999}, "episode_id"),
        ({"date": "2999-01-01"}, "date"),
    ],
)
def test_bad_draft_input_names_the_field(ana, jannick, jannick_record, change, field):
    body = {
        "episode_id": jannick.episodes.first().pk,
        "instrument_key": "tsk11",
        "time_point": "review",
        "answers": {},
    } | change
    response = client_with(token_for(ana)).post(drafts(jannick_record), body, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()


# --- measurements -----------------------------------------------------------------------------


def measurements(record):
    return url("measurement_list", record, "study_id")


def test_a_device_records_session_six(ana, jannick_record):
    body = {"measure_id": jannick_record["measure_id"], "value": 7, "session": 6}
    response = client_with(token_for(ana)).post(measurements(jannick_record), body, format="json")
    assert response.status_code == 201, response.json()
    assert Measurement.objects.get(pk=response.json()["id"]).value == 7
    assert AuditEvent.objects.filter(
        actor=ana, action=AuditAction.CREATE, object_type="sced.study"
    ).exists()


def test_a_value_outside_the_measure_range_is_a_400_and_nothing_is_recorded(ana, jannick_record):
    before = Measurement.objects.count()
    body = {"measure_id": jannick_record["measure_id"], "value": 11, "session": 6}
    response = client_with(token_for(ana)).post(measurements(jannick_record), body, format="json")
    assert response.status_code == 400
    assert Measurement.objects.count() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"value": 5, "session": 6}, "measure_id"),
        ({"measure_id": 999999, "value": 5, "session": 6}, "measure_id"),
        ({"measure_id": "ours", "value": "lots", "session": 6}, "value"),
        ({"measure_id": "ours", "value": 5}, "session"),
        ({"measure_id": "ours", "value": 5, "session": 0}, "session"),
    ],
)
def test_bad_measurement_input_names_the_field(ana, jannick_record, body, field):
    if body.get("measure_id") == "ours":
        body["measure_id"] = jannick_record["measure_id"]
    before = Measurement.objects.count()
    response = client_with(token_for(ana)).post(measurements(jannick_record), body, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert Measurement.objects.count() == before


# --- amending with If-Match -------------------------------------------------------------------


def test_correcting_a_value_needs_the_etag_and_a_stale_one_is_412(ana, bob, jannick_record):
    detail = url("measurement_detail", jannick_record, "study_id", "measurement_id")
    ana_client, bob_client = client_with(token_for(ana)), client_with(token_for(bob))
    tag = ana_client.get(detail)["ETag"]
    assert bob_client.get(detail)["ETag"] == tag
    # Without If-Match the change is refused (428): nobody overwrites blind.
    blind = ana_client.patch(detail, {"value": 6, "reason": "Typed 8 for 6"}, format="json")
    assert blind.status_code == 428
    first = ana_client.patch(
        detail, {"value": 6, "reason": "Typed 8 for 6"}, format="json", HTTP_IF_MATCH=tag
    )
    assert first.status_code == 200
    assert first.json()["value"] == 6
    assert first["ETag"] != tag
    stale = bob_client.patch(
        detail, {"value": 5, "reason": "Jannick said 5"}, format="json", HTTP_IF_MATCH=tag
    )
    assert stale.status_code == 412
    assert Measurement.objects.get(pk=jannick_record["measurement_id"]).value == 6
    assert (
        AuditEvent.objects.filter(
            actor=ana, action=AuditAction.CHANGE, object_type="sced.measurement"
        ).count()
        == 1
    )


def test_a_correction_without_a_reason_names_the_reason(ana, jannick_record):
    detail = url("measurement_detail", jannick_record, "study_id", "measurement_id")
    client = client_with(token_for(ana))
    tag = client.get(detail)["ETag"]
    response = client.patch(detail, {"value": 6, "reason": ""}, format="json", HTTP_IF_MATCH=tag)
    assert response.status_code == 400
    assert "reason" in response.json()


# --- rate limits ------------------------------------------------------------------------------


def test_a_token_over_its_rate_is_told_to_wait(ana, jannick_record, monkeypatch):
    monkeypatch.setattr(
        PerTokenOrUserThrottle, "THROTTLE_RATES", {"token_or_user": "3/min", "writes": "1/min"}
    )
    monkeypatch.setattr(
        WriteThrottle, "THROTTLE_RATES", {"token_or_user": "3/min", "writes": "1/min"}
    )
    client = client_with(token_for(ana))
    answers = [client.get(url("patient_detail", jannick_record)).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    # Another token of the same user has its own allowance.
    assert client_with(token_for(ana)).get(url("patient_detail", jannick_record)).status_code == 200


# --- FHIR -------------------------------------------------------------------------------------


def test_a_script_downloads_jannicks_record_as_a_valid_fhir_bundle_audited_once(
    ana, jannick_record
):
    client = client_with(token_for(ana))
    before = AuditEvent.objects.filter(actor=ana).count()
    response = client.get(url("fhir_bundle", jannick_record))
    assert response.status_code == 200
    bundle = response.json()
    assert bundle["resourceType"] == "Bundle"
    assert validate_r4(bundle) == []
    assert bundle_problems(bundle) == []
    events = AuditEvent.objects.filter(actor=ana).order_by("pk")[before:]
    assert [(e.action, e.patient_id) for e in events] == [
        (AuditAction.EXPORT, jannick_record["patient_id"])
    ]


def test_another_teams_clinician_gets_404_for_the_fhir_bundle(charlie, jannick_record):
    response = client_with(token_for(charlie)).get(url("fhir_bundle", jannick_record))
    assert response.status_code == 404
