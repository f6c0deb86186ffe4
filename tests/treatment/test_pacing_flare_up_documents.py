"""Pacing plans from a stated quota rule, the log against the quota, the flare-up plan and the
printable summary and GP letter."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from painclinic.models import AuditAction, AuditEvent
from tests.treatment.factories import pacing_plan_for
from treatment import selectors, services
from treatment.models import DEFAULT_SETBACK_TEXT, SAFETY_NET_DEFAULT, FlareUpPlan, PacingPlan


def url(name, patient, **kwargs):
    return reverse(f"treatment:{name}", kwargs={"patient_id": patient.pk, **kwargs})


def pacing_form(**extra):
    return {
        "activity": "Gardening",
        "unit": "minutes",
        "baseline": "20, 10, 15",
        "rule_kind": "proportion_of_baseline_mean",
        "rule_proportion": "0.8",
        "increment_kind": "fixed",
        "increment_amount": "2",
        "steps": "4",
        "days_per_step": "7",
        "target": "",
        "start_date": date.today().isoformat(),
        **extra,
    }


@pytest.mark.django_db
def test_susans_starting_quota_is_80_percent_of_her_baseline_mean(client, ana, susan):
    client.force_login(ana)
    response = client.post(url("pacing_list", susan), pacing_form())
    plan = PacingPlan.objects.get()
    assert response.status_code == 302
    overview = selectors.pacing_overview(plan)
    assert overview.start.value == pytest.approx(12.0)  # 0.8 × mean(20, 10, 15)
    assert overview.schedule == pytest.approx((12, 14, 16, 18))
    assert len(overview.daily) == 28
    page = client.get(url("pacing_detail", susan, pacing_id=plan.pk)).content.decode()
    assert "80% of the baseline mean" in page
    assert "12.0 minutes" in page


@pytest.mark.django_db
def test_two_baseline_recordings_are_not_enough_and_the_reason_is_shown(client, ana, susan):
    client.force_login(ana)
    response = client.post(url("pacing_list", susan), pacing_form(baseline="20, 10"))
    assert response.status_code == 400
    assert "Only 2 baseline recordings:" in response.content.decode()
    assert not PacingPlan.objects.exists()


@pytest.mark.django_db
def test_a_boom_and_bust_log_suggests_pacing(client, ana, susan):
    plan = pacing_plan_for(susan, ana, start=date.today() - timedelta(days=3))
    # Quota 12: day 1 on, day 2 boom (25 > 12 × 1.2), day 3 bust (3).
    for offset, done in ((3, 12), (2, 25), (1, 3)):
        services.pacing_log_record(
            actor=ana, plan=plan, day=date.today() - timedelta(days=offset), done=done
        )
    overview = selectors.pacing_overview(plan)
    assert [d.status for d in overview.adherence.days] == ["on", "over", "under"]
    assert overview.adherence.boom_bust[0].boom_day == 2
    client.force_login(ana)
    page = client.get(url("overview", susan)).content.decode()
    assert "Graded activity and pacing" in page
    assert "Boom-and-bust activity pattern" in page
    chart = client.get(url("pacing_chart", susan, pacing_id=plan.pk))
    assert chart["Content-Type"] == "image/svg+xml"


@pytest.mark.django_db
def test_a_log_day_before_the_quota_starts_is_refused(client, ana, susan):
    plan = pacing_plan_for(susan, ana, start=date.today())
    client.force_login(ana)
    response = client.post(
        url("pacing_log", susan, pacing_id=plan.pk),
        {"day": (date.today() - timedelta(days=1)).isoformat(), "done": "10"},
    )
    assert response.status_code == 400
    assert "The log starts on the first day" in response.content.decode()


def flare_up_form(version, **extra):
    return {
        "version": version,
        "triggers": "Long days in the garden",
        "early_signs": "Stiff neck in the evening",
        "self_management": "Halve the quota for two days, then build up again",
        "contacts": "Call the pain team if not better in two weeks",
        "opportunity_text": str(DEFAULT_SETBACK_TEXT),
        "safety_net": str(SAFETY_NET_DEFAULT),
        **extra,
    }


@pytest.mark.django_db
def test_the_flare_up_plan_starts_with_the_editable_setback_words(client, ana, susan):
    client.force_login(ana)
    page = client.get(url("flare_up", susan)).content.decode()
    assert "a chance to practise the skills" in page
    assert client.post(url("flare_up", susan), flare_up_form(0)).status_code == 302
    response = client.post(
        url("flare_up", susan),
        flare_up_form(1, opportunity_text="My own words", change_reason="Susan's words"),
    )
    assert response.status_code == 302
    assert [p.version for p in FlareUpPlan.objects.all()] == [2, 1]
    printed = client.get(url("flare_up_print", susan)).content.decode()
    assert "My own words" in printed
    assert "Halve the quota" in printed
    assert AuditEvent.objects.filter(
        patient=susan, action=AuditAction.EXPORT, object_type="treatment.flare_up_plan"
    ).exists()


@pytest.mark.django_db
def test_a_simultaneous_flare_up_edit_is_a_409_that_keeps_the_text(client, ana, bob, susan):
    client.force_login(ana)
    client.post(url("flare_up", susan), flare_up_form(0))
    client.force_login(bob)
    client.post(url("flare_up", susan), flare_up_form(1, triggers="Bob's", change_reason="b"))
    client.force_login(ana)
    response = client.post(
        url("flare_up", susan), flare_up_form(1, triggers="Ana's triggers", change_reason="a")
    )
    assert response.status_code == 409
    assert "Ana&#x27;s triggers" in response.content.decode()
    assert FlareUpPlan.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "document"),
    [("clinician_summary", "clinician_summary"), ("gp_letter", "gp_letter")],
)
def test_printables_are_audited_as_exports(client, ana, jannick_profile, name, document):
    from tests.treatment.factories import goal_for, plan_for

    plan_for(jannick_profile, ana)
    goal_for(jannick_profile, ana)
    client.force_login(ana)
    response = client.get(url(name, jannick_profile))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Fear of movement keeps Jannick from lifting." in page
    assert "data-print" in page
    assert "/static/css/treatment." in page
    events = AuditEvent.objects.filter(patient=jannick_profile, action=AuditAction.EXPORT)
    assert [e.object_type for e in events] == [f"treatment.{document}"]
    # Exactly one event for the request: the export, not an extra VIEW.
    assert not AuditEvent.objects.filter(
        patient=jannick_profile, action=AuditAction.VIEW, actor=ana
    ).exists()
    if name == "gp_letter":
        assert "(TSK-11): 33" in page
        assert "(PCS): 39" in page


@pytest.mark.django_db
@pytest.mark.parametrize("bad", ["NaN", "1e309", "inf", "²", "9" * 5000, "1e308"])
def test_a_baseline_that_is_not_a_plausible_number_is_refused_not_a_500(client, ana, susan, bad):
    client.force_login(ana)
    response = client.post(url("pacing_list", susan), pacing_form(baseline=f"20, {bad}, 15"))
    assert response.status_code == 400
    assert "baseline" in response.content.decode().lower()
    assert not PacingPlan.objects.exists()


@pytest.mark.django_db
def test_the_flare_up_plan_carries_a_seek_urgent_help_section_that_cannot_be_removed(
    client, ana, susan
):
    client.force_login(ana)
    page = client.get(url("flare_up", susan)).content.decode()
    assert "Seek urgent help if" in page
    assert "numbness around your genitals" in page
    emptied = client.post(url("flare_up", susan), flare_up_form(0, safety_net="   "))
    assert emptied.status_code == 400
    assert "it cannot be left empty" in emptied.content.decode()
    assert "Long days in the garden" in emptied.content.decode()
    left_out = flare_up_form(0)
    del left_out["safety_net"]
    assert client.post(url("flare_up", susan), left_out).status_code == 400
    assert not FlareUpPlan.objects.exists()

    # The clinician edits it (here: a local out-of-hours number added) and it is printed.
    edited = str(SAFETY_NET_DEFAULT) + "\nOut of hours: Northtown urgent care 01234 567890."
    assert (
        client.post(url("flare_up", susan), flare_up_form(0, safety_net=edited)).status_code == 302
    )
    for name in ("flare_up_print",):
        printed = client.get(url(name, susan)).content.decode()
        assert "Seek urgent help if" in printed
        assert "Northtown urgent care" in printed
        assert "new difficulty passing urine" in printed


@pytest.mark.django_db
def test_the_service_refuses_a_plan_without_the_section(ana, susan):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.flare_up_plan_save(
            actor=ana,
            patient=susan,
            data={**flare_up_form(0), "safety_net": ""},
            expected_version=0,
        )


@pytest.mark.django_db
def test_the_patients_treatment_summary_carries_the_safety_netting(client, ana, susan):
    client.force_login(ana)
    printed = client.get(url("summary", susan)).content.decode()
    assert "Seek urgent help if" in printed
    assert "numbness around your genitals" in printed
    edited = "Call 999 if you lose control of your bladder. Local urgent care: 01234 567890."
    client.post(url("flare_up", susan), flare_up_form(0, safety_net=edited))
    assert "Local urgent care: 01234 567890." in client.get(url("summary", susan)).content.decode()
