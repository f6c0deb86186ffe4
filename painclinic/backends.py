"""Log-in by username whatever its case: "Ana" and "ANA" are ana.

Usernames are unique case-insensitively (painclinic/models.py, user_username_unique_ci), so the
case-insensitive lookup finds at most one account. django-axes counts failures per username: its
AXES_USERNAME_CALLABLE (``axes_username`` below) lower-cases the typed name, so five failures as
"ANA" and "ana" lock the same account.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import connection
from django.db.models.expressions import RawSQL

from painclinic import mfa

if TYPE_CHECKING:
    from collections.abc import Callable


class CaseInsensitiveModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        model = get_user_model()
        if username is None:
            username = kwargs.get(model.USERNAME_FIELD)
        if username is None or password is None:
            return None
        lookup = {f"{model.USERNAME_FIELD}__iexact": username.strip()}
        try:
            user = model._default_manager.get(**lookup)
        except (model.DoesNotExist, model.MultipleObjectsReturned):
            # Same work as a real check, so timing does not tell which usernames exist
            # (as django.contrib.auth.backends.ModelBackend).
            model().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id):
        """The session's user (every request), with the ids of their confirmed second-factor
        devices (``painclinic.mfa.with_confirmed_devices``) and the answers of
        ``USER_QUERY_EXTRAS`` in the same query (issue #16)."""
        model = get_user_model()
        if not settings.AUTH_USER_QUERY_EXTRAS:
            return super().get_user(user_id)
        users = mfa.with_confirmed_devices(model._default_manager.all())
        if USER_QUERY_EXTRAS and connection.vendor == "postgresql":
            users = users.annotate(**{n: RawSQL(sql(), ()) for n, sql in USER_QUERY_EXTRAS.items()})
        try:
            user = users.get(pk=user_id)
        except model.DoesNotExist:
            return None
        # When those answers were read (``time.monotonic_ns``): a reader of one knows whether
        # this process changed what it answers since (safety.selectors.unread_count).
        user.read_at_ns = time.monotonic_ns()
        return user if self.user_can_authenticate(user) else None


# Questions every page asks about its user, from apps above this one (their AppConfig.ready
# registers them: safety/apps.py, the navigation's unread notifications), answered by the
# user query itself instead of a query each (issue #16). Name of the user's attribute -> a
# function giving the SQL of the answer, an expression over the "painclinic_user" row.
# PostgreSQL only; elsewhere the attribute is absent and the reader asks the database.
USER_QUERY_EXTRAS: dict[str, Callable[[], str]] = {}


def axes_username(request, credentials) -> str:
    """The username django-axes counts failures for: lower-cased, as the log-in matches it."""
    name = (credentials or {}).get("username") if credentials else None
    if name is None and request is not None:
        name = request.POST.get("username")
    return (name or "").strip().lower()
