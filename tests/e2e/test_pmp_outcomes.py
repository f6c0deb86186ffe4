"""Bob, who leads the North team, opens the outcomes of a finished cohort: TSK-11 scores come
from Susan's signed assessments, Carl's post score was typed in by Ana, and every number says
where it came from. Priya, who runs the programme, sees the cohort's aggregate only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from programmes import services
from programmes.models import Direction, ProgrammeKind, ProgrammeMeasure
from tests.factories import EpisodeFactory, PatientFactory
from tests.programmes.test_cohort_outcomes_from_record import END, START, WEEK, participant, tsk


@pytest.mark.django_db(transaction=True)
def test_cohort_outcomes_from_signed_assessments_per_role(
    page, live_server, login, screenshot, priya, ana, bob, susan, north
):
    pmp = services.programme_create(
        actor=priya, team=north, name="Outpatient PMP North", kind=ProgrammeKind.OUTPATIENT
    )
    cohort = services.cohort_create(
        actor=priya,
        programme=pmp,
        data={
            "name": "Autumn cohort",
            "start_date": START,
            "end_date": END,
            "venue": "Outpatient gym",
            "capacity": 10,
        },
    )
    services.sessions_add(
        actor=priya,
        cohort=cohort,
        first_date=START,
        length="am",
        hours=None,
        components=["education"],
        weeks=8,
    )
    tsk_measure = ProgrammeMeasure.objects.create(
        programme=pmp, instrument_key="tsk11", label="TSK-11", direction=Direction.HIGHER_IS_WORSE
    )
    ProgrammeMeasure.objects.create(
        programme=pmp, instrument_key="pseq", label="PSEQ", direction=Direction.HIGHER_IS_BETTER
    )
    carl = PatientFactory(identifier="DEMO-CARL", given_name="Carl", family_name="Berg")
    EpisodeFactory(patient=carl, team=north, lead_clinician=ana, care_team=[ana])
    participant(susan, cohort, pmp, ana, priya)
    carl_enrolment = participant(carl, cohort, pmp, ana, priya)
    tsk(susan, ana, 35, START - timedelta(days=2))
    tsk(susan, ana, 26, END + WEEK)
    tsk(carl, ana, 30, START)
    services.outcome_record(
        actor=ana,
        enrolment=carl_enrolment,
        measure=tsk_measure,
        time_point="post",
        value=40,
        recorded_on=END + timedelta(days=5),
    )

    login("priya")
    page.goto(f"{live_server.url}/programmes/cohorts/{cohort.pk}/outcomes/")
    tsk_card = page.get_by_role("region", name="TSK-11")
    # Two participants: too few to show the programme admin a count (PROGRAMME_MIN_AGGREGATE_N).
    expect(tsk_card).to_contain_text("Fewer than 3 participants: not shown to protect privacy.")
    expect(tsk_card).not_to_contain_text("Reliably improved: 1 of 2")
    expect(tsk_card.get_by_role("row", name="Susan Whitfield")).to_have_count(0)
    expect(tsk_card).to_contain_text("shown only to their care team")
    screenshot("pmp_05a_outcomes_aggregate_for_the_programme_admin")

    page.context.clear_cookies()
    login("bob")
    page.goto(f"{live_server.url}/programmes/cohorts/{cohort.pk}/outcomes/")
    tsk_card = page.get_by_role("region", name="TSK-11")
    expect(tsk_card).to_contain_text("TSK-11 published values: SEM 2.54")
    expect(tsk_card).to_contain_text("Reliably improved: 1 of 2")  # the lead sees the counts
    susan_row = tsk_card.get_by_role("row", name="Susan Whitfield")
    expect(susan_row).to_contain_text("Signed assessment on")
    expect(susan_row).to_contain_text("Reliably improved")
    expect(susan_row).to_contain_text("RC -2.51")
    carl_row = tsk_card.get_by_role("row", name="Carl Berg")
    expect(carl_row).to_contain_text("Entered by Ana")
    expect(carl_row).to_contain_text("Reliably deteriorated")
    expect(page.get_by_role("region", name="PSEQ")).to_contain_text("Not available")
    screenshot("pmp_05_outcomes_from_signed_assessments")

    page.get_by_text("Change the windows of this programme").click()
    page.get_by_label("follow-up: weeks after the end").fill("26")
    page.get_by_role("button", name="Save windows").click()
    expect(page.get_by_text("Outcome windows saved.")).to_be_visible()
    pmp.refresh_from_db()
    assert pmp.follow_up_weeks == 26
    screenshot("pmp_06_outcome_windows_changed")
