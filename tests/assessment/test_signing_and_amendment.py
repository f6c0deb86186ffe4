"""Signing makes a result final; a correction is an amendment that keeps the original."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from assessment import services
from assessment.instruments import get
from assessment.instruments.base import definition_hash
from assessment.models import Administration, AdministrationState, Amendment
from painclinic.models import AuditAction, AuditEvent
from tests.assessment.factories import answers_all, signed_result

pytestmark = pytest.mark.django_db


def _draft(patient, actor, key="tsk11"):
    session = services.session_start(
        actor=actor,
        patient=patient,
        episode=patient.episodes.get(),
        time_point="first_visit",
        instrument_keys=[key],
    )
    return session.administrations.get()


def test_a_draft_keeps_partial_answers_and_shows_what_is_missing(jannick, ana):
    draft = services.administration_save_draft(
        actor=ana, administration=_draft(jannick, ana), answers={"1": 3, "2": "4"}
    )
    draft.refresh_from_db()
    assert draft.state == AdministrationState.DRAFT
    assert draft.answers["1"] == 3
    assert draft.answers["2"] == 4
    assert draft.answers["3"] is None
    assert draft.score["scorable"] is False
    assert "3" in draft.score["missing_items"]


def test_signing_stores_score_definition_version_and_hash(jannick, ana):
    result = signed_result(patient=jannick, key="tsk11", answers=answers_all("tsk11", 3), actor=ana)
    definition = get("tsk11")
    assert result.state == AdministrationState.SIGNED
    assert result.signed_by == ana
    assert result.score["total"] == 33
    assert result.definition_version == definition.version
    assert result.definition_hash == definition_hash(definition)
    assert AuditEvent.objects.filter(
        action=AuditAction.CHANGE, patient=jannick, object_id=str(result.pk), actor=ana
    ).exists()


def test_an_unscorable_form_may_be_signed_and_keeps_its_reason(jannick, ana):
    result = signed_result(patient=jannick, key="pcs", answers={"1": 2}, actor=ana)
    assert result.score["scorable"] is False
    assert "cannot be scored" in result.score["reason"]


def test_a_signed_result_cannot_be_saved_or_signed_again(jannick, ana):
    result = signed_result(patient=jannick, key="tsk11", answers=answers_all("tsk11", 3), actor=ana)
    with pytest.raises(ValidationError, match=services.ALREADY_SIGNED):
        services.administration_save_draft(actor=ana, administration=result, answers={"1": 1})
    with pytest.raises(ValidationError, match=services.ALREADY_SIGNED):
        services.administration_sign(actor=ana, administration=result)


def test_the_database_refuses_to_change_a_signed_result_whatever_the_code_path(jannick, ana):
    result = signed_result(patient=jannick, key="tsk11", answers=answers_all("tsk11", 3), actor=ana)
    result.answers = {**result.answers, "1": 1}
    with pytest.raises(DatabaseError), transaction.atomic():
        result.save()
    with pytest.raises(DatabaseError), transaction.atomic():
        Administration.objects.filter(pk=result.pk).update(score={"total": 0})
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE assessment_administration SET answers = '{}' WHERE id = %s", [result.pk]
        )
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE assessment_administration SET state = 'draft' WHERE id = %s", [result.pk]
        )
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM assessment_administration WHERE id = %s", [result.pk])
    result.refresh_from_db()
    assert result.answers["1"] == 3
    assert result.score["total"] == 33


def test_a_draft_can_still_be_changed_in_the_database(jannick, ana):
    # The immutability trigger guards signed rows only: a draft is still work in progress.
    draft = _draft(jannick, ana)
    assert Administration.objects.filter(pk=draft.pk).update(answers={"1": 2}) == 1
    draft.refresh_from_db()
    assert draft.answers == {"1": 2}


def test_an_amendment_keeps_the_original_and_says_who_when_why(jannick, ana, bob):
    result = signed_result(patient=jannick, key="tsk11", answers=answers_all("tsk11", 3), actor=ana)
    amendment = services.administration_amend(
        actor=bob,
        administration=result,
        answers={**answers_all("tsk11", 3), "1": 1},
        reason="Patient meant 'strongly disagree' on item 1",
    )
    result.refresh_from_db()
    assert result.answers["1"] == 3  # the signed original
    assert result.score["total"] == 33
    assert result.current_answers["1"] == 1
    assert result.current_score["total"] == 31
    assert amendment.old_score["total"] == 33
    assert amendment.new_score["total"] == 31
    assert amendment.amended_by == bob
    assert amendment.reason.startswith("Patient meant")
    with pytest.raises(DatabaseError), transaction.atomic():
        Amendment.objects.filter(pk=amendment.pk).update(reason="nothing happened")


def test_an_amendment_needs_a_reason_a_change_and_a_signed_result(jannick, ana):
    result = signed_result(patient=jannick, key="tsk11", answers=answers_all("tsk11", 3), actor=ana)
    with pytest.raises(ValidationError, match=services.AMENDMENT_NEEDS_REASON):
        services.administration_amend(
            actor=ana, administration=result, answers={"1": 1}, reason=" "
        )
    with pytest.raises(ValidationError, match=services.AMENDMENT_CHANGES_NOTHING):
        services.administration_amend(
            actor=ana, administration=result, answers=answers_all("tsk11", 3), reason="typo"
        )
    with pytest.raises(ValidationError, match=services.NOT_SIGNED):
        services.administration_amend(
            actor=ana, administration=_draft(jannick, ana), answers={"1": 1}, reason="typo"
        )


def test_out_of_range_answers_are_refused_with_the_librarys_message(jannick, ana):
    with pytest.raises(ValidationError, match="out of range"):
        services.administration_save_draft(
            actor=ana, administration=_draft(jannick, ana), answers={"1": 7}
        )


class TestPages:
    def test_ana_enters_saves_and_signs_through_the_form(self, client, jannick, ana):
        draft = _draft(jannick, ana)
        client.force_login(ana)
        url = reverse(
            "assessment:administration",
            kwargs={"patient_id": jannick.pk, "administration_id": draft.pk},
        )
        page = client.get(url)
        assert page.status_code == 200
        assert b"not answered" in page.content
        data = {f"item_{i}": "3" for i in range(1, 12)}
        preview = client.post(
            reverse(
                "assessment:score_preview",
                kwargs={"patient_id": jannick.pk, "administration_id": draft.pk},
            ),
            data,
        )
        assert b"33" in preview.content
        assert client.post(url, {**data, "save": "1"}).status_code == 302
        assert client.post(url, {**data, "sign": "1"}).status_code == 302
        draft.refresh_from_db()
        assert draft.state == AdministrationState.SIGNED
        assert draft.score["total"] == 33
        again = client.post(url, {**data, "item_1": "1", "sign": "1"})
        assert again.status_code == 400
        draft.refresh_from_db()
        assert draft.answers["1"] == 3

    def test_the_preview_of_an_incomplete_form_lists_the_unanswered_items(
        self, client, jannick, ana
    ):
        draft = _draft(jannick, ana, key="phq9")
        client.force_login(ana)
        response = client.post(
            reverse(
                "assessment:score_preview",
                kwargs={"patient_id": jannick.pk, "administration_id": draft.pk},
            ),
            {"item_1": "2", "item_9": "1"},
        )
        content = response.content.decode()
        assert "Cannot be scored" in content
        assert "Unanswered" in content
        assert "Item 9" in content  # the self-harm item is flagged whatever the total

    def test_the_amendment_page_shows_amended_by_on_because(self, client, jannick, ana):
        result = signed_result(
            patient=jannick, key="tsk11", answers=answers_all("tsk11", 3), actor=ana
        )
        client.force_login(ana)
        kwargs = {"patient_id": jannick.pk, "administration_id": result.pk}
        data = {f"item_{i}": "3" for i in range(1, 12)}
        missing_reason = client.post(
            reverse("assessment:amend", kwargs=kwargs), {**data, "item_1": "1"}
        )
        assert missing_reason.status_code == 400
        response = client.post(
            reverse("assessment:amend", kwargs=kwargs),
            {**data, "item_1": "1", "reason": "Wrong line ticked"},
        )
        assert response.status_code == 302
        page = client.get(reverse("assessment:administration", kwargs=kwargs)).content.decode()
        assert "Amended by Ana Costa on" in page
        assert "Wrong line ticked" in page
        assert "Original signed answers" in page
