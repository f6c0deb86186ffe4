"""EQ-5D-5L value sets: uploaded by an admin as clinic data (checked complete and in range,
audited, never edited), used for the index of results scored from then on; without one the index
is recorded as not scorable with its reason and the other scores stand. The value set here is
MADE UP for the tests; no published country set is in the repository."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessment import services
from assessment.instruments import eq5d5l
from assessment.models import EQ5DValueSet
from painclinic.models import AuditAction, AuditEvent, Role
from tests.assessment.factories import signed_result
from tests.assessment.instruments.test_eq5d5l import as_csv, made_up_value_set

pytestmark = pytest.mark.django_db
SUSAN_AFTER_PMP = {"1": 2, "2": 1, "3": 3, "4": 4, "5": 5, "VAS": 65}


@pytest.fixture
def site_admin(django_user_model):
    return django_user_model.objects.create_superuser(
        "admin", "", "correct horse battery staple", role=Role.TEAM_LEAD
    )


def _upload(actor, name="Made-up set", step=0.02, **kwargs):
    return services.eq5d_value_set_upload(
        actor=actor,
        name=name,
        country="Nowhere",
        source_reference="Invented for the tests",
        table=as_csv(made_up_value_set(step)),
        **kwargs,
    )


def test_without_a_value_set_the_index_is_unscorable_and_the_rest_is_signed(susan, ana):
    signed = signed_result(patient=susan, key="eq5d5l", answers=SUSAN_AFTER_PMP, actor=ana)
    assert signed.score["scorable"] is True
    assert signed.score["total"] == 15
    assert signed.score["derived"] == {"vas": 65}
    assert signed.score["texts"] == {"profile": "21345"}
    assert signed.score["unscorable_parts"]["index"] == eq5d5l.NO_VALUE_SET
    assert signed.definition_version == "EQ-5D-5L"


def test_with_the_clinics_value_set_the_index_is_looked_up_and_recorded(client, susan, ana, bob):
    value_set = _upload(bob)
    signed = signed_result(patient=susan, key="eq5d5l", answers=SUSAN_AFTER_PMP, actor=ana)
    assert signed.score["derived"]["index"] == pytest.approx(0.8)  # 10 levels x 0.02 off 1
    assert signed.score["texts"] == {"profile": "21345", "value_set": "Made-up set"}
    assert "index" not in signed.score["unscorable_parts"]
    assert value_set.digest[:12] in signed.definition_version

    client.force_login(ana)
    page = client.get(reverse("assessment:profile", kwargs={"patient_id": susan.pk}))
    outcomes = page.content.decode()
    row = outcomes[outcomes.index('data-domain="health_index"') :]
    assert "0.800" in row[: row.index("</tr>")]  # three decimals, as value sets print it
    rating = outcomes[outcomes.index('data-domain="health_rating"') :]
    assert ">65<" in rating[: rating.index("</tr>")]


def test_a_new_set_in_use_replaces_the_old_for_new_results_only(susan, ana, bob):
    _upload(bob, name="First", step=0.02)
    before = signed_result(patient=susan, key="eq5d5l", answers=SUSAN_AFTER_PMP, actor=ana)
    second = _upload(bob, name="Second", step=0.03)
    after = signed_result(patient=susan, key="eq5d5l", answers=SUSAN_AFTER_PMP, actor=ana)
    assert list(EQ5DValueSet.objects.filter(in_use=True)) == [second]
    assert before.score["derived"]["index"] == pytest.approx(0.8)  # signed: never re-scored
    assert after.score["derived"]["index"] == pytest.approx(0.7)
    kept = _upload(bob, name="Kept aside", use_now=False)
    assert not kept.in_use
    assert list(EQ5DValueSet.objects.filter(in_use=True)) == [second]


def test_an_upload_is_audited_without_its_values(bob):
    value_set = _upload(bob)
    event = AuditEvent.objects.get(object_type="assessment.eq5dvalueset")
    assert (event.action, event.actor, event.object_id) == (
        AuditAction.CREATE,
        bob,
        str(value_set.pk),
    )
    assert event.patient_id is None


def test_an_incomplete_or_out_of_range_set_is_refused_whole(bob):
    values = made_up_value_set()
    del values["34512"]
    values["55555"] = -1.2
    with pytest.raises(ValidationError) as refused:
        services.eq5d_value_set_upload(
            actor=bob, name="Bad", country="X", source_reference="Y", table=as_csv(values)
        )
    assert any("-1.2 of 55555 is outside -1 to 1" in m for m in refused.value.messages)
    assert any("1 of the 3125 health profiles are missing" in m for m in refused.value.messages)
    assert not EQ5DValueSet.objects.exists()
    with pytest.raises(ValidationError, match="name, its country and its source reference"):
        services.eq5d_value_set_upload(
            actor=bob,
            name=" ",
            country="X",
            source_reference="Y",
            table=as_csv(made_up_value_set()),
        )


class TestTheAdminUpload:
    def _post(self, client, **extra):
        data = {
            "name": "Made-up set",
            "country": "Nowhere",
            "source_reference": "Invented for the tests",
            "use_now": "on",
            **extra,
        }
        return client.post(reverse("admin:assessment_eq5dvalueset_add"), data)

    def test_an_admin_uploads_a_csv_file(self, client, site_admin):
        client.force_login(site_admin)
        table = SimpleUploadedFile("set.csv", as_csv(made_up_value_set()).encode("utf-8"))
        response = self._post(client, table_file=table)
        assert response.status_code == 302
        value_set = EQ5DValueSet.objects.get()
        assert (value_set.name, value_set.in_use, len(value_set.values)) == (
            "Made-up set",
            True,
            3125,
        )
        assert value_set.uploaded_by == site_admin

    def test_a_broken_table_is_shown_with_its_problems_and_nothing_is_stored(
        self, client, site_admin
    ):
        client.force_login(site_admin)
        values = made_up_value_set()
        del values["12345"]
        response = self._post(client, table_text=as_csv(values))
        assert response.status_code == 200
        assert (
            "1 of the 3125 health profiles are missing, for example 12345."
            in response.content.decode()
        )
        assert 'value="Made-up set"' in response.content.decode()  # what was typed is kept
        assert not EQ5DValueSet.objects.exists()
        assert self._post(client).status_code == 200  # no table at all
        assert not EQ5DValueSet.objects.exists()

    def test_a_stored_set_cannot_be_edited_or_deleted(self, client, site_admin, bob):
        value_set = _upload(bob)
        client.force_login(site_admin)
        change = reverse("admin:assessment_eq5dvalueset_change", args=[value_set.pk])
        assert client.get(change).status_code == 200  # read-only view
        assert client.post(change, {"name": "Renamed"}).status_code == 403
        delete = reverse("admin:assessment_eq5dvalueset_delete", args=[value_set.pk])
        assert client.post(delete, {"post": "yes"}).status_code == 403
        value_set.refresh_from_db()
        assert value_set.name == "Made-up set"


def test_the_signed_result_page_shows_profile_index_and_why_an_index_is_missing(
    client, susan, ana, bob
):
    client.force_login(ana)

    def result_page(signed):
        url = reverse(
            "assessment:administration",
            kwargs={"patient_id": susan.pk, "administration_id": signed.pk},
        )
        return client.get(url).content.decode()

    without = result_page(
        signed_result(patient=susan, key="eq5d5l", answers=SUSAN_AFTER_PMP, actor=ana)
    )
    assert "21345" in without
    assert "the clinic has not supplied a value set" in without
    _upload(bob, name="Made-up set", step=0.0123)
    with_set = result_page(
        signed_result(patient=susan, key="eq5d5l", answers=SUSAN_AFTER_PMP, actor=ana)
    )
    assert "Index value" in with_set
    assert "0.877" in with_set  # 1 - 10 x 0.0123, three decimals
    assert "Made-up set" in with_set
