"""The medication section of the GP letter and the printable summary (issue #11), as an inclusion
tag so that the treatment documents need one line each and no change to their views."""

from __future__ import annotations

from datetime import date

from django import template

from medicines import selectors
from medicines.core.taper import opioid_dose

register = template.Library()


@register.inclusion_tag("medicines/_letter_section.html")
def medication_section(patient, heading_class: str = "h6", for_patient: bool = False):
    """For the GP: the list, the daily OME with its table and warnings, the taper. For the
    patient's own summary: the list and the taper in plain words."""
    today = date.today()
    versions = selectors.latest_versions(patient)
    figure = selectors.latest_ome(patient)
    current = [v for v in versions if v.active_on(today)]
    taper = selectors.current_taper(patient)
    return {
        "current": current,
        "ome": figure,
        "ome_result": figure.result if figure else None,
        "taper": taper,
        "taper_opioid": selectors.taper_opioid(patient, taper, current),
        "heading_class": heading_class,
        "for_patient": for_patient,
    }


@register.inclusion_tag("medicines/_beside_flag.html")
def medicines_beside_flag(patient):
    """Beside the orange flags (psychiatric, incl. substance misuse) on the assessment pages: the
    patient's current daily OME with its warnings and a link to the medication record, so the
    flag leads somewhere (issue #11). One query: the latest stored figure."""
    figure = selectors.latest_ome(patient)
    result = figure.result if figure else None
    return {
        "patient": patient,
        "ome": figure if result and result.get("lines") else None,
        "ome_result": result,
    }


@register.filter
def in_opioid(ome, taper_opioid) -> str:
    """A taper's daily OME as mg of the one opioid being tapered, rounded by the clinic's rule
    (core.taper.opioid_dose): '35' (whole tablets) or '32.4'. Empty where there is no such
    opioid."""
    if not taper_opioid or ome is None:
        return ""
    dose = opioid_dose(float(ome), taper_opioid["factor"], taper_opioid["strengths"])
    return f"{dose.practical:g}"
