"""The measure-over-time chart reads right: a CARE of 50 is not cut off by the frame, event
labels ("Referral") sit above the plot and never over a value, the title is the instrument's
name (not its version key), and any text is drawn literally."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from matplotlib.cbook import is_math_text

from assessment import charts
from tests.assessment.factories import answers_all, signed_result

CARE = {
    "title": "Consultation and Relational Empathy (CARE) measure",
    "range": [10, 50],
    "bands": [],
    "points": [["2026-01-05", 38], ["2026-02-05", 50]],
    "events": [["2026-01-04", "Referral"], ["2026-01-06", "Assessment"], ["2026-02-05", "Seen"]],
}


def _extents(spec):
    fig = charts.measure_figure(spec)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    return fig, ax, renderer


def test_a_score_on_the_ceiling_and_its_label_stay_inside_the_axes() -> None:
    _fig, ax, renderer = _extents(CARE)
    low, high = ax.get_ylim()
    assert low < 10
    assert high > 50
    frame = ax.get_window_extent(renderer)
    values = {
        t.get_text(): t.get_window_extent(renderer) for t in ax.texts if t.get_gid() != "event"
    }
    assert values["50"].y1 <= frame.y1
    assert values["50"].y0 >= frame.y0


def test_event_labels_sit_above_the_plot_and_never_on_each_other() -> None:
    _fig, ax, renderer = _extents(CARE)
    frame = ax.get_window_extent(renderer)
    events = [t for t in ax.texts if t.get_gid() == "event"]
    assert [t.get_text() for t in events] == ["Referral", "Assessment", "Seen"]
    boxes = [t.get_window_extent(renderer) for t in events]
    assert all(box.y0 >= frame.y1 for box in boxes)  # above the plot: never over a value
    for i, one in enumerate(boxes):
        for other in boxes[i + 1 :]:
            assert not one.overlaps(other)
    title = ax.title.get_window_extent(renderer)
    assert all(title.y0 >= box.y1 for box in boxes)


@pytest.mark.parametrize("text", ["$\\frac{", "$x$ and $\\frac{$"])
def test_chart_text_is_drawn_literally(text: str) -> None:
    spec = {**CARE, "title": text, "bands": [[10, 30, text, 1]], "events": [["2026-01-04", text]]}
    fig = charts.measure_figure(spec)
    texts = [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]
    assert not any(is_math_text(t) for t in texts)
    assert charts.render_measure_chart(spec).startswith(b"\x89PNG")


@pytest.mark.django_db
def test_the_chart_is_titled_with_the_instrument_s_name(client, jannick, ana, monkeypatch):
    signed_result(
        patient=jannick,
        key="nrs",
        answers=answers_all("nrs", 5),
        actor=ana,
        on=date.today() - timedelta(days=1),
    )
    drawn = []
    real = charts.render_measure_chart
    monkeypatch.setattr(charts, "render_measure_chart", lambda s: drawn.append(s) or real(s))
    client.force_login(ana)
    url = reverse("assessment:chart", kwargs={"patient_id": jannick.pk, "key": "nrs"})
    assert client.get(url).status_code == 200
    assert drawn[0]["title"] == "Numeric Rating Scale for pain intensity (0-10)"
    assert "generic-0-10" not in drawn[0]["title"]
