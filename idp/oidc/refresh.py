"""Refresh tokens: stored as digests, rotated on every use, grouped in families.

Redemption is a single conditional UPDATE, so of two parallel uses exactly one wins on
SQLite and PostgreSQL alike. Presenting an already-rotated token revokes its whole family
(and is audited). A token lives until the earlier of its family's absolute lifetime and its
own idle lifetime; it is bound to its client, and to a DPoP key when issued with one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from idp.accounts.models import Person
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
    def __init__(self, *, ttl: int, idle_ttl: int | None = None) -> None:
        self._ttl = ttl
        self._idle = idle_ttl or ttl

    def issue(
        self, *, client_id: str, user: GrantUser, scope: str, family: RefreshToken | None, dpop_jkt: str | None
    ) -> tuple[str, str]:
        """A new refresh token (continuing ``family`` when rotating); returns it and its family id.

        A new family takes the grant's id (``user.grant_id``), which the access tokens of the
        same response already carry: revoking the family reaches them (grant_state.py)."""
        raw = new_token(32)
        family_id = family.family_id if family is not None else user.grant_id
        now = utcnow()
        started: datetime = family.family_issued_at if family is not None else now
        db.session.add(
            RefreshToken(
                token_hash=secret_digest(raw),
                family_id=family_id,
                client_id=client_id,
                person_oid=user.person.oid,
                scope=scope,
                auth_time=user.auth_time,
                amr=user.amr,
                acr=user.acr,
                session_id=user.session_id,
                issued_at=now,
                family_issued_at=started,
                expires_at=min(started + timedelta(seconds=self._ttl), now + timedelta(seconds=self._idle)),
                dpop_jkt=dpop_jkt,
            )
        )
        return raw, family_id

    def granted_scope(self, raw: str, *, client_id: str) -> str | None:
        """The scope a live token of this client carries, read without using the token up."""
        row = db.session.scalar(select(RefreshToken).where(RefreshToken.token_hash == secret_digest(raw)))
        return row.scope if row is not None and row.client_id == client_id else None

    def family_revoked(self, family_id: str) -> bool:
        return (
            db.session.scalar(
                select(RefreshToken.id).where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_not(None))
            )
            is not None
        )

    def redeem(self, raw: str, *, client_id: str, dpop_jkt: str | None) -> RedeemedToken | None:
        """Mark the token used; ``None`` if unknown, another client's, expired, revoked, used,
        bound to a different DPoP key, or its person is disabled."""
        digest = secret_digest(raw)
        row = db.session.scalar(select(RefreshToken).where(RefreshToken.token_hash == digest))
        if row is None or row.client_id != client_id:
            return None  # another client's token is not touched (no denial of service)
        if row.dpop_jkt is not None and row.dpop_jkt != dpop_jkt:
            audit.record("refresh_token", result="dpop_key_mismatch", person_oid=row.person_oid, client_id=client_id)
            return None
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
        # The UPDATE holds the row until the request's transaction ends: a parallel redemption
        # waits here, then finds the token used (and revokes the family, the successor with it).
        db.session.refresh(row)
        if result.rowcount == 1:  # type: ignore[attr-defined]
            person = db.session.get(Person, row.person_oid)
            return RedeemedToken(row) if person is not None and not person.disabled else None
        if row.used_at is not None:  # presented after rotation: a stolen copy or a replay
            self.revoke_family(row.family_id, reason="reuse_detected")
            audit.record("refresh_token_reuse", result="family_revoked", person_oid=row.person_oid, client_id=client_id)
        return None

    def revoke_family(self, family_id: str, *, reason: str) -> int:
        """Revoke every live token of the family; returns how many were live."""
        return self._revoke(RefreshToken.family_id == family_id)

    def revoke_for_session(self, sid: str) -> None:
        self._revoke(RefreshToken.session_id == sid)

    def revoke_for_person(self, person_oid: int) -> None:
        self._revoke(RefreshToken.person_oid == person_oid)

    def _revoke(self, condition: object) -> int:
        revoke = update(RefreshToken).where(condition, RefreshToken.revoked_at.is_(None)).values(revoked_at=utcnow())  # type: ignore[arg-type]
        first = db.session.execute(revoke).rowcount  # type: ignore[attr-defined]
        # Twice: if the first waited on a rotation in progress (its row lock), the rotation has
        # committed meanwhile and only a new statement sees the successor it stored.
        second = db.session.execute(revoke).rowcount  # type: ignore[attr-defined]
        return int(first) + int(second)
