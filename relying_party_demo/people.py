"""The people the service has seen: ``sub`` linked to a SNILS, the region accepted at the first
login, and the once-only regional requirements each completed (documents, consents)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from relying_party_demo.access.policy import PersonState
from relying_party_demo.access.rules import Requirement
from relying_party_demo.models import PersonLink, RequirementRecord, db, utcnow


def find_link(sub: str) -> PersonLink | None:
    return db.session.get(PersonLink, sub)


def remember(sub: str, *, snils: str | None, region: str | None) -> PersonLink:
    """Record a login: link ``sub`` to ``snils`` (when the IdP released it). The first region
    seen becomes the accepted one; a later, different one is a change the person must confirm."""
    link = find_link(sub)
    if link is None:
        link = PersonLink(sub=sub, snils=snils, accepted_region=region)
        db.session.add(link)
        try:
            db.session.commit()
            return link
        except IntegrityError:  # the same person logging in twice at once
            db.session.rollback()
            link = find_link(sub)
            assert link is not None
    if snils:
        link.snils = snils
    if link.accepted_region is None:
        link.accepted_region = region
    link.last_seen = utcnow()
    db.session.commit()
    return link


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
