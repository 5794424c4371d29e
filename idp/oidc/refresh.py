"""Refresh tokens: stored as digests, rotated on every use, grouped in families.

Redemption is a single conditional UPDATE, so of two parallel uses exactly one wins on
SQLite and PostgreSQL alike. Presenting an already-rotated token revokes its whole family.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update

from idp.audit import log as audit
from idp.oidc.models import RefreshToken
from idp.oidc.subject import GrantUser
from idp.security.hashes import new_token, secret_digest
from idp.storage.db import db, utcnow


@dataclass(frozen=True)
class RedeemedToken:
    row: RefreshToken

    def get_scope(self) -> str:
        return self.row.scope

    def check_client(self, client: object) -> bool:
        return getattr(client, "client_id", None) == self.row.client_id


class RefreshTokenService:
    def __init__(self, *, ttl: int) -> None:
        self._ttl = ttl

    def issue(self, *, client_id: str, user: GrantUser, scope: str, family_id: str | None) -> str:
        raw = new_token(32)
        db.session.add(
            RefreshToken(
                token_hash=secret_digest(raw),
                family_id=family_id or new_token(16),
                client_id=client_id,
                person_oid=user.person.oid,
                scope=scope,
                auth_time=user.auth_time,
                amr=user.amr,
                acr=user.acr,
                session_id=user.session_id,
                expires_at=utcnow() + timedelta(seconds=self._ttl),
            )
        )
        return raw

    def redeem(self, raw: str) -> RedeemedToken | None:
        """Mark the token used; ``None`` if unknown, expired, revoked or already used."""
        digest = secret_digest(raw)
        now = utcnow()
        result = db.session.execute(
            update(RefreshToken)
            .where(
                RefreshToken.token_hash == digest,
                RefreshToken.used_at.is_(None),
                RefreshToken.revoked_at.is_(None),
                RefreshToken.expires_at > now,
            )
            .values(used_at=now)
        )
        db.session.commit()
        row = db.session.scalar(select(RefreshToken).where(RefreshToken.token_hash == digest))
        if result.rowcount == 1 and row is not None:  # type: ignore[attr-defined]
            return RedeemedToken(row)
        if row is not None and row.used_at is not None:
            self.revoke_family(row.family_id, reason="reuse_detected")
            audit.record(
                "refresh_token_reuse",
                result="family_revoked",
                person_oid=row.person_oid,
                client_id=row.client_id,
            )
        return None

    def revoke_family(self, family_id: str, *, reason: str) -> None:
        db.session.execute(
            update(RefreshToken)
            .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
        db.session.commit()
