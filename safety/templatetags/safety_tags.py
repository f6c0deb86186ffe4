from __future__ import annotations

from django import template

from painclinic.access import AccessLevel
from programmes.policy import access_level
from safety import selectors

register = template.Library()


@register.inclusion_tag("safety/_banner.html", takes_context=True)
def safety_banner(context) -> dict:
    """The banner on every page of a patient's record (base.html shows it when the page has a
    ``patient``). A programme admin sees only that the participant needs clinical review, never
    the content (issue #10)."""
    patient = context.get("patient")
    request = context.get("request")
    user = getattr(request, "user", None)
    if patient is None or not getattr(patient, "pk", None) or not user or not user.is_authenticated:
        return {"show": False}
    state = selectors.banner(patient)
    if state is None:
        return {"show": False}
    level = access_level(user, patient)  # only when there is something to show
    if level == AccessLevel.NONE:
        return {"show": False}
    return {
        "show": state is not None,
        "state": state,
        "patient": patient,
        "pmp_only": level < AccessLevel.CLINICAL,
    }


@register.simple_tag
def needing_clinical_review(rows, path: str = "patient_id") -> set:
    """The patient ids of ``rows`` (each read along the dotted ``path``) with an open self-harm
    signal, in one query: programme pages say only "needs clinical review before the next
    session", never why (issue #10)."""
    ids = []
    for row in rows or ():
        for part in path.split("."):
            row = getattr(row, part)
        ids.append(row)
    return selectors.patients_with_open_signals(ids)


@register.inclusion_tag("safety/_crisis_contacts.html")
def crisis_contacts(
    link=None,
    prominent: bool = False,
    only_if_answered: bool = False,
    plan: bool = False,
    neutral: bool = False,
) -> dict:
    """The clinic's crisis contacts on a patient page; prominent (``If you are in danger now…``)
    when the patient has just answered a risk item above 0 through ``link``. With
    ``only_if_answered`` (the "Saved." note under the form) nothing shows otherwise."""
    if link is not None and selectors.link_answered_risk_item(link):
        prominent = True
    elif only_if_answered:
        return {"show": False}
    return {
        "show": True,
        "contacts": selectors.clinic_crisis_contacts(),
        "prominent": prominent,
        "plan": plan,  # the printed safety plan: the patient's own words, no "your answers"
        "neutral": neutral,  # a closed link: nothing was sent, so nothing about answers
    }
