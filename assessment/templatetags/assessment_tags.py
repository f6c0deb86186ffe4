"""Template helpers: one way to show a score with its band (word + colour, never colour alone),
the name of a score, and an instrument's sources in the clinic's words."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

from assessment import instruments, provenance

register = template.Library()

# Scores computed beside an instrument's rules: the EQ-5D-5L index from the clinic's value set.
EXTRA_SCORE_LABELS = {"index": _("index value")}

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


@register.filter
def is_category_result(key):
    """Whether an instrument's result is a category printed in words only (the PGIC)."""
    return key in instruments.CATEGORY_RESULT


@register.filter
def index_value(value):
    """An EQ-5D-5L index as value sets publish it: three decimals ("0.734", "-0.125")."""
    if value is None or value == "":
        return "–"
    try:
        return f"{float(value):.3f}"
    except (TypeError, ValueError):
        return value


@register.filter
def score_label(key, score_id):
    """The definition's name of a subscale or derived score ("physical_activity" ->
    "Physical activity", "phq2" -> "PHQ-2"); never the internal id."""
    try:
        rule = instruments.get(key).score_rule(score_id)
    except KeyError:
        rule = None
    if rule is None and score_id in EXTRA_SCORE_LABELS:  # scores outside the rules (EQ-5D index)
        label = str(EXTRA_SCORE_LABELS[score_id])
    else:
        label = rule.label if rule is not None else str(score_id).replace("_", " ")
    return label[:1].upper() + label[1:]


@register.filter
def readable_note(note):
    return provenance.readable_note(note)


@register.filter
def readable_source(text):
    return provenance.readable_source(text)


@register.filter
def readable_version(version):
    return provenance.readable_version(version)


@register.inclusion_tag("assessment/_band.html")
def band(label, level, policy=False, outcome=False):
    # A band label may already say it is policy ("High fear of movement (clinic policy)"): the
    # marker is then left out rather than read "... (clinic policy) policy" (issue #9).
    policy = bool(policy) and "policy" not in str(label or "").lower()
    return {"label": label, "level": level, "policy": policy, "outcome": outcome}


@register.inclusion_tag("assessment/_change.html")
def change_badge(classification, reason=""):
    word, css = CHANGE_WORDS.get(classification or "", ("", ""))
    return {"word": word, "css": css, "reason": reason}


@register.inclusion_tag("assessment/_sources.html")
def sources_and_policy(definition, open_=False):
    return {"sources": provenance.sources_and_policy(definition), "open": open_}
