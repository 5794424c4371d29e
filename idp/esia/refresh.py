"""ESIA refresh tokens: stored as digests, rotated on every use, reuse revokes the family."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from idp.audit import log as audit
from idp.esia.codes import EsiaGrant
from idp.esia.models import EsiaRefreshToken
from idp.security.hashes import new_token, secret_digest
from idp.storage.db import db, utcnow


def issue(grant: EsiaGrant, *, ttl: int, family_id: str | None = None) -> str:
    raw = new_token(32)
    db.session.add(_row(raw, grant, ttl, family_id))
    return raw


def _row(raw: str, grant: EsiaGrant, ttl: int, family_id: str | None) -> EsiaRefreshToken:
    return EsiaRefreshToken(
        token_hash=secret_digest(raw),
        family_id=family_id or new_token(16),
        client_id=grant.client_id,
        person_oid=grant.person_oid,
        scope=" ".join(grant.scopes),
        auth_time=grant.auth_time,
        amr=grant.amr,
        sid=grant.sid,
        expires_at=utcnow() + timedelta(seconds=ttl),
    )


def redeem(raw: str, client_id: str) -> tuple[EsiaGrant, str] | None:
    """(grant, family) once for a live token of ``client_id``; a reused token revokes its family."""
    digest, now = secret_digest(raw), utcnow()
    result = db.session.execute(
        update(EsiaRefreshToken)
        .where(
            EsiaRefreshToken.token_hash == digest,
            EsiaRefreshToken.client_id == client_id,
            EsiaRefreshToken.used_at.is_(None),
            EsiaRefreshToken.revoked_at.is_(None),
            EsiaRefreshToken.expires_at > now,
        )
        .values(used_at=now)
    )
    # The UPDATE holds the row until the request's transaction ends: a parallel redemption waits
    # here, then finds the token used and revokes the family, the successor with it.
    row = db.session.scalar(select(EsiaRefreshToken).where(EsiaRefreshToken.token_hash == digest))
    if result.rowcount == 1 and row is not None:  # type: ignore[attr-defined]
        grant = EsiaGrant(row.client_id, "", row.scope.split(), row.person_oid, row.auth_time, list(row.amr), row.sid)
        return grant, row.family_id
    if row is not None and row.used_at is not None and row.client_id == client_id:
        revoke_family(row.family_id)
        audit.record("esia_refresh_reuse", result="family_revoked", person_oid=row.person_oid, client_id=client_id)
    return None


def revoke_family(family_id: str) -> int:
    """Revoke every live token of the family; returns how many rows were revoked (for the audit)."""
    revoke = (
        update(EsiaRefreshToken)
        .where(EsiaRefreshToken.family_id == family_id, EsiaRefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    revoked = _rowcount(db.session.execute(revoke))
    # Twice: if the first waited on a rotation in progress (its row lock), the rotation has
    # committed meanwhile and only a new statement sees the successor it stored.
    return revoked + _rowcount(db.session.execute(revoke))


def _rowcount(result: object) -> int:
    return max(int(getattr(result, "rowcount", 0)), 0)


def family_revoked(family_id: str) -> bool:
    found = select(EsiaRefreshToken.id).where(
        EsiaRefreshToken.family_id == family_id, EsiaRefreshToken.revoked_at.is_not(None)
    )
    return db.session.scalar(found.limit(1)) is not None


def revoke_for_person(person_oid: int, *, client_id: str | None = None) -> int:
    """Revoke the person's live ESIA refresh tokens (of ``client_id`` only, when given): consent
    withdrawal and account disable. The caller commits; returns how many rows were revoked."""
    condition = [EsiaRefreshToken.person_oid == person_oid, EsiaRefreshToken.revoked_at.is_(None)]
    if client_id is not None:
        condition.append(EsiaRefreshToken.client_id == client_id)
    result = db.session.execute(update(EsiaRefreshToken).where(*condition).values(revoked_at=utcnow()))
    return int(getattr(result, "rowcount", 0))
