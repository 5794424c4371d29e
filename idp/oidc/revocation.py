"""Revoked access tokens (by ``jti``, until they would expire) and token ownership checks.

The deny list lives in the database (:class:`idp.replay.models.AccessTokenRevocation`), in
the request's transaction: a revocation that vanished with a Redis restart would make a revoked
token introspect as active again.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Table, select

from idp.oidc.models import RefreshToken
from idp.replay.models import AccessTokenRevocation
from idp.replay.used_values import ExpiredRowPurge, upsert
from idp.security.hashes import secret_digest
from idp.storage.db import db

EXPIRY_MARGIN = 60  # seconds a revocation outlives the tokens it covers (clock skew of resources)


class AccessTokenDenyList:
    """JWT access tokens cannot be recalled, so revoked ``jti``s are kept until their ``exp``."""

    def __init__(self, *, clock: Callable[[], float] = time.time, purge_interval: int = 60) -> None:
        self._clock = clock
        self._table: Table = AccessTokenRevocation.__table__
        self._purge = ExpiredRowPurge(self._table, interval=purge_interval)

    def revoke(self, claims: dict[str, Any]) -> None:
        now, exp = self._now(), int(claims.get("exp") or 0)
        if exp > now and claims.get("jti"):
            self._put("jti", str(claims["jti"]), revoked_at=now, expires_at=exp + EXPIRY_MARGIN)

    def is_revoked(self, jti: str | None) -> bool:
        return bool(jti) and self._revoked_at("jti", str(jti)) is not None

    def revoke_session(self, sid: str, *, ttl: int) -> None:
        """Logout: every access token issued in browser session ``sid`` until now is revoked
        (kept ``ttl`` seconds: longer than any of them lives)."""
        now = self._now()
        self._put("sid", sid, revoked_at=now, expires_at=now + ttl)

    def covers(self, claims: dict[str, Any]) -> bool:
        """Revoked by ``jti``, or issued in a session that has ended since."""
        if self.is_revoked(claims.get("jti")):
            return True
        sid = claims.get("sid")
        ended = self._revoked_at("sid", sid) if isinstance(sid, str) and sid else None
        return ended is not None and int(claims.get("iat") or 0) <= ended

    def _now(self) -> int:
        return math.floor(self._clock())

    def _put(self, kind: str, value: str, *, revoked_at: int, expires_at: int) -> None:
        self._purge(revoked_at)
        table = self._table
        stmt = upsert(table).values(
            kind=kind, digest=secret_digest(value), revoked_at=revoked_at, expires_at=expires_at
        )
        db.session.execute(  # a later logout of the same session moves its end forward
            stmt.on_conflict_do_update(
                index_elements=[table.c.kind, table.c.digest],
                set_={"revoked_at": stmt.excluded.revoked_at, "expires_at": stmt.excluded.expires_at},
            )
        )

    def _revoked_at(self, kind: str, value: str) -> int | None:
        table = self._table
        found = db.session.execute(
            select(table.c.revoked_at).where(
                (table.c.kind == kind) & (table.c.digest == secret_digest(value)) & (table.c.expires_at > self._now())
            )
        ).scalar()
        return None if found is None else int(found)


def find_refresh_token(raw: str) -> RefreshToken | None:
    return db.session.scalar(select(RefreshToken).where(RefreshToken.token_hash == secret_digest(raw)))


def token_belongs_to(claims: dict[str, Any], client_id: str) -> bool:
    """A client may inspect or revoke tokens issued to it or addressed to it."""
    aud = claims.get("aud")
    audiences = aud if isinstance(aud, list) else [aud]
    return claims.get("client_id") == client_id or client_id in audiences
