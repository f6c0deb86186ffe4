"""The menu's links, rendered once per (language, URL prefix, menu entries shown, current page).

The links are the same for everyone with the same role-derived entries
(``painclinic.context_processors.navigation``) on the same page: no name, no count, no CSRF token
and no patient data is in them, so the rendered HTML is kept per process and reused. Rendering them
(~20 URL reversals and translations) was a fixed cost on every page (issue #16).
"""

from __future__ import annotations

from django import template
from django.conf import settings
from django.template.loader import get_template
from django.urls import get_script_prefix
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()

# The entries the menu shows, set by painclinic.context_processors.navigation.
FLAGS = (
    "nav_team_review",
    "nav_programmes",
    "nav_break_glass",
    "nav_can_browse_audit",
    "nav_item_text",
)
# A few hundred keys at most (pages x role combinations x languages); bounded all the same.
_MAX_ENTRIES = 2000
_rendered: dict[tuple, str] = {}


@register.simple_tag(takes_context=True)
def nav_links(context: template.Context) -> str:
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    values = {
        "nav_url_name": getattr(match, "url_name", None),
        "nav_namespace": getattr(match, "namespace", None),
        **{flag: bool(context.get(flag)) for flag in FLAGS},
    }
    key = (get_language(), get_script_prefix(), *values.values())
    html = _rendered.get(key)
    if html is None:
        html = get_template("painclinic/_nav_links.html").render(values).strip()
        if not settings.DEBUG:  # edited templates show at once while developing
            if len(_rendered) >= _MAX_ENTRIES:
                _rendered.clear()
            _rendered[key] = html
    return mark_safe(html)
