"""Template helpers: one way to show a score with its band (word + colour, never colour alone)."""

from __future__ import annotations

from django import template

register = template.Library()

CHANGE_WORDS = {
    "reliably_improved": ("Reliably improved", "improved"),
    "no_reliable_change": ("No reliable change", "unchanged"),
    "reliably_deteriorated": ("Reliably deteriorated", "deteriorated"),
    "not_available": ("Change not available", "na"),
}


@register.filter
def get(mapping, key):
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def number(value):
    if value is None or value == "":
        return "–"
    try:
        value = float(value)
    except (TypeError, ValueError):
        return value
    return str(int(value)) if value.is_integer() else f"{value:.1f}"


@register.inclusion_tag("assessment/_band.html")
def band(label, level, policy=False):
    return {"label": label, "level": level, "policy": policy}


@register.inclusion_tag("assessment/_change.html")
def change_badge(classification, reason=""):
    word, css = CHANGE_WORDS.get(classification or "", ("", ""))
    return {"word": word, "css": css, "reason": reason}
