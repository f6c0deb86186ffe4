"""Treatment charts come from the chart cache (issue #16): Ana's second look at Jannick's
exposure chart does not draw it again; a new session draws it anew; the summary PDF reuses what
the page drew; access and the audit trail are as before; the pre-render job draws once."""

from __future__ import annotations

import pytest
from django.urls import reverse

from painclinic.celery import app as celery_app
from painclinic.models import AuditAction, AuditEvent
from tests.treatment.factories import (
    exposure_session_for,
    goal_for,
    hierarchy_item_for,
    pacing_plan_for,
    review_for,
)
from treatment import charts, figures, tasks

pytestmark = pytest.mark.django_db


@pytest.fixture
def drawn(monkeypatch):
    """Every call of a treatment chart renderer, by name."""
    calls: list[str] = []
    for name in ("gas_chart", "exposure_chart", "hierarchy_chart", "pacing_chart"):
        real = getattr(charts, name)

        def counting(*args, _real=real, _name=name):
            calls.append(_name)
            return _real(*args)

        monkeypatch.setattr(charts, name, counting)
    return calls


def _url(name, patient, **kwargs):
    return reverse(f"treatment:{name}", kwargs={"patient_id": patient.pk, **kwargs})


def test_the_second_look_at_the_exposure_chart_does_not_draw_it(client, ana, jannick, drawn):
    item = hierarchy_item_for(jannick, ana)
    exposure_session_for(item, ana, before=80, after=30)
    client.force_login(ana)
    first = client.get(_url("exposure_chart", jannick))
    second = client.get(_url("exposure_chart", jannick))
    assert first.status_code == second.status_code == 200
    assert first["Content-Type"] == "image/svg+xml"
    assert second.content == first.content
    assert "no-store" in second["Cache-Control"]  # never kept by a browser or proxy
    assert drawn == ["exposure_chart"]


def test_a_new_session_is_new_data_and_the_chart_is_drawn_again(client, ana, jannick, drawn):
    item = hierarchy_item_for(jannick, ana)
    exposure_session_for(item, ana, before=80, after=30)
    client.force_login(ana)
    first = client.get(_url("exposure_chart", jannick)).content
    exposure_session_for(item, ana, before=60, after=20)
    again = client.get(_url("exposure_chart", jannick)).content
    assert drawn == ["exposure_chart", "exposure_chart"]
    assert again != first
    sessions = figures.selectors.sessions_for(figures.selectors.hierarchy_for(jannick))
    assert figures.exposure_chart(sessions).content.encode() == again  # the newest is stored
    assert drawn == ["exposure_chart", "exposure_chart"]


def test_every_treatment_chart_is_drawn_once_for_the_same_data(client, ana, jannick, drawn):
    goal = goal_for(jannick, ana)
    review_for(goal, ana, level=0)
    hierarchy_item_for(jannick, ana)
    plan = pacing_plan_for(jannick, ana)
    client.force_login(ana)
    urls = [
        _url("gas_chart", jannick),
        _url("hierarchy_chart", jannick),
        _url("exposure_chart", jannick),
        _url("pacing_chart", jannick, pacing_id=plan.pk),
    ]
    for _ in range(3):
        for url in urls:
            assert client.get(url).status_code == 200
    assert sorted(drawn) == ["exposure_chart", "gas_chart", "hierarchy_chart", "pacing_chart"]


def test_a_cached_chart_is_still_audited_and_still_hidden_from_charlie(
    client, ana, charlie, jannick, drawn
):
    hierarchy_item_for(jannick, ana)
    url = _url("hierarchy_chart", jannick)
    client.force_login(ana)
    for _ in range(2):
        before = AuditEvent.objects.filter(patient=jannick, action=AuditAction.VIEW).count()
        assert client.get(url).status_code == 200
        after = AuditEvent.objects.filter(patient=jannick, action=AuditAction.VIEW).count()
        assert after == before + 1  # one view event per look, drawn or read from the cache
    client.force_login(charlie)
    response = client.get(url)
    assert response.status_code == 404
    assert b"Lifting" not in response.content
    assert AuditEvent.objects.filter(
        actor=charlie, action=AuditAction.DENIED, patient=jannick
    ).exists()
    assert drawn == ["hierarchy_chart"]


def test_the_summary_pdf_embeds_the_chart_the_page_drew(client, ana, jannick, drawn):
    item = hierarchy_item_for(jannick, ana)
    exposure_session_for(item, ana)
    client.force_login(ana)
    client.get(_url("exposure_chart", jannick))
    pdf = client.get(_url("summary_pdf", jannick))
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    assert drawn == ["exposure_chart"]  # the PDF read it; nothing drawn for the PDF


def test_the_pre_render_job_draws_each_chart_once(ana, jannick, drawn):
    goal = goal_for(jannick, ana)
    review_for(goal, ana, level=1)
    item = hierarchy_item_for(jannick, ana)
    exposure_session_for(item, ana)
    pacing_plan_for(jannick, ana)
    assert tasks.prerender_charts(str(jannick.pk)) == 4
    assert sorted(drawn) == ["exposure_chart", "gas_chart", "hierarchy_chart", "pacing_chart"]
    assert tasks.prerender_charts(str(jannick.pk)) == 4  # a redelivery: all cached
    assert len(drawn) == 4


def test_the_pre_render_job_of_a_patient_who_is_gone_does_nothing(drawn):
    assert tasks.prerender_charts("00000000-0000-0000-0000-000000000000") == 0
    assert drawn == []


def test_a_save_asks_the_worker_to_draw_after_its_commit(
    ana, jannick, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(
        tasks.prerender_charts, "apply_async", lambda args, **options: sent.append(args)
    )
    celery_app.conf.task_always_eager = False  # a real worker (_eager_celery puts it back)
    with django_capture_on_commit_callbacks(execute=True):
        item = hierarchy_item_for(jannick, ana)
        assert sent == []
    assert sent == [(str(jannick.pk),)]
    with django_capture_on_commit_callbacks(execute=True):
        exposure_session_for(item, ana)
    assert sent[-1] == (str(jannick.pk),)
