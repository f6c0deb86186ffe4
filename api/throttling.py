"""Rate limits per user and per token (security.md F10 anti-automation; README table)."""

from __future__ import annotations

from rest_framework.throttling import SimpleRateThrottle

from api.models import ApiToken


class PerTokenOrUserThrottle(SimpleRateThrottle):
    """One bucket per token (a device cannot starve its owner's other tokens), else per user."""

    scope = "token_or_user"

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class WriteThrottle(PerTokenOrUserThrottle):
    """Writes (drafts, measurements, amendments) have their own, lower limit."""

    scope = "writes"

    def allow_request(self, request, view):
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        return super().allow_request(request, view)
