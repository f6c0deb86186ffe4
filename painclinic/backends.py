"""Log-in by username whatever its case: "Ana" and "ANA" are ana.

Usernames are unique case-insensitively (painclinic/models.py, user_username_unique_ci), so the
case-insensitive lookup finds at most one account. django-axes counts failures per username: its
AXES_USERNAME_CALLABLE (``axes_username`` below) lower-cases the typed name, so five failures as
"ANA" and "ana" lock the same account.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from painclinic import mfa


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
        devices in the same query (``painclinic.mfa.with_confirmed_devices``; issue #16)."""
        model = get_user_model()
        try:
            user = mfa.with_confirmed_devices(model._default_manager.all()).get(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


def axes_username(request, credentials) -> str:
    """The username django-axes counts failures for: lower-cased, as the log-in matches it."""
    name = (credentials or {}).get("username") if credentials else None
    if name is None and request is not None:
        name = request.POST.get("username")
    return (name or "").strip().lower()
