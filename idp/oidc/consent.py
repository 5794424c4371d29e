"""Remembered consent per person and client; withdrawable from the personal cabinet."""

from __future__ import annotations

from sqlalchemy import select, update

from idp.audit import log as audit
from idp.oidc.models import Consent, OAuthClient, RefreshToken
from idp.storage.db import db, utcnow


def active_consent(person_oid: int, client_id: str) -> Consent | None:
    return db.session.scalar(
        select(Consent).where(
            Consent.person_oid == person_oid,
            Consent.client_id == client_id,
            Consent.withdrawn_at.is_(None),
        )
    )


def covers(person_oid: int, client_id: str, scopes: list[str]) -> bool:
    consent = active_consent(person_oid, client_id)
    return consent is not None and set(scopes) <= set(consent.scopes)


def grant(person_oid: int, client_id: str, scopes: list[str]) -> None:
    """Remember the decision; a wider request later extends the stored scopes."""
    consent = active_consent(person_oid, client_id)
    if consent is None:
        db.session.add(Consent(person_oid=person_oid, client_id=client_id, scopes=sorted(set(scopes))))
    else:
        consent.scopes = sorted(set(consent.scopes) | set(scopes))
    audit.record("consent_granted", person_oid=person_oid, client_id=client_id, scopes=sorted(scopes))


def withdraw(person_oid: int, client_id: str) -> bool:
    """Withdraw consent and revoke the client's OpenID Connect refresh tokens for this person
    (the whole use case, ESIA tokens and audit included: idp.selfservice.consents)."""
    consent = active_consent(person_oid, client_id)
    if consent is None:
        return False
    consent.withdrawn_at = utcnow()
    db.session.execute(
        update(RefreshToken)
        .where(
            RefreshToken.person_oid == person_oid,
            RefreshToken.client_id == client_id,
            RefreshToken.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
    )
    return True


def list_for(person_oid: int) -> list[tuple[Consent, OAuthClient]]:
    rows = db.session.execute(
        select(Consent, OAuthClient)
        .join(OAuthClient, OAuthClient.client_id == Consent.client_id)
        .where(Consent.person_oid == person_oid, Consent.withdrawn_at.is_(None))
        .order_by(Consent.granted_at.desc())
    )
    return [(row[0], row[1]) for row in rows]
