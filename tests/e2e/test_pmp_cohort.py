"""Priya, the programme admin, sets up a PMP cohort, enrols Susan (referred and screened by Ana,
her clinician: the screening is a clinical entry), records attendance and sees the standards
check. Priya sees the screening only as suitable / not suitable / discuss at MDT."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from programmes import services
from programmes.models import Attendance, Enrolment, ProgrammeKind


@pytest.mark.django_db(transaction=True)
def test_priya_runs_a_cohort_and_enrols_susan(
    page, live_server, login, screenshot, priya, ana, susan, north
):
    pmp = services.programme_create(
        actor=priya, team=north, name="Outpatient PMP North", kind=ProgrammeKind.OUTPATIENT
    )
    services.enrolment_refer(
        actor=ana, patient=susan, programme=pmp, referred_on=date.today() - timedelta(days=14)
    )
    start = date.today() - timedelta(days=7)  # the first session has taken place

    login("priya")
    page.goto(f"{live_server.url}/programmes/")
    expect(page.get_by_text("1 referral waiting for a cohort")).to_be_visible()
    page.get_by_role("link", name="New cohort").click()
    page.get_by_label("Name").fill("Autumn cohort")
    page.get_by_label("Venue").fill("Outpatient gym, Level 2")
    page.get_by_label("Start date").fill(start.isoformat())
    page.get_by_label("End date").fill((start + timedelta(weeks=12)).isoformat())
    page.get_by_label("Capacity").fill("10")
    page.get_by_role("button", name="Create cohort").click()
    expect(page.get_by_role("heading", name="Autumn cohort")).to_be_visible()
    standards = page.locator(".standards")
    expect(standards.get_by_text("Not met")).to_have_count(2)
    screenshot("pmp_01_new_cohort_standards_not_met")

    for name, discipline in (
        ("Dr Asha Rao", "doctor"),
        ("Dina Okafor", "psychologist"),
        ("Ana Costa", "physiotherapist"),
    ):
        page.get_by_label("Staff name").fill(name)
        page.get_by_label("Discipline").select_option(discipline)
        page.get_by_role("button", name="Add to roster").click()
        expect(page.get_by_text(f"{name} —")).to_be_visible()

    page.get_by_text("Add sessions").click()
    page.get_by_label("Session date").fill(start.isoformat())
    page.get_by_label("Length").select_option("am")
    page.get_by_label("Repeat weekly for (weeks)").fill("12")
    page.get_by_label("Education").check()
    page.get_by_label("CBT and psychological skills").check()
    page.get_by_label("Exercise").check()
    page.get_by_role("button", name="Add to timetable").click()
    expect(page.get_by_text("12 half-days, 36 hours of input.")).to_be_visible()
    expect(standards.get_by_text("Met", exact=True)).to_have_count(2)
    screenshot("pmp_02_timetable_and_roster_standards_met")

    # Ana screens Susan from Susan's record.
    page.context.clear_cookies()  # log the previous user out
    login("ana")
    page.goto(f"{live_server.url}/patients/{susan.pk}/programmes/refer/")
    page.get_by_text("Record the suitability screening").click()
    page.get_by_label("Readiness").select_option("ready")
    for caution in (
        "Acute psychiatric need",
        "Severe cognitive impairment",
        "Profound disability or fatigue",
    ):
        page.get_by_role("group", name=caution).get_by_label("No").check()
    page.get_by_role("group", name="Litigation or compensation claim pending").get_by_label(
        "Yes"
    ).check()
    page.get_by_role("button", name="Record screening").click()
    expect(page.get_by_text("Screening recorded.")).to_be_visible()
    expect(
        page.get_by_text("Litigation or a compensation claim is not an exclusion.")
    ).to_be_visible()

    page.context.clear_cookies()
    login("priya")
    page.goto(f"{live_server.url}/programmes/")
    page.get_by_role("link", name="Autumn cohort").click()
    page.get_by_role("link", name="Susan Whitfield").click()
    expect(page.get_by_text("Suitable", exact=True)).to_be_visible()
    expect(page.get_by_text("not an exclusion")).to_have_count(0)
    screenshot("pmp_03_susan_screened")
    page.get_by_label("Next step").select_option("offered")
    page.get_by_label("Cohort").select_option(label="Outpatient PMP North: Autumn cohort")
    page.get_by_role("button", name="Save step").click()
    expect(page.get_by_text("Offered a place", exact=True).first).to_be_visible()
    page.get_by_label("Next step").select_option("enrolled")
    page.get_by_role("button", name="Save step").click()
    expect(page.locator(".badge.state-enrolled")).to_be_visible()

    page.get_by_role("link", name="Autumn cohort").click()
    page.get_by_role("link", name="Attendance for session 1", exact=True).click()
    page.get_by_label("Susan Whitfield").check()
    page.get_by_role("button", name="Save attendance").click()
    row = page.get_by_role("row", name="Susan Whitfield")
    expect(row).to_contain_text("1 / 12")
    expect(row).to_contain_text("3.0 / 36.0")
    expect(row).to_contain_text("8%")
    screenshot("pmp_04_attendance_dose_and_standards")

    enrolment = Enrolment.objects.get(patient=susan)
    assert enrolment.state == "enrolled"
    assert Attendance.objects.filter(enrolment=enrolment, attended=True).count() == 1
