"""The contracts other apps build on: latest_scores and reliable_change_for."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessment import selectors, services
from tests.assessment.factories import answers_all, signed_result

pytestmark = pytest.mark.django_db

TODAY = date.today()


def test_latest_scores_is_empty_without_signed_results(jannick):
    assert selectors.latest_scores(jannick) == {}


def test_latest_scores_gives_the_latest_signed_result_per_instrument(jannick, ana):
    signed_result(
        patient=jannick,
        key="tsk11",
        answers=answers_all("tsk11", 4),
        actor=ana,
        on=TODAY - timedelta(days=60),
    )
    latest = signed_result(
        patient=jannick,
        key="tsk11",
        answers=answers_all("tsk11", 3),
        actor=ana,
        on=TODAY - timedelta(days=10),
    )
    phq = signed_result(
        patient=jannick,
        key="phq9",
        answers=answers_all("phq9", 2),
        actor=ana,
        on=TODAY - timedelta(days=10),
    )
    scores = selectors.latest_scores(jannick)
    assert set(scores) == {"tsk11", "phq9"}
    tsk11 = dict(scores["tsk11"])
    assert tsk11.pop("band_label").startswith("High")  # the definition's words, not "high"
    assert tsk11 == {
        "key": "tsk11",
        "total": 33,
        # No published TSK-11 cut-off; its clinic-policy band >= 24 is in the definition.
        "band": "high",
        "band_level": 3,
        "band_policy": True,  # stored when signed: the page marks it as clinic policy
        "subscales": {},
        "derived": {},
        "flags": {},
        "date": TODAY - timedelta(days=10),
        "result_id": latest.pk,
    }
    assert scores["phq9"]["total"] == 18  # items 1-9 at 2; item 10 (difficulty) is not scored
    assert scores["phq9"]["band"] == "moderately_severe"
    assert scores["phq9"]["band_level"] == 3
    assert scores["phq9"]["derived"] == {"phq2": 4}
    assert scores["phq9"]["flags"]["item9_self_harm"]["state"] == "positive"
    assert scores["phq9"]["result_id"] == phq.pk


def test_drafts_are_not_scores(jannick, ana, north):
    session = services.session_start(
        actor=ana,
        patient=jannick,
        episode=jannick.episodes.get(),
        time_point="first_visit",
        instrument_keys=["pcs"],
    )
    services.administration_save_draft(
        actor=ana, administration=session.administrations.get(), answers=answers_all("pcs", 4)
    )
    assert selectors.latest_scores(jannick) == {}


def test_latest_scores_use_the_amended_values(jannick, ana):
    result = signed_result(patient=jannick, key="pcs", answers=answers_all("pcs", 3), actor=ana)
    corrected = {**answers_all("pcs", 3), "1": 0}
    services.administration_amend(
        actor=ana,
        administration=result,
        answers=corrected,
        reason="Item 1 was ticked on the wrong line",
    )
    assert selectors.latest_scores(jannick)["pcs"]["total"] == 36


def test_an_unscorable_signed_result_is_not_a_latest_score(jannick, ana):
    signed_result(
        patient=jannick,
        key="pcs",
        answers=answers_all("pcs", 3),
        actor=ana,
        on=TODAY - timedelta(days=5),
    )
    signed_result(patient=jannick, key="pcs", answers={"1": 2}, actor=ana)
    assert selectors.latest_scores(jannick)["pcs"]["total"] == 39


def test_latest_scores_take_one_query_whatever_the_number_of_results(jannick, ana):
    for days in (30, 20, 10):
        for key in ("tsk11", "pcs", "phq9"):
            signed_result(
                patient=jannick,
                key=key,
                answers=answers_all(key, 2),
                actor=ana,
                on=TODAY - timedelta(days=days),
            )
    with CaptureQueriesContext(connection) as queries:
        selectors.latest_scores(jannick)
        selectors.reliable_change_for(jannick)
    assert len(queries) == 2


def test_jannicks_fear_of_movement_reliably_improved_after_exposure(jannick, ana):
    # TSK-11 SEM 2.54 (Woby 2005, instruments.md §4): reliable change needs >= 1.96*sqrt(2)*2.54 = 7.04
    signed_result(
        patient=jannick,
        key="tsk11",
        answers=answers_all("tsk11", 3),
        actor=ana,
        on=TODAY - timedelta(days=90),
    )  # 33
    signed_result(patient=jannick, key="tsk11", answers=answers_all("tsk11", 2), actor=ana)  # 22
    rci = selectors.reliable_change_for(jannick)["tsk11"]
    assert rci["classification"] == "reliably_improved"
    assert rci["baseline"]["total"] == 33
    assert rci["latest"]["total"] == 22
    assert rci["difference"] == -11
    assert rci["smallest_reliable_change"] == pytest.approx(7.04, abs=0.01)


def test_a_small_change_is_no_reliable_change_and_a_rise_is_deterioration(jannick, susan, ana):
    first = answers_all("tsk11", 2)
    signed_result(
        patient=jannick, key="tsk11", answers=first, actor=ana, on=TODAY - timedelta(days=9)
    )
    signed_result(patient=jannick, key="tsk11", answers={**first, "1": 4, "2": 4}, actor=ana)
    assert selectors.reliable_change_for(jannick)["tsk11"]["classification"] == "no_reliable_change"
    signed_result(
        patient=susan, key="tsk11", answers=first, actor=ana, on=TODAY - timedelta(days=9)
    )
    signed_result(patient=susan, key="tsk11", answers=answers_all("tsk11", 3), actor=ana)
    assert (
        selectors.reliable_change_for(susan)["tsk11"]["classification"] == "reliably_deteriorated"
    )


def test_rci_is_not_available_with_one_result_or_without_parameters(jannick, ana):
    signed_result(patient=jannick, key="tsk11", answers=answers_all("tsk11", 3), actor=ana)
    signed_result(
        patient=jannick,
        key="peg",
        answers=answers_all("peg", 7),
        actor=ana,
        on=TODAY - timedelta(days=30),
    )
    signed_result(patient=jannick, key="peg", answers=answers_all("peg", 3), actor=ana)
    rci = selectors.reliable_change_for(jannick)
    assert rci["tsk11"]["classification"] == "not_available"
    assert rci["tsk11"]["reason"] == selectors.REASON_ONE_RESULT
    if not any(
        p.score == "total" for p in __import__("assessment.instruments").instruments.get("peg").rci
    ):
        assert rci["peg"]["classification"] == "not_available"
        assert "reliable-change parameters" in rci["peg"]["reason"]
