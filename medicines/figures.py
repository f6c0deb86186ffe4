"""The medicines charts as the pages and the pre-render job get them: the data each chart draws,
read once from the selectors, and the chart from the one chart cache
(painclinic/chart_cache.py), drawn by medicines/charts.py only when that data has not been drawn
before (issue #16).

``*_data`` return the renderer's arguments as plain values: exactly what is drawn, today's date
included (the recorded dose runs to today), so the key changes when the drawing would. Raise
``CHART_VERSION`` when medicines/charts.py draws differently.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from assessment.selectors import signed_results
from medicines import charts, selectors
from medicines.core.products import TABLES
from painclinic.chart_cache import Chart, cached_chart

if TYPE_CHECKING:
    from patients.models import Patient

CHART_VERSION = 1


def _planned(view: dict) -> list:
    plan, schedule = view["taper"], view["taper_schedule"]
    if plan is None:
        return []
    points = [(plan.start_date, float(plan.start_dose))]
    points += [(s.on, s.dose_after) for s in schedule]
    if schedule:
        points.append(
            (schedule[-1].on + timedelta(days=plan.interval_days), schedule[-1].dose_after)
        )
    return points


def ome_data(patient: Patient, today: date) -> tuple[Any, ...]:
    view = selectors.taper_view(patient)
    figure = selectors.latest_ome(patient)
    table = TABLES[figure.table] if figure else None
    thresholds = [
        (t.ome, _("%(n)s mg a day") % {"n": f"{t.ome:g}"})
        for t in (table.thresholds if table else ())
    ]
    return (
        selectors.ome_series(patient),
        _planned(view),
        [(s.on, float(s.dose_after)) for s in view["taper_steps"]],
        thresholds,
        today,
    )


def ome_outcomes_data(patient: Patient, today: date) -> tuple[Any, ...]:
    results = signed_results(patient)
    outcomes = {
        "NRS": [(r.date, r.total) for r in results.get("nrs", []) if r.total is not None],
        "PEG": [(r.date, r.total) for r in results.get("peg", []) if r.total is not None],
        "BPI interference": [
            (r.date, r.score.get("subscales", {}).get("interference"))
            for r in results.get("bpi", [])
            if r.score.get("subscales", {}).get("interference") is not None
        ],
    }
    return (
        selectors.ome_series(patient),
        outcomes,
        _planned(selectors.taper_view(patient)),
        today,
    )


def ome_chart(patient: Patient, *, today: date | None = None) -> Chart:
    data = ome_data(patient, today or date.today())
    return cached_chart("medicines.ome", data, charts.ome_chart, version=CHART_VERSION)


def ome_outcomes_chart(patient: Patient, *, today: date | None = None) -> Chart:
    data = ome_outcomes_data(patient, today or date.today())
    return cached_chart(
        "medicines.ome_outcomes", data, charts.ome_outcomes_chart, version=CHART_VERSION
    )


def prerender(patient: Patient) -> list[str]:
    """Draw the patient's medicines charts that are not cached yet (the pre-render job)."""
    return [ome_chart(patient).key, ome_outcomes_chart(patient).key]
