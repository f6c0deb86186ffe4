"""Bob's caseload review at scale: the attention lists are counted and paginated in SQL, the SQL
lists select exactly the episodes the pure rules (review/rules.py) select, the SCED finding
comes from the latest DONE analysis of each study, and queries do not grow with patients."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from review import rules as review
from review import selectors as review_selectors
from sced.models import (
    NO_DATA_TO_ANALYSE,
    AnalysisRun,
    AnalysisState,
    Study,
    first_comparison_nap,
    store_in_force_findings,
)
from tests.assessment.factories import answers_all, signed_result
from tests.factories import ContactFactory, EpisodeFactory
from tests.sced.conftest import make_study

pytestmark = pytest.mark.django_db
TODAY = date.today()


def _episode(lead, team, name, *, status="active", weeks=16, referred_weeks=20):
    return EpisodeFactory(
        team=team,
        lead_clinician=lead,
        care_team=[lead],
        status=status,
        referral_date=TODAY - timedelta(weeks=referred_weeks),
        status_since=TODAY - timedelta(weeks=weeks),
        patient__given_name=name,
        patient__family_name="Scale",
    )


def _measure_result(name, nap, low, high, p=None):
    entry = {
        "measure_id": 1,
        "name": name,
        "analysis": {
            "comparisons": {
                "A-B": {
                    "effect_sizes": {"NAP": {"estimate": nap, "ci_lower": low, "ci_upper": high}}
                }
            }
        },
        "randomization": {} if p is None else {"p_value": p},
    }
    return {"measures": [entry]}


def _run(study, results, *, state=AnalysisState.DONE, n=0):
    return AnalysisRun.objects.create(
        study=study, input_hash=f"{study.pk}-{n}-{state}", state=state, results=results
    )


def _pure(user):
    """Every (episode, list) the pure rules give, evaluated episode by episode (the reference)."""
    data = review_selectors.caseload_review(user)
    episodes = list(data["rule_episodes"])
    outcomes = review_selectors.outcomes_of(data, [e.pk for e in episodes])
    out = set()
    for e in episodes:
        facts = review_selectors.case_facts(e, outcomes)
        for a in review.attention_for(facts, data["rules"], data["today"]):
            out.add((e.pk, a.list_key))
    return data, out


def _mixed_caseload(ana, dina, jannick, north, n):
    team = north
    for i in range(n):
        lead = ana if i % 2 else dina
        kind = i % 4
        if kind == 0:  # long active, nothing signed: overdue, not on track, no goals/plan
            _episode(lead, team, f"Long{i}")
        elif kind == 1:  # recent active, not yet overdue
            _episode(lead, team, f"New{i}", weeks=2, referred_weeks=4)
        elif kind == 2:  # waiting
            e = _episode(lead, team, f"Wait{i}", status="waiting", weeks=3, referred_weeks=3 + i)
            ContactFactory(episode=e)
        else:  # active with two PHQ-9 results, worse: reliable deterioration, severe band
            e = _episode(lead, team, f"Worse{i}", weeks=3, referred_weeks=4)
            signed_result(
                patient=e.patient,
                key="phq9",
                answers=answers_all("phq9", 0),
                actor=ana,
                on=TODAY - timedelta(days=20),
            )
            signed_result(
                patient=e.patient,
                key="phq9",
                answers=answers_all("phq9", 3),
                actor=ana,
                on=TODAY - timedelta(days=2),
            )


def test_sql_lists_select_what_the_pure_rules_select(bob, ana, dina, jannick, north):
    _mixed_caseload(ana, dina, jannick, north, 12)
    study = make_study(ana, jannick)
    _run(study, _measure_result("Fear of lifting a crate", 0.52, 0.31, 0.73))
    data, expected = _pure(bob)
    union = review_selectors.attention_rows(data, {})
    got = {(row[0], row[1]) for row in union}
    assert got == expected
    assert union.count() == len(expected)
    lists = {key for _, key in expected}
    assert {"overdue_review", "not_on_track", "high_risk_no_plan", "no_goals_or_plan"} <= lists


def test_filters_and_sorts_are_applied_in_sql(bob, ana, dina, jannick, north):
    _mixed_caseload(ana, dina, jannick, north, 8)
    data, expected = _pure(bob)
    only = review_selectors.attention_rows(data, {"list": "not_on_track", "clinician": ana.pk})
    assert {r[0] for r in only} == {e for e, key in expected if key == "not_on_track"} & set(
        data["rule_episodes"].filter(lead_clinician=ana).values_list("pk", flat=True)
    )
    waiting = list(review_selectors.attention_rows(data, {}, "-waiting"))
    firsts = [r[7] for r in waiting if r[7] is not None]
    assert firsts == sorted(firsts)  # earliest referral (longest wait) first, others last
    assert all(r[7] is None for r in waiting[len(firsts) :])


def test_the_sced_reason_is_shown_from_the_latest_done_analysis(client, bob, ana, jannick):
    study = make_study(ana, jannick)
    _run(study, _measure_result("Fear of lifting a crate", 0.95, 0.88, 1.0), n=1)  # older
    _run(study, _measure_result("Fear of lifting a crate", 0.52, 0.31, 0.73, p=0.21), n=2)
    _run(study, None, state=AnalysisState.FAILED, n=3)  # a failed run is not a result
    client.force_login(bob)
    content = client.get(reverse("team:dashboard") + "?list=not_on_track").content.decode()
    assert (
        "SCED: NAP 0.52 (95% CI 0.31–0.73) in &#x27;Fear of lifting a crate&#x27; — no "
        "improvement; randomization p = 0.210." in content
    )


def test_not_on_track_follows_the_analysis_of_the_data_in_force_not_the_newest(bob, ana, jannick):
    """A value struck out brings back an earlier run's data: the list follows the run in force
    (the NAP stored on the study is that run's), and moves again when the data does."""
    study = make_study(ana, jannick)
    weak = _run(study, _measure_result("Fear of lifting a crate", 0.52, 0.31, 0.73), n=1)
    clear = _run(study, _measure_result("Fear of lifting a crate", 0.95, 0.88, 1.0), n=2)
    episode = jannick.episodes.get()

    def listed() -> bool:
        data = review_selectors.caseload_review(bob)
        entries = review_selectors.attention_rows(data, {"list": "not_on_track"})
        in_sql = episode.pk in {row[0] for row in entries}
        # ... and the pure rule, on the page's facts, says the same.
        assert review_selectors.outcomes_of(data, [episode.pk]).sced[episode.pk][0] is in_sql
        return in_sql

    assert not listed()  # no hash named yet: the newest DONE run (a clear effect)
    for run, expected in ((weak, True), (clear, False), (weak, True)):
        Study.objects.filter(pk=study.pk).update(analysis_input_hash=run.input_hash)
        store_in_force_findings(Study.objects.filter(pk=study.pk))  # as analysis_request does
        assert listed() is expected
    Study.objects.filter(pk=study.pk).update(analysis_input_hash=NO_DATA_TO_ANALYSE)
    store_in_force_findings(Study.objects.filter(pk=study.pk))
    data = review_selectors.caseload_review(bob)
    assert episode.pk not in {
        row[0] for row in review_selectors.attention_rows(data, {"list": "not_on_track"})
    }


def test_first_comparison_nap_reads_a_finding_as_the_review_rule_does():
    finding = _measure_result("Pain", 0.52, 0.31, 0.73)["measures"][0]
    read = review.sced_finding(finding)
    assert first_comparison_nap(finding) == (read.nap, read.ci_low, read.ci_high)
    no_interval = _measure_result("Pain", 0.6, None, None)["measures"][0]
    assert first_comparison_nap(no_interval) == (0.6, None, None)
    for unanalysed in (None, {}, {"name": "Pain"}, {"analysis": {"comparisons": {}}}):
        assert review.sced_finding(unanalysed) is None
        assert first_comparison_nap(unanalysed) == (None, None, None)


def test_a_clear_sced_effect_does_not_list_the_patient(bob, ana, jannick):
    study = make_study(ana, jannick)
    _run(study, _measure_result("Fear of lifting a crate", 0.95, 0.88, 1.0))
    data = review_selectors.caseload_review(bob)
    episode = jannick.episodes.get()
    assert review_selectors.outcomes_of(data, [episode.pk]).sced[episode.pk] == (False, ())
    not_on_track = review_selectors.attention_rows(data, {"list": "not_on_track"})
    assert episode.pk not in {row[0] for row in not_on_track}


# session, user, teams, settings, team episode ids, first and latest results, goal reviews, SCED runs, clinician
# counts, contacts, process measures, members, high-risk candidates, attention count, attention
# (+1 since two-step verification: the authenticator that verified the session, issue #15.)
# page, the page's episodes, the audit INSERT of the patients shown, then the session save (3
# with the test savepoints).
# The audit chain locks and reads its head before that INSERT (+2, issue #15).
# Issue #10: the open self-harm signals and the unread notifications.
# Issue #13: + the team's open MDT actions (one query). Issue #16: no separate query for the
# ids of the team's episodes: -1. The first and latest results are one read of their stored
# summary (assessment.models.ResultSummary) instead of two queries: -1.
# -3 (issue #16): the session is renewed once a minute, not saved (3 queries) on every page.
# -1 (issue #16): the high-risk list is a SQL filter on the stored bands, no candidates query;
# the page's results are one read of the summary for its episodes (instead of the team's), and
# the improvement rate is counted in the clinicians' counts query.
# -1 (issue #16): the audit chain's lock and head are read in one statement.
# -1 (issue #16): the attention page and the count of all entries are one statement.
# -1 (issue #16): the mean GAS T per clinician is read in the clinicians' counts query, from
# each episode's stored T (no query of the goal reviews).
# -1 (issue #16): the session's authenticator is read with the user (no query of its own).
# -1 (issue #16): whether there are unread notifications is read with the user.
# -1 (issue #16): a list page's audit (chain lock, head, INSERT) is one statement.
DASHBOARD_QUERIES = 15


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_queries_stay_constant_with_results_studies_and_pages(
    client, bob, ana, dina, jannick, north
):
    client.force_login(bob)
    make_study(ana, jannick)
    _run(jannick.episodes.get().sced_studies.get(), _measure_result("Fear", 0.5, 0.3, 0.7))
    _mixed_caseload(ana, dina, jannick, north, 4)
    few = _count(client, reverse("team:dashboard"))
    _mixed_caseload(ana, dina, jannick, north, 40)
    many = _count(client, reverse("team:dashboard") + "?page=2&sort=-waiting")
    assert few == many == DASHBOARD_QUERIES, (few, many)


def test_pages_of_the_attention_lists_read_as_djangos_paginator_reads_them(
    bob, ana, dina, jannick, north
):
    """The page and the count of all entries come from one statement (issue #16); page numbers
    are read as Paginator.get_page reads them: not a number -> the first page, below 1 or past
    the end -> the last; the pages cover every entry once, in the sort order."""
    _mixed_caseload(ana, dina, jannick, north, 12)
    data = review_selectors.caseload_review(bob)
    everything = list(review_selectors.attention_rows(data, {}, "name"))
    per_page = 5
    assert len(everything) > 2 * per_page
    last = -(-len(everything) // per_page)
    seen = []
    for number in range(1, last + 1):
        page = review_selectors.attention_page(data, {}, "name", str(number), per_page)
        assert page.number == number
        assert page.paginator.count == len(everything)
        assert page.paginator.num_pages == last
        seen += [(row.episode.pk, row.attention.list_key) for row in page.object_list]
    assert seen == [(row[0], row[1]) for row in everything]
    for asked, shown in (("abc", 1), (None, 1), ("0", last), ("-3", last), ("999", last)):
        page = review_selectors.attention_page(data, {}, "name", asked, per_page)
        assert (page.number, page.paginator.count) == (shown, len(everything)), asked
    nobody = review_selectors.attention_page(
        data, {"clinician": -1}, "name", "3", per_page
    )  # an empty list: one empty page
    assert (nobody.number, nobody.paginator.count, list(nobody.object_list)) == (1, 0, [])


def test_a_run_saved_done_stores_the_finding_the_review_reads(ana, jannick):
    """AnalysisRun.finding (issue #16): the first measure cut down to what the review's finding
    reads, stored when the run is saved done; the finding read from it is the one the whole
    results give."""
    study = make_study(ana, jannick)
    run = _run(study, None, state=AnalysisState.QUEUED)
    run.refresh_from_db()
    assert run.finding is None
    results = _measure_result("Fear of lifting a crate", 0.52, 0.31, 0.73, p=0.21)
    entry = results["measures"][0]
    entry["analysis"]["comparisons"]["A-B"]["effect_sizes"]["Tau-U"] = {"estimate": 0.1}
    entry["analysis"]["comparisons"]["A-B"]["overlap"] = [0.5] * 100
    run.results, run.state = results, AnalysisState.DONE
    run.save()
    run.refresh_from_db()
    assert review.sced_finding(run.finding) == review.sced_finding(entry)
    assert review.sced_finding(run.finding).no_improvement
    assert "Tau-U" not in str(run.finding)
    assert "overlap" not in str(run.finding)
