"""Jannick is referred to the spinal on-call team for red flags. Until the outcome is recorded,
Ana cannot plan exposure, graded activity (pacing) or a PMP without saying why it is safe to go
ahead; the override is recorded, audited and shown; Priya (programme admin) learns only that the
participant needs clinical review."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from assessment import red_flags
from assessment import services as assessment_services
from assessment.models import SafetyOverride
from painclinic.models import AuditAction, AuditEvent
from tests.treatment.factories import hierarchy_item_for, pacing_plan_for

pytestmark = pytest.mark.django_db

CAUDA_EQUINA = {key: red_flags.ABSENT for key in red_flags.ITEM_KEYS} | {
    "saddle_numbness": red_flags.PRESENT
}


@pytest.fixture
def referred(jannick, ana):
    return assessment_services.red_flag_screen_record(
        actor=ana,
        episode=jannick.episodes.get(),
        data={
            **CAUDA_EQUINA,
            "screened_on": date.today(),
            "outcome": "referred",
            "referral_destination": "spinal_on_call",
            "referral_urgency": "emergency",
            "referral_date": date.today(),
        },
    )


def test_without_an_open_referral_nothing_is_asked(jannick, ana):
    assert pacing_plan_for(jannick, ana).pk
    assert not SafetyOverride.objects.exists()


def test_pacing_is_refused_without_a_reason_and_goes_ahead_with_one(jannick, ana, referred):
    with pytest.raises(ValidationError) as refused:
        pacing_plan_for(jannick, ana)
    assert "override_reason" in refused.value.message_dict
    assert not jannick.pacing_plans.exists()

    from treatment import services

    services.pacing_plan_create(
        actor=ana,
        patient=jannick,
        data=_pacing_data(),
        override_reason="Walking only, within current tolerance; MRI booked tomorrow.",
    )
    override = SafetyOverride.objects.get()
    assert override.context == "pacing"
    assert override.decided_by == ana
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type="assessment.safetyoverride", patient=jannick
    ).exists()


def _pacing_data():
    from decimal import Decimal

    return {
        "activity": "Walking",
        "unit": "minutes",
        "baseline": [20, 10, 15],
        "rule_kind": "proportion_of_baseline_mean",
        "rule_proportion": Decimal("0.80"),
        "increment_kind": "fixed",
        "increment_amount": Decimal("2"),
        "steps": 6,
        "days_per_step": 7,
        "target": None,
        "start_date": date.today() - timedelta(days=6),
    }


def test_the_hierarchy_page_shows_the_referral_and_keeps_what_was_typed(
    client, jannick, ana, referred
):
    client.force_login(ana)
    url = reverse("treatment:hierarchy", args=[jannick.pk])
    page = client.get(url).content.decode()
    assert "Red-flag referral open" in page
    assert "Spinal on-call team" in page
    data = {
        "activity": "Bending to tie shoes",
        "fear_rating": 60,
        "feared_consequence": "Disc slips",
    }
    refused = client.post(url, data)
    assert refused.status_code == 400
    assert "say why it is safe to do so now" in refused.content.decode()
    assert "Bending to tie shoes" in refused.content.decode()
    assert not jannick.hierarchy_items.exists()

    done = client.post(url, {**data, "override_reason": "Only seated tasks until the MRI."})
    assert done.status_code == 302
    assert jannick.hierarchy_items.count() == 1
    page = client.get(url).content.decode()
    assert "Going ahead despite the open referral" in page
    assert "Only seated tasks until the MRI." in page
    # The next step of exposure is not asked again: the override stands for this referral.
    hierarchy_item_for(jannick, ana, activity="Carrying shopping")


def test_a_new_pacing_schedule_is_graded_activity_planned_again(jannick, ana):
    from treatment import services

    plan = pacing_plan_for(jannick, ana)
    assessment_services.red_flag_screen_record(
        actor=ana,
        episode=jannick.episodes.get(),
        data={
            **CAUDA_EQUINA,
            "screened_on": date.today(),
            "outcome": "referred",
            "referral_destination": "spinal_on_call",
            "referral_urgency": "emergency",
            "referral_date": date.today(),
        },
    )
    data = {k: v for k, v in _pacing_data().items() if k not in ("activity", "unit", "start_date")}
    with pytest.raises(ValidationError):
        services.pacing_schedule_change(
            actor=ana, plan=plan, effective_from=date.today(), data=data, reason="Faster steps"
        )
    services.pacing_schedule_change(
        actor=ana,
        plan=plan,
        effective_from=date.today(),
        data=data,
        reason="Faster steps",
        override_reason="Walking only; MRI booked for tomorrow.",
    )
    assert SafetyOverride.objects.get().context == "pacing"
