"""Revoked access tokens (by ``jti``, until they would expire) and token ownership checks."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import select

from idp.adapters.store import ShortLivedStore
from idp.oidc.models import RefreshToken
from idp.security.hashes import secret_digest
from idp.storage.db import db


class AccessTokenDenyList:
    """JWT access tokens cannot be recalled, so revoked ``jti``s are kept until their ``exp``."""

    def __init__(self, store: ShortLivedStore) -> None:
        self._store = store

    def revoke(self, claims: dict[str, Any]) -> None:
        remaining = int(claims.get("exp", 0) - time.time())
        if remaining > 0 and claims.get("jti"):
            self._store.set(f"at-revoked:{claims['jti']}", "1", ttl=remaining + 60)

    def is_revoked(self, jti: str | None) -> bool:
        return bool(jti) and self._store.get(f"at-revoked:{jti}") is not None

    def revoke_session(self, sid: str, *, ttl: int) -> None:
        """Logout: every access token issued in browser session ``sid`` until now is revoked
        (kept ``ttl`` seconds: longer than any of them lives)."""
        self._store.set(f"at-revoked-sid:{sid}", str(int(time.time())), ttl=ttl)

    def covers(self, claims: dict[str, Any]) -> bool:
        """Revoked by ``jti``, or issued in a session that has ended since."""
        if self.is_revoked(claims.get("jti")):
            return True
        sid = claims.get("sid")
        ended = self._store.get(f"at-revoked-sid:{sid}") if isinstance(sid, str) and sid else None
        return ended is not None and int(claims.get("iat") or 0) <= int(ended)


def find_refresh_token(raw: str) -> RefreshToken | None:
    return db.session.scalar(select(RefreshToken).where(RefreshToken.token_hash == secret_digest(raw)))


def token_belongs_to(claims: dict[str, Any], client_id: str) -> bool:
    """A client may inspect or revoke tokens issued to it or addressed to it."""
    aud = claims.get("aud")
    audiences = aud if isinstance(aud, list) else [aud]
    return claims.get("client_id") == client_id or client_id in audiences
