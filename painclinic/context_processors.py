from __future__ import annotations

from typing import TYPE_CHECKING

from painclinic.access import (
    can_break_glass,
    can_browse_audit,
    can_manage_item_text,
    can_run_programmes,
)
from painclinic.models import Role

if TYPE_CHECKING:
    from django.http import HttpRequest

# The second-step pages of a session not yet verified show no menu: nothing in it opens yet.
_MFA_STEP_PAGES = ("mfa_verify", "mfa_setup")


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    match = getattr(request, "resolver_match", None)
    verified = bool(getattr(user, "is_verified", None) and user.is_verified())
    return {
        "nav_can_browse_audit": can_browse_audit(user),
        "nav_team_review": bool(user and user.is_authenticated and user.role == Role.TEAM_LEAD),
        "nav_programmes": can_run_programmes(user),
        "nav_break_glass": can_break_glass(user),
        "nav_item_text": can_manage_item_text(user),
        "nav_mfa_step": bool(match and match.view_name in _MFA_STEP_PAGES and not verified),
        # Set by painclinic.access when this page's patient is open only by emergency access.
        "break_glass": getattr(request, "break_glass", None),
    }
