"""ResultSummary (the first and the latest signed result of an episode on each instrument) is a
summary the team review reads instead of scanning every administration (issue #16), with the
RCI classification of first against latest that its lists select by. The
assessment services keep it current: signing and amending rewrite it; a discarded session, a
discharge or a reassignment leave it as it is. Each test compares the stored rows with what the
episode's administrations say, recomputed here the plain way (every signed row in Python, the
score in force, the stored band), so a service that forgot the upkeep fails here."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from assessment import services
from assessment.models import Administration, AdministrationState, ResultSummary, TimePoint
from assessment.selectors import SignedResult, reliable_change
from patients import services as patient_services
from patients.models import Episode
from tests.assessment.factories import answers_all, signed_result

pytestmark = pytest.mark.django_db

TODAY = date.today()


def recomputed(episode) -> dict[str, tuple]:
    """Per instrument: (first id, date, total, amended, latest id, date, total, amended, band)
    of the signed results whose score in force is scorable, oldest first by session date,
    signing time and id."""
    signed = sorted(
        (
            a
            for a in Administration.objects.filter(
                session__episode=episode, state=AdministrationState.SIGNED
            ).select_related("session", "current_amendment")
            if (a.current_score or {}).get("scorable")
        ),
        key=lambda a: (a.session.date, a.signed_at, a.pk),
    )
    out: dict[str, tuple] = {}
    for key in {a.instrument_key for a in signed}:
        mine = [a for a in signed if a.instrument_key == key]
        first, latest = mine[0], mine[-1]
        out[key] = (
            first.pk,
            first.session.date,
            first.current_score.get("total"),
            first.current_amendment_id is not None,
            latest.pk,
            latest.session.date,
            latest.current_score.get("total"),
            latest.current_amendment_id is not None,
            latest.band_name,
            # The RCI classification of first against latest, as the record page computes it
            # (issue #16: stored for the team review's lists).
            reliable_change(
                [
                    SignedResult(key, a.pk, a.session.date, a.current_score, amended=False)
                    for a in (mine if len(mine) < 2 else (first, latest))
                ]
            )["classification"],
        )
    return out


def stored(episode) -> dict[str, tuple]:
    return {
        s.instrument_key: (
            s.first_result_id,
            s.first_date,
            s.first_total,
            s.first_amended,
            s.latest_result_id,
            s.latest_date,
            s.latest_total,
            s.latest_amended,
            s.latest_band_name,
            s.classification,
        )
        for s in ResultSummary.objects.filter(episode=episode)
    }


def assert_current(episode) -> dict[str, tuple]:
    expected = recomputed(episode)
    assert stored(episode) == expected
    return expected


def _sign(jannick, ana, key, code, days_ago):
    return signed_result(
        patient=jannick,
        key=key,
        answers=answers_all(key, code),
        actor=ana,
        on=TODAY - timedelta(days=days_ago),
    )


def test_a_new_episode_has_no_summary(jannick):
    assert stored(jannick.episodes.get()) == {}


def test_signing_sets_the_first_and_moves_the_latest_result(jannick, ana):
    episode = jannick.episodes.get()
    baseline = _sign(jannick, ana, "phq9", 2, 60)
    summary = assert_current(episode)
    # One result: it is both the first and the latest.
    assert summary["phq9"][0] == summary["phq9"][4] == baseline.pk
    assert summary["phq9"][8] == "moderately_severe"

    review = _sign(jannick, ana, "phq9", 0, 5)
    summary = assert_current(episode)
    assert (summary["phq9"][0], summary["phq9"][4]) == (baseline.pk, review.pk)
    assert summary["phq9"][6] == 0

    # A result signed later for an earlier session becomes the first, not the latest.
    earlier = _sign(jannick, ana, "phq9", 3, 90)
    summary = assert_current(episode)
    assert (summary["phq9"][0], summary["phq9"][4]) == (earlier.pk, review.pk)

    # Another instrument has its own pair; the PHQ-9's stays.
    _sign(jannick, ana, "tsk17", 3, 30)
    assert set(assert_current(episode)) == {"phq9", "tsk17"}


def test_two_results_on_one_day_are_ordered_by_signing_time(jannick, ana):
    episode = jannick.episodes.get()
    morning = _sign(jannick, ana, "pcs", 3, 10)
    afternoon = _sign(jannick, ana, "pcs", 1, 10)
    summary = assert_current(episode)
    assert (summary["pcs"][0], summary["pcs"][4]) == (morning.pk, afternoon.pk)


def test_an_amendment_changes_the_total_and_band_in_force(jannick, ana):
    episode = jannick.episodes.get()
    _sign(jannick, ana, "phq9", 1, 40)
    latest = _sign(jannick, ana, "phq9", 3, 5)
    assert assert_current(episode)["phq9"][8] == "severe"
    services.administration_amend(
        actor=ana,
        administration=latest,
        answers=answers_all("phq9", 0),
        reason="Answers were copied from the wrong sheet",
    )
    summary = assert_current(episode)
    assert summary["phq9"][4] == latest.pk
    assert summary["phq9"][6:9] == (0, True, "minimal")


def test_the_classification_follows_signing_and_amending(jannick, ana):
    episode = jannick.episodes.get()
    _sign(jannick, ana, "tsk17", 2, 40)
    assert assert_current(episode)["tsk17"][9] == "not_available"  # one result
    latest = _sign(jannick, ana, "tsk17", 4, 5)
    assert assert_current(episode)["tsk17"][9] == "reliably_deteriorated"
    services.administration_amend(
        actor=ana,
        administration=latest,
        answers=answers_all("tsk17", 1),
        reason="Answers were copied from the wrong sheet",
    )
    assert assert_current(episode)["tsk17"][9] == "reliably_improved"


def test_an_amendment_that_voids_a_result_takes_it_out_and_brings_it_back(jannick, ana):
    """There is no deleting a signed result: a result is voided by amending it to what was
    really asked (here one item), which leaves it unscorable, so it counts no more."""
    episode = jannick.episodes.get()
    first = _sign(jannick, ana, "phq9", 1, 40)
    latest = _sign(jannick, ana, "phq9", 2, 5)
    services.administration_amend(
        actor=ana, administration=latest, answers={"1": 2}, reason="Only the first item was asked"
    )
    summary = assert_current(episode)
    assert summary["phq9"][0] == summary["phq9"][4] == first.pk
    # The only result voided: the instrument leaves the summary.
    services.administration_amend(
        actor=ana, administration=first, answers={"1": 1}, reason="Only the first item was asked"
    )
    assert assert_current(episode) == {}
    # The form is found: scorable again, back in.
    services.administration_amend(
        actor=ana, administration=latest, answers=answers_all("phq9", 2), reason="Form found"
    )
    summary = assert_current(episode)
    assert summary["phq9"][0] == summary["phq9"][4] == latest.pk
    assert summary["phq9"][7] is True


def test_an_unscorable_result_or_a_discarded_session_never_counts(jannick, ana):
    episode = jannick.episodes.get()
    counted = _sign(jannick, ana, "pcs", 3, 20)
    signed_result(patient=jannick, key="pcs", answers={"1": 3}, actor=ana, on=TODAY)
    session = services.session_start(
        actor=ana,
        patient=jannick,
        episode=episode,
        time_point=TimePoint.REVIEW,
        on=TODAY,
        instrument_keys=["pcs"],
    )
    services.session_discard(actor=ana, session=session)
    summary = assert_current(episode)
    assert summary["pcs"][0] == summary["pcs"][4] == counted.pk


def test_each_episode_keeps_its_own_summary(jannick, susan, ana):
    _sign(jannick, ana, "phq9", 3, 20)
    signed_result(patient=susan, key="phq9", answers=answers_all("phq9", 1), actor=ana)
    signed_result(patient=susan, key="pcs", answers=answers_all("pcs", 1), actor=ana)
    assert set(assert_current(jannick.episodes.get())) == {"phq9"}
    assert set(assert_current(susan.episodes.get())) == {"phq9", "pcs"}


def test_discharge_and_reassignment_keep_the_summary(jannick, ana, bob, dina):
    episode = jannick.episodes.get()
    _sign(jannick, ana, "phq9", 1, 40)
    _sign(jannick, ana, "phq9", 2, 12)
    before = assert_current(episode)
    stale = Episode.objects.get(pk=episode.pk)
    patient_services.patient_reassign(actor=bob, episode=stale, to_clinician=dina)
    patient_services.episode_change_status(
        actor=ana,
        episode=stale,
        to_status="discharged",
        changed_on=TODAY,
        discharge_reason="goals_met",
    )
    assert assert_current(episode) == before


def test_the_bulk_rebuild_gives_what_the_services_keep(jannick, susan, ana):
    _sign(jannick, ana, "phq9", 1, 40)
    amended = _sign(jannick, ana, "phq9", 2, 5)
    services.administration_amend(
        actor=ana, administration=amended, answers=answers_all("phq9", 3), reason="Misread"
    )
    signed_result(patient=susan, key="pcs", answers=answers_all("pcs", 2), actor=ana)
    kept = {e.pk: stored(e) for e in Episode.objects.all()}
    assert services.rebuild_all_result_summaries() == 2
    assert {e.pk: stored(e) for e in Episode.objects.all()} == kept
