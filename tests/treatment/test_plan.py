"""The treatment plan: signed, versioned, never overwritten, and safe when two clinicians edit."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.urls import reverse

from painclinic.models import AuditAction, AuditEvent
from tests.treatment.factories import episode_of, plan_for
from treatment import services
from treatment.models import TreatmentPlan


def plan_url(patient, name="plan_edit"):
    return reverse(
        f"treatment:{name}",
        kwargs={"patient_id": patient.pk, "episode_id": episode_of(patient).pk},
    )


def form_data(ana, version, formulation, **extra):
    return {
        "version": version,
        "formulation": formulation,
        "yellow_flags": ["fear_of_movement"],
        "focus_areas": "Lifting",
        "iv_graded_exposure": "on",
        "by_graded_exposure": str(ana.pk),
        **extra,
    }


@pytest.mark.django_db
class TestVersions:
    def test_ana_signs_the_first_plan_and_it_is_audited(self, client, ana, jannick):
        client.force_login(ana)
        response = client.post(plan_url(jannick), form_data(ana, 0, "Fear keeps him from lifting."))
        assert response.status_code == 302
        plan = TreatmentPlan.objects.get(episode__patient=jannick)
        assert plan.version == 1
        assert plan.signed_by == ana
        assert [(i.kind, i.delivered_by) for i in plan.interventions.all()] == [
            ("graded_exposure", ana)
        ]
        event = AuditEvent.objects.get(patient=jannick, action=AuditAction.CREATE)
        assert event.object_type == "treatment.treatmentplan"
        assert "formulation" in event.changed_fields
        assert "Fear" not in str(event.changed_fields)  # names only, never clinical content

    def test_a_change_makes_version_2_and_keeps_version_1_with_who_when_why(
        self, client, ana, bob, jannick
    ):
        first = plan_for(jannick, ana)
        client.force_login(bob)
        response = client.post(
            plan_url(jannick),
            form_data(ana, 1, "Fear and low mood.", change_reason="PHQ-9 now moderate"),
        )
        assert response.status_code == 302
        versions = list(TreatmentPlan.objects.filter(episode__patient=jannick))
        assert [p.version for p in versions] == [2, 1]
        assert versions[0].signed_by == bob
        assert versions[0].change_reason == "PHQ-9 now moderate"
        assert versions[1].pk == first.pk
        assert versions[1].formulation == first.formulation
        history = client.get(plan_url(jannick, "plan_history")).content.decode()
        assert "PHQ-9 now moderate" in history
        assert "Version 1" in history

    def test_a_change_without_a_reason_is_refused_and_keeps_what_was_typed(
        self, client, ana, jannick
    ):
        plan_for(jannick, ana)
        client.force_login(ana)
        response = client.post(plan_url(jannick), form_data(ana, 1, "A new formulation typed"))
        assert response.status_code == 400
        assert services.CHANGE_NEEDS_REASON in response.content.decode()
        assert "A new formulation typed" in response.content.decode()
        assert TreatmentPlan.objects.filter(episode__patient=jannick).count() == 1

    def test_saving_the_same_plan_again_makes_no_new_version(self, ana, jannick):
        plan = plan_for(jannick, ana)
        again = services.plan_save(
            actor=ana,
            episode=episode_of(jannick),
            formulation=plan.formulation,
            yellow_flags=["fear_of_movement"],
            focus_areas="Lifting and bending",
            interventions={"graded_exposure": ana, "pain_education": ana},
            expected_version=1,
        )
        assert again.pk == plan.pk

    def test_a_discharged_episode_gets_no_plan(self, ana, jannick):
        episode = episode_of(jannick)
        episode.status = "discharged"
        episode.discharge_date = episode.referral_date
        episode.discharge_reason = "goals_met"
        episode.save()
        with pytest.raises(ValidationError, match="discharged"):
            plan_for(jannick, ana)


@pytest.mark.django_db
def test_two_clinicians_editing_at_once_never_lose_each_others_work(client, ana, bob, jannick):
    plan_for(jannick, ana)
    # Ana and Bob both open version 1. Bob signs first.
    client.force_login(bob)
    bob_says = form_data(ana, 1, "Bob: fear plus sleep problems", change_reason="sleep")
    assert client.post(plan_url(jannick), bob_says).status_code == 302
    # Ana signs on top of version 1: a 409 page that keeps her text and shows Bob's version.
    client.force_login(ana)
    ana_says = form_data(ana, 1, "Ana: fear of lifting at work", change_reason="work focus")
    response = client.post(plan_url(jannick), ana_says)
    assert response.status_code == 409
    page = response.content.decode()
    assert "Ana: fear of lifting at work" in page  # nothing she typed is lost
    assert "Bob: fear plus sleep problems" in page  # what is signed now
    assert 'name="version" value="2"' in page  # saving again goes on top of Bob's version
    assert TreatmentPlan.objects.filter(episode__patient=jannick).count() == 2
    # She decides to keep hers: version 3, and Bob's version 2 is still on record.
    ana_again = form_data(ana, 2, "Ana: fear of lifting at work", change_reason="work focus")
    assert client.post(plan_url(jannick), ana_again).status_code == 302
    plans = {p.version: p for p in TreatmentPlan.objects.filter(episode__patient=jannick)}
    assert plans[2].formulation.startswith("Bob")
    assert plans[3].formulation.startswith("Ana")


@pytest.mark.django_db
def test_the_service_raises_edit_conflict_naming_what_differs(ana, bob, jannick):
    plan_for(jannick, ana)
    services.plan_save(
        actor=bob,
        episode=episode_of(jannick),
        formulation="Bob's",
        yellow_flags=[],
        focus_areas="",
        interventions={},
        expected_version=1,
        change_reason="x",
    )
    with pytest.raises(services.EditConflict) as caught:
        services.plan_save(
            actor=ana,
            episode=episode_of(jannick),
            formulation="Ana's",
            yellow_flags=[],
            focus_areas="",
            interventions={},
            expected_version=1,
            change_reason="y",
        )
    assert caught.value.current.version == 2
    assert caught.value.differing_fields == ["formulation"]


@pytest.mark.django_db
def test_the_database_refuses_to_overwrite_a_signed_plan(ana, jannick, is_postgres):
    if not is_postgres:
        pytest.skip("the trigger under test is PostgreSQL's")
    plan = plan_for(jannick, ana)
    with pytest.raises(DatabaseError, match="signed record"), transaction.atomic():
        TreatmentPlan.objects.filter(pk=plan.pk).update(formulation="rewritten")
    with pytest.raises(DatabaseError, match="signed record"), transaction.atomic():
        plan.interventions.all().delete()
