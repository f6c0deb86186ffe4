"""The rNPQ on Jannick's profile: once the clinic has supplied its scoring key, the rNPQ before
and after pain education is charted beside the TSK and the PCS, on its 0-12 scale with no bands
(no cut-off is published). Without the key the answers are signed and kept, the result reads
"cannot be scored: the scoring key is not supplied", and no chart is drawn from nothing.

The key below is MADE UP for the test; it is not the licensed key."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from assessment import instruments
from assessment.instruments import rnpq
from tests.assessment.factories import answers_all, signed_result

TEST_KEY = {str(i): i % 2 == 0 for i in range(1, 13)}


@pytest.fixture
def clinic_key():
    previous = instruments.use_clinic_definition(rnpq.with_key(TEST_KEY))
    yield
    instruments.use_clinic_definition(previous)


def _answers(correct_items: int) -> dict[str, int]:
    """The first ``correct_items`` statements answered as the key says, the rest undecided."""
    return {
        str(i): (rnpq.TRUE if TEST_KEY[str(i)] else rnpq.FALSE)
        if i <= correct_items
        else rnpq.UNDECIDED
        for i in range(1, 13)
    }


@pytest.mark.django_db
def test_rnpq_change_is_charted_beside_tsk_and_pcs(client, jannick, ana, clinic_key):
    before, after = date.today() - timedelta(days=40), date.today() - timedelta(days=2)
    for on in (before, after):
        signed_result(
            patient=jannick, key="tsk11", answers=answers_all("tsk11", 3), actor=ana, on=on
        )
        signed_result(patient=jannick, key="pcs", answers=answers_all("pcs", 2), actor=ana, on=on)
    first = signed_result(patient=jannick, key="rnpq", answers=_answers(4), actor=ana, on=before)
    second = signed_result(patient=jannick, key="rnpq", answers=_answers(10), actor=ana, on=after)
    assert (first.score["total"], second.score["total"]) == (4, 10)
    assert first.score["band"] is None

    client.force_login(ana)
    page = client.get(reverse("assessment:profile", kwargs={"patient_id": jannick.pk}))
    keys = page.context["chart_keys"]
    assert keys.index("rnpq") == keys.index("pcs") + 1 == keys.index("tsk11") + 2
    chart = client.get(
        reverse("assessment:chart", kwargs={"patient_id": jannick.pk, "key": "rnpq"})
    )
    assert chart.status_code == 200
    assert chart["Content-Type"] == "image/png"


@pytest.mark.django_db
def test_without_the_key_the_answers_are_kept_and_nothing_is_charted(client, jannick, ana):
    signed = signed_result(patient=jannick, key="rnpq", answers=_answers(12), actor=ana)
    assert signed.score["scorable"] is False
    assert "scoring key is not supplied" in signed.score["reason"]
    assert signed.answers["1"] == _answers(12)["1"]

    client.force_login(ana)
    page = client.get(reverse("assessment:profile", kwargs={"patient_id": jannick.pk}))
    assert "rnpq" not in page.context["chart_keys"]
    chart = client.get(
        reverse("assessment:chart", kwargs={"patient_id": jannick.pk, "key": "rnpq"})
    )
    assert chart.status_code == 404
