"""The people the service has seen: ``sub`` linked to a SNILS, the region accepted at the first
login, and the once-only regional requirements each completed (documents, consents).

A SNILS links ``sub`` to the medical data only when the IdP confirmed it, and once linked it is
never replaced silently: a different confirmed SNILS waits until the person confirms the change
(:func:`confirm_snils`). :func:`identify` records each check with the access token it was made
for, so a token is checked once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from relying_party_demo.access.policy import Identity, PersonState
from relying_party_demo.access.rules import Requirement
from relying_party_demo.models import PersonLink, RequirementRecord, db, utcnow
from relying_party_demo.profile import IdentityEvidence


@dataclass(frozen=True)
class LinkedIdentity:
    """How the person's SNILS stands: ``snils`` is the linked, confirmed SNILS (only when
    ``status`` is verified); ``presented`` the typed or changed one the IdP released instead."""

    status: Identity
    snils: str | None = None
    presented: str | None = None


def find_link(sub: str) -> PersonLink | None:
    return db.session.get(PersonLink, sub)


def remember(sub: str, *, region: str | None) -> PersonLink:
    """Record that ``sub`` was seen. The first region seen becomes the accepted one; a later,
    different one is a change the person must confirm."""
    link = find_link(sub)
    if link is None:
        link = PersonLink(sub=sub, accepted_region=region)
        db.session.add(link)
        try:
            db.session.commit()
            return link
        except IntegrityError:  # the same person logging in twice at once
            db.session.rollback()
            link = find_link(sub)
            assert link is not None
    if link.accepted_region is None:
        link.accepted_region = region
    link.last_seen = utcnow()
    db.session.commit()
    return link


def checked_identity(sub: str, jti: str) -> LinkedIdentity | None:
    """The identity already worked out for this access token, if it was."""
    link = find_link(sub)
    if link is None or link.checked_jti != jti:
        return None
    return _stored(link)


def identify(
    sub: str, evidence: IdentityEvidence | None, *, region: str | None, jti: str, now: datetime
) -> LinkedIdentity:
    """Check ``evidence`` (None: the token cannot show the SNILS) against the link of ``sub``,
    link a first confirmed SNILS, and record the outcome for the token ``jti``."""
    link = remember(sub, region=region)
    if evidence is None:
        return _stored(link)
    status = _status(link, evidence)
    if status is Identity.VERIFIED and link.snils_verified_at is None:
        link.snils, link.snils_verified_at = evidence.snils, now
    unlinked = status in (Identity.NOT_VERIFIED, Identity.SNILS_CHANGED)
    link.identity, link.presented_snils = status.value, evidence.snils if unlinked else None
    link.checked_jti = jti
    db.session.commit()
    return _stored(link)


def _status(link: PersonLink, evidence: IdentityEvidence) -> Identity:
    if evidence.snils is None:
        return Identity.NO_SNILS
    if not evidence.verified:
        return Identity.NOT_VERIFIED
    if link.snils_verified_at is not None and link.snils != evidence.snils:
        return Identity.SNILS_CHANGED
    return Identity.VERIFIED


def _stored(link: PersonLink) -> LinkedIdentity:
    status = Identity(link.identity) if link.identity in set(Identity) else Identity.NO_SNILS
    if status is Identity.VERIFIED and link.snils_verified_at is None:
        status = Identity.NO_SNILS  # a link from before confirmed SNILS were required
    linked = link.snils if status is Identity.VERIFIED else None
    return LinkedIdentity(status=status, snils=linked, presented=link.presented_snils)


def confirm_snils(sub: str, *, now: datetime) -> tuple[str | None, str] | None:
    """Link ``sub`` to the changed, confirmed SNILS the IdP now releases, once the person
    confirms it; returns (previous, new), or None when there is no such change. The caller
    commits (with the change record)."""
    link = find_link(sub)
    if link is None or link.identity != Identity.SNILS_CHANGED.value or link.presented_snils is None:
        return None
    previous, link.snils = link.snils, link.presented_snils
    link.snils_verified_at, link.presented_snils = now, None
    link.identity, link.checked_jti = Identity.VERIFIED.value, None
    return previous, link.snils


def accept_region(sub: str, region: str) -> None:
    """Make ``region`` the accepted one and commit (with any change the caller added)."""
    link = find_link(sub)
    if link is not None:
        link.accepted_region = region
    db.session.commit()


def state_of(sub: str) -> PersonState:
    link = find_link(sub)
    rows = db.session.scalars(
        select(RequirementRecord).where(RequirementRecord.sub == sub, RequirementRecord.revoked_at.is_(None))
    )
    return PersonState(
        accepted_region=link.accepted_region if link else None,
        completed=frozenset((r.requirement_id, r.region_code) for r in rows),
    )


def complete(
    sub: str, requirement: Requirement, *, region: str, details: dict[str, Any], token_jti: str | None
) -> RequirementRecord:
    """Record that ``sub`` completed ``requirement`` in ``region``; completing it again while
    a record is active returns the active one."""
    record = RequirementRecord(
        sub=sub,
        requirement_id=requirement.id,
        kind=requirement.kind.value,
        region_code=region,
        details=details,
        token_jti=token_jti,
    )
    db.session.add(record)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        found = _active(sub, requirement.id, region)
        assert found is not None
        return found
    return record


def _active(sub: str, requirement_id: str, region: str) -> RequirementRecord | None:
    return db.session.scalars(
        select(RequirementRecord).where(
            RequirementRecord.sub == sub,
            RequirementRecord.requirement_id == requirement_id,
            RequirementRecord.region_code == region,
            RequirementRecord.revoked_at.is_(None),
        )
    ).one_or_none()


def records_of(sub: str) -> list[RequirementRecord]:
    return list(
        db.session.scalars(
            select(RequirementRecord).where(RequirementRecord.sub == sub).order_by(RequirementRecord.id.desc())
        )
    )


def revoke(sub: str, record_id: int) -> RequirementRecord | None:
    """Revoke one of ``sub``'s active records; ``None`` if there is no such active record."""
    record = db.session.get(RequirementRecord, record_id)
    if record is None or record.sub != sub or record.revoked_at is not None:
        return None
    record.revoked_at = utcnow()
    db.session.commit()
    return record
