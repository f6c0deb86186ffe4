from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.http import HttpRequest

from safety.selectors import unread_count


def notifications(request: HttpRequest) -> dict:
    """The unread count in the navigation: a callable, so the query runs only on pages that show
    the navigation (templates call it), once per page."""
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return {}

    @cache
    def unread() -> int:
        return unread_count(user)

    return {"nav_notifications_unread": unread}
