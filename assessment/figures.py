"""The measure charts of the profile as the page and the pre-render job get them: everything a
chart draws as plain data (``chart_spec``), and the PNG from the one chart cache
(painclinic/chart_cache.py through assessment/charts.py), drawn only when that data has not been
drawn before (issue #16)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from assessment import charts, instruments, selectors, yellow_flags
from patients.models import EpisodeStatusChange

if TYPE_CHECKING:
    from painclinic.chart_cache import Chart
    from patients.models import Patient


def treatment_events(patient: Patient) -> list[tuple]:
    """Events marked on the charts: episode status changes and matched-care decisions."""
    events = [
        (change.changed_on, change.get_to_status_display())
        for change in EpisodeStatusChange.objects.filter(episode__patient=patient)
    ]
    events += [
        (
            decision.decided_at.date(),
            _("Pathway: %(p)s") % {"p": decision.get_chosen_pathway_display()},
        )
        for decision in patient.matched_care_decisions.all()
    ]
    return sorted(events, key=lambda e: e[0])


def chart_spec(
    patient: Patient, key: str, series: list[tuple], events: list[tuple] | None = None
) -> dict:
    """Everything the chart of instrument ``key`` draws (the cache key hashes exactly this)."""
    definition = instruments.get(key)
    rule = definition.score_rule(definition.primary) if definition.primary else None
    bands = []
    low, high = rule.range if rule else (0, 1)
    if rule is not None and rule.bands:
        bands = [[b.min, b.max, b.label, b.level] for b in rule.bands]
    else:
        bands = [
            [lo, hi, label, level]
            for lo, hi, _n, label, level in yellow_flags.POLICY_BANDS.get((key, "total"), ())
        ]
    if events is None:
        events = treatment_events(patient)
    return {
        # The instrument's name as the clinic says it; the definition's version key
        # ("generic-0-10", "Hill2008") is provenance, not a title (issue #9).
        "title": definition.name,
        "range": [low, high],
        "bands": bands,
        "points": [[day.isoformat(), total] for day, total, _id in series if total is not None],
        "events": [[day.isoformat(), label] for day, label in events],
    }


def _known(key: str) -> bool:
    try:
        instruments.get(key)
    except KeyError:
        return False
    return True


def measure_chart(patient: Patient, key: str) -> Chart | None:
    """The PNG chart of the patient's signed ``key`` results; None when there are none (or no
    such instrument)."""
    series = selectors.signed_results(patient).get(key)
    if not series or not _known(key):
        return None
    spec = chart_spec(patient, key, [(r.date, r.total, r.result_id) for r in series])
    return charts.cached_chart(spec)


def prerender(patient: Patient) -> list[str]:
    """Draw every measure chart of ``patient`` not cached yet (the pre-render job)."""
    events = treatment_events(patient)
    keys = []
    for key, series in selectors.signed_results(patient).items():
        if series and _known(key):
            rows = [(r.date, r.total, r.result_id) for r in series]
            keys.append(charts.cached_chart(chart_spec(patient, key, rows, events)).key)
    return keys
