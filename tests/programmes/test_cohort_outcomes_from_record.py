"""Priya reads the outcomes of a finished cohort from the participants' SIGNED assessments
(issue #6): the signed result nearest each anchor inside the programme's windows, reliable change
from the instrument's own parameters (TSK-11 SEM 2.54, instruments.md §4/§23), "not available"
with the reason where no parameters exist, and hand-entered scores only as the fallback."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment import services as assessment_services
from painclinic.models import AuditAction, AuditEvent
from programmes import outcomes, selectors, services
from programmes.models import Direction, ProgrammeMeasure
from tests.assessment.factories import answers_all, signed_result
from tests.factories import EpisodeFactory, PatientFactory
from tests.programmes.conftest import attend, enrol

pytestmark = pytest.mark.django_db

WEEK = timedelta(weeks=1)
START = date.today() - 40 * WEEK  # an 8-week cohort, finished and past its follow-up
END = START + 8 * WEEK


def tsk11(total: int) -> dict[str, int]:
    """TSK-11 answers (11 items, 1-4, no reversed items) summing to ``total``."""
    base, extra = divmod(total, 11)
    return {str(n): base + (1 if n <= extra else 0) for n in range(1, 12)}


@pytest.fixture
def done_cohort(pmp, priya):
    cohort = services.cohort_create(
        actor=priya,
        programme=pmp,
        data={
            "name": "Autumn cohort",
            "start_date": START,
            "end_date": END,
            "venue": "Outpatient gym, Level 2",
            "capacity": 30,
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
    for key, label, direction in (
        ("tsk11", "TSK-11", Direction.HIGHER_IS_WORSE),
        ("pseq", "PSEQ", Direction.HIGHER_IS_BETTER),
    ):
        ProgrammeMeasure.objects.create(
            programme=pmp, instrument_key=key, label=label, direction=direction
        )
    return cohort


def participant(patient, cohort, pmp, ana, priya, state="completed"):
    enrolment = services.enrolment_refer(
        actor=ana, patient=patient, programme=pmp, referred_on=date.today() - timedelta(days=3)
    )
    enrolment = enrol(enrolment, cohort, priya)
    if state == "completed":
        attend(enrolment, cohort.sessions.all(), priya)
        enrolment = services.enrolment_transition(
            actor=priya, enrolment=enrolment, to_state="completed", changed_on=date.today()
        )
    elif state == "withdrawn":
        enrolment = services.enrolment_transition(
            actor=priya,
            enrolment=enrolment,
            to_state="withdrawn",
            changed_on=date.today(),
            reason="health",
        )
    return enrolment


def tsk(patient, ana, total, on):
    return signed_result(patient=patient, key="tsk11", answers=tsk11(total), actor=ana, on=on)


@pytest.fixture
def carl(ana, north):
    patient = PatientFactory(identifier="DEMO-CARL", given_name="Carl", family_name="Berg")
    EpisodeFactory(patient=patient, team=north, lead_clinician=ana, care_team=[ana])
    return patient


@pytest.fixture
def story(done_cohort, pmp, ana, priya, susan, jannick, carl):
    """Three participants. Susan (completed): TSK-11 35 → 26, reliably improved, and 26 again at
    follow-up. Jannick (withdrawn): 35 → 33, no reliable change. Carl (completed): pre signed 30,
    post measured outside painclinic and typed in (40), reliably deteriorated."""
    enrolments = {
        "susan": participant(susan, done_cohort, pmp, ana, priya),
        "jannick": participant(jannick, done_cohort, pmp, ana, priya, state="withdrawn"),
        "carl": participant(carl, done_cohort, pmp, ana, priya),
    }
    # Susan: three signed results around the start; the nearest inside the window counts.
    tsk(susan, ana, 44, START - 8 * WEEK)  # before the pre window: ignored
    tsk(susan, ana, 40, START - 5 * WEEK)  # in the window, further from the start
    tsk(susan, ana, 35, START - timedelta(days=2))  # nearest the start: the pre score
    tsk(susan, ana, 30, END + 3 * WEEK)  # in the post window, further from the end
    tsk(susan, ana, 26, END + WEEK)  # nearest the end: the post score
    tsk(susan, ana, 26, END + 12 * WEEK + timedelta(days=3))  # follow-up
    signed_result(patient=susan, key="pseq", answers=answers_all("pseq", 2), actor=ana, on=START)
    signed_result(patient=susan, key="pseq", answers=answers_all("pseq", 5), actor=ana, on=END)
    # A hand-entered post score does not replace a signed one in the window.
    measure = ProgrammeMeasure.objects.get(instrument_key="tsk11")
    services.outcome_record(
        actor=ana,
        enrolment=enrolments["susan"],
        measure=measure,
        time_point="post",
        value=44,
        recorded_on=END,
    )
    tsk(jannick, ana, 35, START)
    tsk(jannick, ana, 33, END - 2 * WEEK)
    tsk(carl, ana, 30, START + timedelta(days=3))
    services.outcome_record(
        actor=ana,
        enrolment=enrolments["carl"],
        measure=measure,
        time_point="post",
        value=40,
        recorded_on=END + timedelta(days=5),
    )
    return enrolments


def _table(data, key):
    return next(t for t in data["tables"] if t["measure"].instrument_key == key)


def _row(table, patient):
    return next(r for r in table["rows"] if r["enrolment"].patient_id == patient.pk)


def test_windows_follow_the_programme_settings_and_their_defaults(done_cohort, pmp, priya):
    found = outcomes.windows(START, END, selectors.window_settings(pmp))
    assert (found["pre"].start, found["pre"].anchor, found["pre"].end) == (
        START - 6 * WEEK,
        START,
        START + WEEK,
    )
    assert (found["post"].start, found["post"].end) == (END - 4 * WEEK, END + 4 * WEEK)
    assert found["follow_up"].anchor == END + 12 * WEEK
    assert (found["follow_up"].start, found["follow_up"].end) == (END + 8 * WEEK, END + 16 * WEEK)
    services.programme_windows_update(actor=priya, programme=pmp, data={"pre_weeks_before": 10})
    pmp.refresh_from_db()
    assert outcomes.windows(START, END, selectors.window_settings(pmp))["pre"].start == (
        START - 10 * WEEK
    )
    event = AuditEvent.objects.filter(action=AuditAction.CHANGE, actor=priya).latest("id")
    assert event.changed_fields == ["pre_weeks_before"]


def test_the_signed_result_nearest_the_anchor_inside_the_window_is_used(story, susan, jannick, ana):
    data = selectors.cohort_outcomes(story["susan"].cohort, ana)
    row = _row(_table(data, "tsk11"), susan)
    pre, post, follow = (row["values"][p] for p in ("pre", "post", "follow_up"))
    assert (pre.value, pre.day, pre.kind) == (35, START - timedelta(days=2), "signed")
    assert (post.value, post.day, post.kind) == (26, END + WEEK, "signed")  # not the typed 44
    assert (follow.value, follow.day) == (26, END + 12 * WEEK + timedelta(days=3))
    assert pre.source == f"Signed assessment on {pre.day:%d %b %Y}"
    # Jannick has no follow-up in the window: nothing is borrowed from elsewhere.
    assert "follow_up" not in _row(_table(data, "tsk11"), jannick)["values"]


def test_nearest_prefers_the_earlier_on_a_tie_and_never_uses_one_result_twice():
    window = outcomes.Window("pre", date(2025, 3, 10), date(2025, 2, 1), date(2025, 3, 17))
    before = outcomes.Candidate(1, date(2025, 3, 7), 30)
    after = outcomes.Candidate(2, date(2025, 3, 13), 20)
    assert outcomes.nearest([after, before], window) == before
    assert outcomes.nearest([after, before], window, exclude=frozenset({1})) == after
    assert outcomes.nearest([outcomes.Candidate(3, date(2025, 1, 1), 1)], window) is None
    # Windows that overlap (a 2-week cohort): the one result near both anchors is pre only.
    found = outcomes.windows(date(2025, 3, 10), date(2025, 3, 24), outcomes.WindowSettings())
    only = outcomes.Candidate(9, date(2025, 3, 12), 25)
    assert outcomes.choose([only], found) == {"pre": only}


def test_reliable_change_comes_from_the_instruments_own_parameters(
    story, susan, jannick, carl, ana
):
    table = _table(selectors.cohort_outcomes(story["susan"].cohort, ana), "tsk11")
    assert "TSK-11 published values: SEM 2.54" in table["spec"].parameters_source
    susan_row = _row(table, susan)
    # 35 → 26: Δ = −9, S_diff = √2 · 2.54 = 3.592, RC = −2.51: reliably improved (lower = better).
    assert susan_row["post"].classification == outcomes.RELIABLY_IMPROVED
    assert round(susan_row["post"].rc, 2) == -2.51
    assert susan_row["follow_up"].classification == outcomes.RELIABLY_IMPROVED
    assert _row(table, jannick)["post"].classification == outcomes.NO_RELIABLE_CHANGE
    carl_row = _row(table, carl)
    assert carl_row["post"].classification == outcomes.RELIABLY_DETERIORATED  # 30 → 40
    assert (carl_row["values"]["pre"].kind, carl_row["values"]["post"].kind) == (
        "signed",
        "entered",
    )
    assert carl_row["values"]["post"].source.startswith("Entered by Ana")


def test_no_parameters_anywhere_is_not_available_with_the_reason(story, susan, ana):
    table = _table(selectors.cohort_outcomes(story["susan"].cohort, ana), "pseq")
    row = _row(table, susan)
    assert (row["values"]["pre"].value, row["values"]["post"].value) == (20, 50)
    assert row["post"].classification == outcomes.NOT_AVAILABLE
    assert row["post"].rc is None
    assert row["post"].reason == (
        "Not available: no SD and reliability entered for this programme, and PSEQ has no "
        "reliable-change parameters of its own."
    )
    assert table["groups"][0]["counts"].classified == 0


def test_the_programmes_own_sd_and_reliability_come_first(story, susan, ana):
    ProgrammeMeasure.objects.filter(instrument_key="pseq").update(
        sd=10.0, reliability=0.84, source="local norms"
    )
    table = _table(selectors.cohort_outcomes(story["susan"].cohort, ana), "pseq")
    assert table["spec"].parameters_source.startswith("SD 10 and reliability 0.84 entered")
    assert _row(table, susan)["post"].classification == outcomes.RELIABLY_IMPROVED  # 20 → 50


def test_counts_and_rates_for_all_enrolled_and_for_completers(story, ana):
    table = _table(selectors.cohort_outcomes(story["susan"].cohort, ana), "tsk11")
    everyone, completers = (g["counts"] for g in table["groups"])
    assert (everyone.improved, everyone.no_change, everyone.deteriorated) == (1, 1, 1)
    assert (everyone.classified, everyone.not_available) == (3, 0)
    # Jannick withdrew: the completers are Susan and Carl.
    assert (completers.improved, completers.no_change, completers.deteriorated) == (1, 0, 1)
    assert table["follow_up"].improved == 1
    assert table["follow_up"].not_available == 2
    assert "1 of 3 (33.3%) reliably deteriorated, above the published" in table["beside_published"]


def test_an_amended_result_counts_with_its_amended_value(story, susan, ana):
    administration = (
        susan.assessment_sessions.get(date=END + WEEK).administrations.get()  # the post 26
    )
    assessment_services.administration_amend(
        actor=ana, administration=administration, answers=tsk11(33), reason="Item 4 misread"
    )
    row = _row(_table(selectors.cohort_outcomes(story["susan"].cohort, ana), "tsk11"), susan)
    assert row["values"]["post"].value == 33
    assert row["values"]["post"].amended
    assert row["values"]["post"].source.endswith("(amended)")
    assert row["post"].classification == outcomes.NO_RELIABLE_CHANGE


def test_the_team_lead_sees_each_source_and_exports_each_participant_audited_once(
    client, story, bob, susan, jannick, carl
):
    """Bob leads the North team: the participants' clinical records are open to him, so the
    page shows their own scores with the source of each, and his export names them."""
    cohort = story["susan"].cohort
    client.force_login(bob)
    page = client.get(reverse("programmes:outcomes", args=[cohort.pk])).content.decode()
    assert f"Signed assessment on {START - timedelta(days=2):%d %b %Y}" in page
    assert "Entered by Ana" in page
    assert "pre from 6 weeks before to 1 week after the cohort start" in page
    assert "has no reliable-change parameters of its own" in page
    assert "instruments.md" not in page
    assert "§" not in page
    assert "issue #" not in page
    # Showing each participant's scores is a view of each record: one VIEW event each.
    for patient in (susan, jannick, carl):
        views = AuditEvent.objects.filter(patient=patient, action=AuditAction.VIEW, actor=bob)
        assert views.count() == 1
    response = client.get(reverse("programmes:participants_csv", args=[cohort.pk]))
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 6  # 3 participants × 2 measures
    susan_tsk = next(
        r for r in rows if r["identifier"] == "DEMO-SUSAN" and r["measure"] == "TSK-11"
    )
    assert (susan_tsk["pre"], susan_tsk["post"], susan_tsk["rc_post"]) == ("35", "26", "-2.51")
    assert susan_tsk["pre_source"].startswith("Signed assessment on ")
    assert susan_tsk["change_post"] == "Reliably improved"
    assert susan_tsk["enrolment_state"] == "Completed"
    assert "SEM 2.54" in susan_tsk["rci_parameters"]
    assert "instruments.md" not in susan_tsk["rci_parameters"]
    carl_tsk = next(r for r in rows if r["identifier"] == "DEMO-CARL" and r["measure"] == "TSK-11")
    assert carl_tsk["post_source"].startswith("Entered by Ana")
    for patient in (susan, jannick, carl):
        assert (
            AuditEvent.objects.filter(patient=patient, action=AuditAction.EXPORT, actor=bob).count()
            == 1
        )


def test_the_programme_admin_sees_and_exports_the_cohorts_aggregate_only(
    client, story, priya, susan, jannick, carl
):
    """Priya runs the programme but is on nobody's care team: the counts and rates, never a
    participant's own score (issue #9, data minimisation)."""
    cohort = story["susan"].cohort
    client.force_login(priya)
    page = client.get(reverse("programmes:outcomes", args=[cohort.pk])).content.decode()
    assert "Reliably improved: 1 of 3" in page
    for patient in (susan, jannick, carl):
        assert patient.full_name not in page
    assert "Signed assessment on" not in page
    assert "Entered by" not in page
    assert "shown only to their care team" in page
    assert "participant-outcomes.csv" not in page
    assert not AuditEvent.objects.filter(actor=priya, action=AuditAction.VIEW, patient=susan)
    summary = client.get(reverse("programmes:outcomes_csv", args=[cohort.pk]))
    rows = list(csv.DictReader(io.StringIO(summary.content.decode())))
    assert {(r["measure"], r["group"]) for r in rows} == {
        (m, g) for m in ("TSK-11", "PSEQ") for g in ("All enrolled", "Completers")
    }
    everyone = next(r for r in rows if r["measure"] == "TSK-11" and r["group"] == "All enrolled")
    assert (everyone["reliably_improved"], everyone["reliably_deteriorated"]) == ("1", "1")
    assert "DEMO-" not in summary.content.decode()
    assert AuditEvent.objects.filter(actor=priya, action=AuditAction.EXPORT, patient=None).exists()
    refused = client.get(reverse("programmes:participants_csv", args=[cohort.pk]))
    assert refused.status_code == 403
    assert not AuditEvent.objects.filter(actor=priya, action=AuditAction.EXPORT, patient=susan)


def test_the_windows_are_changed_on_the_outcomes_page(client, done_cohort, pmp, priya):
    client.force_login(priya)
    url = reverse("programmes:outcome_windows", args=[done_cohort.pk])
    fields = {
        "pre_weeks_before": 8,
        "pre_weeks_after": 0,
        "post_weeks_around": 2,
        "follow_up_weeks": 26,
        "follow_up_weeks_around": 6,
    }
    assert client.post(url, fields).status_code == 302
    pmp.refresh_from_db()
    assert (pmp.pre_weeks_before, pmp.follow_up_weeks) == (8, 26)
    bad = client.post(url, {**fields, "follow_up_weeks_around": 30})
    assert bad.status_code == 400
    assert 'value="30"' in bad.content.decode()
    pmp.refresh_from_db()
    assert pmp.follow_up_weeks_around == 6


def test_the_outcomes_page_queries_do_not_grow_with_participants(
    client, done_cohort, pmp, ana, priya, north
):
    client.force_login(priya)
    url = reverse("programmes:outcomes", args=[done_cohort.pk])

    def add(n):
        for _ in range(n):
            patient = PatientFactory()
            EpisodeFactory(patient=patient, team=north, lead_clinician=ana, care_team=[ana])
            participant(patient, done_cohort, pmp, ana, priya)
            tsk(patient, ana, 35, START)
            tsk(patient, ana, 26, END)

    def count():
        with CaptureQueriesContext(connection) as q:
            assert client.get(url).status_code == 200
        return len(q)

    add(2)
    few = count()
    add(5)
    assert count() == few


def test_the_cohort_page_audits_a_view_of_each_participant_it_lists(client, story, priya, susan):
    cohort = story["susan"].cohort
    client.force_login(priya)
    before = AuditEvent.objects.filter(patient=susan, action=AuditAction.VIEW).count()
    assert client.get(reverse("programmes:cohort", args=[cohort.pk])).status_code == 200
    after = AuditEvent.objects.filter(patient=susan, action=AuditAction.VIEW).count()
    assert after == before + 1


def test_a_group_of_one_or_two_is_not_shown_to_the_programme_admin(
    client, story, priya, bob, settings
):
    """Two completers (Susan, Carl): their counts are their own results. Priya, on neither care
    team, reads that the group is too small; Bob, who leads their team, sees the counts. The cohort
    summary CSV leaves the group's numbers out with the same note. The minimum is the clinic's."""
    assert settings.PROGRAMME_MIN_AGGREGATE_N == 3
    cohort = story["susan"].cohort
    hidden = "Fewer than 3 participants: not shown to protect privacy."
    client.force_login(priya)
    page = client.get(reverse("programmes:outcomes", args=[cohort.pk])).content.decode()
    assert "Reliably improved: 1 of 3" in page  # all enrolled: three participants
    assert hidden in page
    assert "Completers (n = 2" not in page
    summary = client.get(reverse("programmes:outcomes_csv", args=[cohort.pk]))
    rows = list(csv.DictReader(io.StringIO(summary.content.decode())))
    completers = next(r for r in rows if r["measure"] == "TSK-11" and r["group"] == "Completers")
    assert completers["with_both_scores"] == completers["reliably_improved"] == ""
    assert completers["note"] == hidden
    client.force_login(bob)
    page = client.get(reverse("programmes:outcomes", args=[cohort.pk])).content.decode()
    assert "Completers (n = 2" in page
    assert hidden not in page
