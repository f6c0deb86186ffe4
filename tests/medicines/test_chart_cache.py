"""Jannick's medicines charts come from the chart cache (issue #16): Ana's second look draws
nothing; a signed taper plan is new data and the OME chart is drawn anew; the pre-render job
draws both charts once."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from medicines import charts, tasks

pytestmark = pytest.mark.django_db


@pytest.fixture
def drawn(monkeypatch):
    calls: list[str] = []
    for name in ("ome_chart", "ome_outcomes_chart"):
        real = getattr(charts, name)

        def counting(*args, _real=real, _name=name):
            calls.append(_name)
            return _real(*args)

        monkeypatch.setattr(charts, name, counting)
    return calls


def _taper(start: date) -> dict:
    return {
        "version": "0",
        "start_date": start.isoformat(),
        "start_dose": "60",
        "target_dose": "30",
        "percent": "10",
        "basis": "current",
        "interval_days": "28",
        "reason": "No meaningful gain in function at this dose",
        "shared_decision": "Jannick agrees to reduce slowly and to pause if sleep worsens",
    }


def test_the_ome_chart_is_drawn_once_until_a_taper_plan_changes_it(client, ana, jannick, drawn):
    client.force_login(ana)
    url = reverse("medicines:ome_chart", kwargs={"patient_id": jannick.pk})
    first = client.get(url)
    assert first.status_code == 200
    assert first["Content-Type"] == "image/svg+xml"
    assert client.get(url).content == first.content
    assert drawn == ["ome_chart"]
    taper = reverse("medicines:taper", kwargs={"patient_id": jannick.pk})
    assert client.post(taper, _taper(date.today() - timedelta(days=10))).status_code == 302
    assert client.get(url).content != first.content
    assert drawn == ["ome_chart", "ome_chart"]


def test_the_pre_render_job_draws_each_medicines_chart_once(ana, jannick, drawn):
    assert tasks.prerender_charts(str(jannick.pk)) == 2
    assert tasks.prerender_charts(str(jannick.pk)) == 2
    assert sorted(drawn) == ["ome_chart", "ome_outcomes_chart"]
