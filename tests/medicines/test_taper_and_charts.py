"""Ana plans Jannick's opioid taper with him: 10 % a month, signed and versioned like a treatment
plan; each step records the dose before and after, the shared decision and how he is doing; a step
that raises the dose must say so. The charts show the dose coming down beside his pain scores."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from medicines import charts, services
from medicines.models import TaperPlan, TaperStep
from painclinic.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db

START = date.today() - timedelta(days=40)


def url(name, patient, **kw):
    return reverse(f"medicines:{name}", kwargs={"patient_id": patient.pk, **kw})


def plan_data(**extra):
    return {
        "version": "0",
        "start_date": START.isoformat(),
        "start_dose": "60",
        "target_dose": "30",
        "percent": "10",
        "basis": "current",
        "interval_days": "28",
        "reason": "No meaningful gain in function at this dose",
        "shared_decision": "Jannick agrees to reduce slowly and to pause if sleep worsens",
        **extra,
    }


def step_data(**extra):
    return {
        "on": START.isoformat(),
        "dose_before": "60",
        "dose_after": "54",
        "reason": "Planned step 1",
        "shared_decision": "on",
        "withdrawal": "Mild restlessness for three days",
        "pain": "NRS unchanged",
        "mood": "Steady",
        "function": "Walking 20 minutes",
        **extra,
    }


def test_ana_signs_a_ten_percent_a_month_taper_and_sees_the_planned_steps(client, ana, jannick):
    client.force_login(ana)
    assert client.post(url("taper", jannick), plan_data()).status_code == 302
    plan = TaperPlan.objects.get(patient=jannick)
    assert (plan.version, plan.signed_by, plan.table) == (1, ana, "cdc2022")
    page = client.get(url("taper", jannick)).content.decode()
    assert "60.0 → 54.0" in page  # 10 % of the current dose
    assert "54.0 → 48.6" in page
    assert AuditEvent.objects.filter(
        patient=jannick, action=AuditAction.CREATE, object_type="medicines.taperplan"
    ).exists()


def test_changing_the_plan_is_a_new_signed_version_with_a_reason(client, ana, bob, jannick):
    client.force_login(ana)
    client.post(url("taper", jannick), plan_data())
    slower = plan_data(version="1", percent="5")
    assert client.post(url("taper", jannick), slower).status_code == 400  # no reason
    assert (
        client.post(url("taper", jannick), {**slower, "change_reason": "Withdrawal"}).status_code
        == 302
    )
    assert list(TaperPlan.objects.filter(patient=jannick).values_list("version", "percent")) == [
        (2, 5),
        (1, 10),
    ]
    # Bob opened version 1 too: his save does not replace Ana's version 2
    client.force_login(bob)
    response = client.post(url("taper", jannick), {**plan_data(version="1", percent="7"),
                                                   "change_reason": "x"})  # fmt: skip
    assert response.status_code == 409
    assert TaperPlan.objects.filter(patient=jannick).count() == 2


@pytest.mark.parametrize(
    ("change", "field"),
    [({"percent": "50"}, "percent"), ({"target_dose": "80"}, "target_dose")],
)
def test_a_taper_rule_out_of_range_is_refused_with_everything_kept(
    client, ana, jannick, change, field
):
    client.force_login(ana)
    response = client.post(url("taper", jannick), plan_data(**change))
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert "No meaningful gain in function" in response.content.decode()
    assert not TaperPlan.objects.exists()


def test_steps_are_recorded_with_notes_and_compared_with_the_plan(client, ana, jannick):
    client.force_login(ana)
    client.post(url("taper", jannick), plan_data())
    assert client.post(url("taper_step", jannick), step_data()).status_code == 302
    second = step_data(on=(START + timedelta(days=28)).isoformat(), dose_before="54",
                       dose_after="48.6", reason="Planned step 2")  # fmt: skip
    assert client.post(url("taper_step", jannick), second).status_code == 302
    page = client.get(url("list", jannick)).content.decode()
    assert "Mild restlessness" in page
    assert "-10.0 %" in page
    assert page.count("On plan") == 2


def test_a_step_that_increases_the_dose_must_be_marked(client, ana, jannick):
    client.force_login(ana)
    client.post(url("taper", jannick), plan_data())
    up = step_data(dose_before="54", dose_after="60", reason="Pain flare, agreed to go back")
    response = client.post(url("taper_step", jannick), up)
    assert response.status_code == 400
    assert "increases the dose" in " ".join(response.context["form"].errors["dose_after"])
    assert "Pain flare, agreed to go back" in response.content.decode()
    assert not TaperStep.objects.exists()
    assert (
        client.post(url("taper_step", jannick), {**up, "increase_marked": "on"}).status_code == 302
    )
    assert "increase, on purpose" in client.get(url("list", jannick)).content.decode()


def test_a_pause_keeps_the_dose(client, ana, jannick):
    client.force_login(ana)
    client.post(url("taper", jannick), plan_data())
    bad = client.post(url("taper_step", jannick), step_data(paused="on"))
    assert bad.status_code == 400
    held = step_data(paused="on", dose_after="60", reason="Sleep worse: pause")
    assert client.post(url("taper_step", jannick), held).status_code == 302
    assert "paused" in client.get(url("list", jannick)).content.decode()


def test_steps_need_a_plan_first(client, ana, jannick):
    client.force_login(ana)
    response = client.get(url("taper_step", jannick))
    assert response.status_code == 302
    assert response["Location"] == url("taper", jannick)


# --- charts ------------------------------------------------------------------------------------


def test_ome_chart_shows_the_recorded_dose_the_plan_and_the_steps():
    svg = charts.ome_chart(
        [(date(2026, 1, 5), 60.0), (date(2026, 2, 2), 54.0)],
        [(date(2026, 1, 5), 60.0), (date(2026, 2, 2), 54.0), (date(2026, 3, 2), 48.6)],
        [(date(2026, 2, 2), 54.0)],
        [(50, "50 mg a day")],
        today=date(2026, 2, 10),
    )
    assert svg.startswith("<?xml")
    for text in ("Daily OME (recorded)", "Taper plan", "Taper steps taken", "50 mg a day"):
        assert text in svg


def test_ome_beside_pain_and_interference_on_one_date_axis():
    svg = charts.ome_outcomes_chart(
        [(date(2026, 1, 5), 60.0)],
        {"NRS": [(date(2026, 1, 5), 7), (date(2026, 2, 2), 6)], "PEG": [], "BPI interference": []},
        today=date(2026, 2, 10),
    )
    assert "NRS" in svg
    assert "Pain and interference" in svg
    assert "Daily oral morphine equivalent" in svg
    assert "PEG" not in svg  # no scores, no empty series


def test_empty_charts_say_so():
    assert "No opioid doses recorded yet." in charts.ome_chart([], [])
    assert "No opioid doses and no pain scores" in charts.ome_outcomes_chart([], {})


def test_chart_pages_answer_svg_for_the_care_team(client, ana, jannick):
    services.medication_add(
        actor=ana,
        patient=jannick,
        data={"product": "oxycodone_oral", "strength": 20, "doses_per_day": 2, "start_date": START},
    )
    client.force_login(ana)
    for name in ("ome_chart", "ome_outcomes_chart"):
        response = client.get(url(name, jannick))
        assert response.status_code == 200
        assert response["Content-Type"] == "image/svg+xml"


# --- the team lead's review ----------------------------------------------------------------------


def test_bob_sees_high_doses_co_prescriptions_and_overdue_tapers(client, ana, bob, charlie,
                                                                 jannick, susan, settings):  # fmt: skip
    settings.OME_TABLE = "cdc2022"
    long_ago = date.today() - timedelta(days=100)
    # Jannick: oxycodone 30 mg twice a day = 90 MME (CDC 2022) and diazepam
    services.medication_add(actor=ana, patient=jannick, data={"product": "oxycodone_oral",
                            "strength": 30, "doses_per_day": 2, "start_date": long_ago})  # fmt: skip
    services.medication_add(actor=ana, patient=jannick,
                            data={"name": "Diazepam 5 mg", "start_date": long_ago})  # fmt: skip
    # Susan: 30 MME, but her taper's first step was due 40 days ago and nothing is recorded
    services.medication_add(actor=ana, patient=susan, data={"product": "morphine_oral",
                            "strength": 15, "doses_per_day": 2, "start_date": long_ago})  # fmt: skip
    services.taper_plan_save(actor=ana, patient=susan, expected_version=0, data={
        "start_date": START, "start_dose": 30, "target_dose": 0, "percent": 10,
        "basis": "current", "interval_days": 28, "reason": "r", "shared_decision": "s"})  # fmt: skip
    client.force_login(bob)
    page = client.get(reverse("medicines:opioid_review")).content.decode()
    assert "90.0 mg oral morphine a day (CDC 2022: at or above 50)" in page
    assert "Opioid with a benzodiazepine" in page
    assert "Taper review overdue since" in page
    assert "Susan" in page
    assert AuditEvent.objects.filter(
        patient=jannick, object_type="medicines.opioid_review"
    ).exists()
    assert (
        reverse("medicines:opioid_review") in client.get(reverse("team:dashboard")).content.decode()
    )
    client.force_login(ana)  # a clinician, not a team lead
    assert client.get(reverse("medicines:opioid_review")).status_code == 403
    client.force_login(charlie)
    assert client.get(reverse("medicines:opioid_review")).status_code == 403


@pytest.mark.parametrize(
    "draw",
    [
        lambda d: charts.ome_chart([(d, 60.0)], today=d),
        lambda d: charts.ome_chart([], planned=[(d, 60.0)], today=d),
        lambda d: charts.ome_outcomes_chart([], {"NRS": [(d, 5.0)]}, today=d),
        lambda d: charts.ome_outcomes_chart([(d, 60.0)], {"PEG": [(d, 6.0)]}, today=d),
    ],
    ids=["one figure", "a plan only", "one pain score", "first visit"],
)
def test_a_chart_of_a_single_day_draws_without_a_date_axis_warning(draw):
    # On the first visit everything is on one day: a zero-width date range made
    # AutoDateLocator warn ("unable to pick an appropriate interval") on every draw.
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        svg = draw(date.today())
    assert f"{date.today():%d %b %Y}" in svg


def test_user_text_on_the_outcome_chart_is_drawn_literally():
    svg = charts.ome_outcomes_chart([], {"Pain $5 and $6": [(START, 5.0)]}, today=START)
    assert "Pain $5 and $6" in svg


# --- the taper in mg of the one opioid -----------------------------------------------------------


def test_ana_sees_jannicks_oxycodone_taper_in_mg_of_oxycodone(client, ana, jannick, settings):
    settings.OME_TABLE = "cdc2022"
    services.medication_add(actor=ana, patient=jannick, data={"product": "oxycodone_oral",
                            "strength": 20, "doses_per_day": 2, "start_date": START})  # fmt: skip
    client.force_login(ana)
    client.post(url("taper", jannick), plan_data())
    page = client.get(url("taper", jannick)).content.decode()
    # 60 -> 54 mg oral morphine: 40 -> 35 mg oxycodone (36 rounded to whole 5 mg tablets)
    assert "Oxycodone a day (mg)" in page
    assert '60.0 → 54.0</td><td class="text-end">40 → 35</td>' in page
    assert "divided by 1.5 (the CDC 2022 factor that produced it)" in page
    assert "whole 5 mg tablet (clinic rule)" in page
    listing = client.get(url("list", jannick)).content.decode()
    assert "(Oxycodone: from 40 to 20 mg a day.)" in listing


def test_no_opioid_dose_is_derived_for_two_opioids_or_methadone(client, ana, jannick, susan,
                                                              settings):  # fmt: skip
    settings.OME_TABLE = "cdc2022"
    # Jannick: oxycodone and morphine (two opioids); Susan: methadone (its factor must never be
    # used to derive a dose [CDC22-IG V]).
    for patient, products in ((jannick, ("oxycodone_oral", "morphine_oral")),
                              (susan, ("methadone_oral",))):  # fmt: skip
        for product in products:
            services.medication_add(actor=ana, patient=patient, data={"product": product,
                                    "strength": 10, "doses_per_day": 2, "start_date": START})  # fmt: skip
    client.force_login(ana)
    for patient in (jannick, susan):
        client.post(url("taper", patient), plan_data())
        page = client.get(url("taper", patient)).content.decode()
        assert "taper-schedule" in page
        assert "a day (mg)</th>" not in page
