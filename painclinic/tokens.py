"""Tokens for links a patient opens without an account (self-report and daily diary).

The token is shown once and never stored: only its SHA-256 is, so a database leak yields no
usable link (STYLE.md §3.6; the idea of PasswordResetTokenGenerator made explicit).
"""

from __future__ import annotations

import hashlib
import secrets


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token() -> tuple[str, str]:
    """A new random token (256 bits, URL-safe) and the hash to store."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)
