"""The treatment charts as the pages, PDFs and the pre-render job get them: the data each chart
draws, read once from the selectors, and the chart from the one chart cache
(painclinic/chart_cache.py), drawn by treatment/charts.py only when that data has not been drawn
before (issue #16: no page draws a chart in the request once it is warm).

``*_data`` return the renderer's arguments as plain values: exactly what is drawn, so exactly
what the cache key hashes. Raise ``CHART_VERSION`` when treatment/charts.py draws differently.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from painclinic.chart_cache import Chart, cached_chart
from patients.models import Episode
from treatment import charts, selectors

if TYPE_CHECKING:
    from patients.models import Patient
    from treatment.models import ExposureSession, HierarchyItem

CHART_VERSION = 1


def gas_data(history: list[selectors.GasPoint]) -> tuple[Any, ...]:
    return ([(p.label, p.t_score, p.on) for p in history],)


def exposure_data(sessions: list[ExposureSession]) -> tuple[Any, ...]:
    rows = [
        (s.session_number, s.item.activity, s.expectancy_before, s.expectancy_after, s.fear_peak)
        for s in sessions
    ]
    return (rows,)


def hierarchy_data(items: list[HierarchyItem]) -> tuple[Any, ...]:
    by_item = {s.item: s.mean_violation for s in selectors.exposure_summary(items).items}
    retired = _(" (retired)")
    rows = [
        (
            i.activity + (retired if i.is_retired else ""),
            float(i.fear_rating),
            by_item.get(i.activity),
        )
        for i in items
    ]
    return (rows,)


def pacing_data(overview: selectors.PacingOverview) -> tuple[Any, ...]:
    o = overview
    return (list(o.daily), list(o.done), o.plan.unit, o.plan.activity)


def gas_chart(history: list[selectors.GasPoint]) -> Chart:
    return cached_chart("treatment.gas", gas_data(history), charts.gas_chart, version=CHART_VERSION)


def exposure_chart(sessions: list[ExposureSession]) -> Chart:
    return cached_chart(
        "treatment.exposure", exposure_data(sessions), charts.exposure_chart, version=CHART_VERSION
    )


def hierarchy_chart(items: list[HierarchyItem]) -> Chart:
    return cached_chart(
        "treatment.hierarchy", hierarchy_data(items), charts.hierarchy_chart, version=CHART_VERSION
    )


def pacing_chart(overview: selectors.PacingOverview) -> Chart:
    return cached_chart(
        "treatment.pacing", pacing_data(overview), charts.pacing_chart, version=CHART_VERSION
    )


def gas_chart_of(patient: Patient) -> Chart:
    return gas_chart(
        selectors.gas_history(selectors.goals_for(Episode.objects.current_for(patient)))
    )


def prerender(patient: Patient) -> list[str]:
    """Draw every treatment chart of ``patient`` that is not cached yet (the pre-render job);
    the keys, for logs and tests."""
    items = selectors.hierarchy_for(patient)
    drawn = [
        gas_chart_of(patient),
        exposure_chart(selectors.sessions_for(items)),
        hierarchy_chart(items),
    ]
    drawn += [pacing_chart(o) for o in selectors.pacing_overviews(patient)]
    return [chart.key for chart in drawn]
