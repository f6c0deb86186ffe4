from __future__ import annotations

from django.http import HttpRequest

from painclinic.access import can_browse_audit


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    return {"nav_can_browse_audit": can_browse_audit(user)}
