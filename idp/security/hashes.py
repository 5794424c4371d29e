"""Digests for high-entropy secrets and constant-time comparison.

Client secrets, refresh tokens, session ids and one-time codes are random values from
``secrets``; a keyed SHA-256 digest is enough at rest for them (passwords use argon2id).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_token(nbytes: int = 32) -> str:
    """A URL-safe random token with ``nbytes`` bytes of CSPRNG entropy."""
    return secrets.token_urlsafe(nbytes)


def secret_digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def constant_time_equals(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))
