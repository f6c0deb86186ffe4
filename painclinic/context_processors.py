from __future__ import annotations

from django.http import HttpRequest

from painclinic.access import can_browse_audit, can_run_programmes
from painclinic.models import Role


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    return {
        "nav_can_browse_audit": can_browse_audit(user),
        "nav_team_review": bool(user and user.is_authenticated and user.role == Role.TEAM_LEAD),
        "nav_programmes": can_run_programmes(user),
    }
