"""The team review reads each episode's first and latest signed result per instrument from their
stored summary (assessment.models.ResultSummary, issue #16) instead of picking them out of every
administration. Bob's team here has several episodes with baselines, reviews, amendments,
voided results (amended to unscorable), an unscorable result, a process measure and a
discharged episode; the review's outcome facts must be exactly what the administrations give,
recomputed the plain way: every signed result of the episode in Python, oldest first."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import pytest

from assessment import instruments, services
from assessment.models import Administration, AdministrationState, TimePoint
from assessment.selectors import SignedResult, reliable_change
from patients import services as patient_services
from patients.models import OPEN_STATUSES, Episode
from review import rules
from review import selectors as review_selectors
from tests.assessment.factories import answers_all
from tests.factories import EpisodeFactory

pytestmark = pytest.mark.django_db
TODAY = date.today()


def _sign(episode, actor, key, answers, days_ago):
    session = services.session_start(
        actor=actor,
        patient=episode.patient,
        episode=episode,
        time_point=TimePoint.REVIEW,
        on=TODAY - timedelta(days=days_ago),
        instrument_keys=[key],
    )
    return services.administration_sign(
        actor=actor, administration=session.administrations.get(), answers=answers
    )


@pytest.fixture
def team(north, ana, dina, bob):
    """Six episodes of Bob's team, each with its own history of signed results."""
    episodes = [
        EpisodeFactory(
            team=north,
            lead_clinician=lead,
            care_team=[lead],
            referral_date=TODAY - timedelta(days=200),
            patient__family_name=f"Summary{n}",
        )
        for n, lead in enumerate((ana, ana, ana, dina, dina, dina))
    ]
    improving, worsening, voided, amended, single, discharged = episodes
    # TSK-17 (the instrument with reliable-change parameters): 56 -> 47 -> 29, improved; one
    # PHQ-9 (no change to classify) and a process measure (not an outcome).
    _sign(improving, ana, "tsk17", answers_all("tsk17", 4), 150)
    _sign(improving, ana, "tsk17", answers_all("tsk17", 3), 90)
    _sign(improving, ana, "tsk17", answers_all("tsk17", 1), 10)
    _sign(improving, ana, "phq9", answers_all("phq9", 3), 150)
    _sign(improving, ana, "waisr", answers_all("waisr", 4), 10)
    # Worse, signed out of order: the latest session first, then two on one earlier day (the
    # first signed of those two is the baseline): 29 -> 47.
    _sign(worsening, ana, "tsk17", answers_all("tsk17", 3), 5)
    _sign(worsening, ana, "tsk17", answers_all("tsk17", 1), 120)
    _sign(worsening, ana, "tsk17", answers_all("tsk17", 2), 120)
    # The latest result voided (amended to the one item really asked): one result stands.
    _sign(voided, ana, "tsk17", answers_all("tsk17", 1), 100)
    void = _sign(voided, ana, "tsk17", answers_all("tsk17", 4), 20)
    _sign(voided, ana, "pcs", {"1": 2}, 20)  # unscorable when signed
    # (Amendments come last on an episode here, so no later signature hides a missed upkeep.)
    services.administration_amend(
        actor=ana, administration=void, answers={"1": 4}, reason="Only the first item was asked"
    )
    # Amended baseline (38 -> 56) and latest PHQ-9: the amended values are in force, so the
    # TSK-17 reads 56 -> 47, improved (38 -> 47 would be worse), and the PHQ-9's band is the
    # amended one.
    base = _sign(amended, dina, "tsk17", answers_all("tsk17", 2), 150)
    services.administration_amend(
        actor=dina, administration=base, answers=answers_all("tsk17", 4), reason="Misread"
    )
    _sign(amended, dina, "tsk17", answers_all("tsk17", 3), 15)
    latest = _sign(amended, dina, "phq9", answers_all("phq9", 1), 15)
    _sign(amended, dina, "startback", answers_all("startback", 1), 15)
    services.administration_amend(
        actor=dina, administration=latest, answers=answers_all("phq9", 2), reason="Misread"
    )
    # One result only, and a session discarded before anything was signed in it.
    _sign(single, dina, "tsk17", answers_all("tsk17", 2), 30)
    left = services.session_start(
        actor=dina,
        patient=single.patient,
        episode=single,
        time_point=TimePoint.REVIEW,
        on=TODAY,
        instrument_keys=["tsk17"],
    )
    services.session_discard(actor=dina, session=left)
    # Reliable improvement, then discharged: out of the open episodes, in the quarters.
    _sign(discharged, dina, "tsk17", answers_all("tsk17", 4), 150)
    _sign(discharged, dina, "tsk17", answers_all("tsk17", 1), 40)
    patient_services.episode_change_status(
        actor=dina,
        episode=discharged,
        to_status="discharged",
        changed_on=TODAY - timedelta(days=30),
        discharge_reason="goals_met",
    )
    return episodes


def recomputed(episodes) -> review_selectors.OutcomeFacts:
    """The outcome facts from every signed administration of the episodes, read in Python."""
    out = review_selectors.OutcomeFacts()
    results: dict[tuple[int, str], list[tuple]] = defaultdict(list)
    for a in Administration.objects.filter(
        session__episode__in=episodes, state=AdministrationState.SIGNED
    ).select_related("session__episode", "current_amendment"):
        score = a.current_score or {}
        if score.get("scorable") and a.instrument_key not in review_selectors.PROCESS_KEYS:
            results[(a.session.episode_id, a.instrument_key)].append(
                ((a.session.date, a.signed_at, a.pk), a)
            )
    for (episode_id, key), rows in sorted(results.items()):
        ordered = [a for _, a in sorted(rows, key=lambda row: row[0])]
        latest = ordered[-1]
        out.lead_of[episode_id] = latest.session.episode.lead_clinician_id
        out.latest_on[episode_id] = max(
            latest.session.date, out.latest_on.get(episode_id, latest.session.date)
        )
        signed = [
            SignedResult(
                key, a.pk, a.session.date, a.current_score, a.current_amendment_id is not None
            )
            for a in ordered
        ]
        out.change[episode_id][instruments.get(key).short_name] = reliable_change(signed)[
            "classification"
        ]
        band = (latest.current_score.get("band") or {}).get("name")
        if (key, band) in review_selectors.HIGH_RISK_BANDS:
            out.high_risk[episode_id].append(review_selectors.HIGH_RISK_BANDS[(key, band)])
    for flags in out.high_risk.values():
        flags.sort(key=review_selectors.HIGH_RISK_ORDER.index)
    return out


def _facts(outcomes):
    return (
        {e: dict(c) for e, c in outcomes.change.items()},
        dict(outcomes.high_risk),
        outcomes.latest_on,
        outcomes.lead_of,
    )


def test_the_review_reads_the_same_outcome_facts_as_the_administrations_give(team, bob):
    open_episodes = Episode.objects.filter(pk__in=[e.pk for e in team], status__in=OPEN_STATUSES)
    stored = review_selectors._first_and_latest_results(open_episodes)
    assert _facts(stored) == _facts(recomputed(open_episodes))
    # The team's story is in the facts, so the comparison compared something.
    improving, worsening, voided, amended, single, _ = team
    assert stored.change[improving.pk] == {
        "TSK-17": rules.RELIABLY_IMPROVED,
        "PHQ-9": "not_available",
    }
    assert stored.change[worsening.pk] == {"TSK-17": rules.RELIABLY_DETERIORATED}
    assert stored.change[voided.pk] == {"TSK-17": "not_available"}  # one result left
    assert stored.change[amended.pk]["TSK-17"] == rules.RELIABLY_IMPROVED
    assert stored.high_risk[amended.pk] == [
        review_selectors.HIGH_RISK_BANDS[("startback", "high")],
        review_selectors.HIGH_RISK_BANDS[("phq9", "moderately_severe")],
    ]
    assert stored.change[single.pk] == {"TSK-17": "not_available"}


def test_the_whole_review_and_its_quarters_follow_the_administrations(team, bob):
    data = review_selectors.caseload_review(bob, today=TODAY)
    open_ids = Episode.objects.filter(pk__in=[e.pk for e in team], status__in=OPEN_STATUSES)
    # The review reads the results of the episodes it shows (a page): here all of them.
    shown = review_selectors.outcomes_of(data, [e.pk for e in data["rule_episodes"]])
    assert _facts(shown)[:3] == _facts(recomputed(Episode.objects.filter(pk__in=open_ids)))[:3]
    # Every episode, open or discharged, counts in the quarter of its latest result.
    quarters = review_selectors.team_outcomes_by_quarter(bob, today=TODAY, min_n=1)
    recounted = recomputed(Episode.objects.filter(pk__in=[e.pk for e in team]))
    by_quarter: dict[date, int] = defaultdict(int)
    for episode_id, change in recounted.change.items():
        if any(c != "not_available" for c in change.values()):
            by_quarter[review_selectors._quarter_start(recounted.latest_on[episode_id])] += 1
    assert {q.start: q.n for q in quarters if q.n} == dict(by_quarter)
    assert sum(by_quarter.values()) == 4  # improving, worsening, amended, discharged
