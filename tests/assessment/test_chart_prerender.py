"""After a signed result the pre-render job draws each of the patient's measure charts once
(issue #16); the profile's chart then comes from the chart cache."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from assessment import charts, instruments, tasks
from tests.assessment.factories import answers_all, signed_result

pytestmark = pytest.mark.django_db


def test_the_job_draws_each_measure_chart_once_and_the_profile_reads_it(
    client, ana, jannick, monkeypatch
):
    on = date.today() - timedelta(days=3)
    signed_result(patient=jannick, key="tsk11", answers=answers_all("tsk11", 3), actor=ana, on=on)
    signed_result(patient=jannick, key="pcs", answers=answers_all("pcs", 2), actor=ana, on=on)
    drawn = []
    real = charts.render_measure_chart
    monkeypatch.setattr(charts, "render_measure_chart", lambda s: drawn.append(s) or real(s))
    assert tasks.prerender_charts(str(jannick.pk)) == 2
    assert tasks.prerender_charts(str(jannick.pk)) == 2  # a redelivery draws nothing
    names = sorted(instruments.get(key).name for key in ("pcs", "tsk11"))
    assert sorted(spec["title"] for spec in drawn) == names
    client.force_login(ana)
    url = reverse("assessment:chart", kwargs={"patient_id": jannick.pk, "key": "tsk11"})
    response = client.get(url)
    assert response.status_code == 200
    assert response.content.startswith(b"\x89PNG")
    assert len(drawn) == 2
