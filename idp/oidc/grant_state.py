"""Whether the grant behind a signed access token still stands (introspection and userinfo).

A JWT access token cannot be recalled: a signature check alone would keep it working until it
expires (10 minutes) after the grant behind it was revoked. :func:`grant_revoked` makes every
revocation reach the access tokens, from durable state (the database):

- the refresh-token family the token was issued with (its ``grant_id`` claim) was revoked:
  refresh reuse detection, ``/revoke`` of a refresh token, a replayed code, logout (the
  session's families), consent withdrawal and password reset or account disable (the person's);
- the person's account is disabled;
- the person withdrew consent for the client after the token was issued (and has not given
  it again: then its refresh family, revoked with the consent, still catches the old tokens).

Logout also reaches tokens that have no refresh family: the ended session's ``sid`` goes on the
deny list (:class:`idp.oidc.revocation.AccessTokenDenyList`), as revoked ``jti``\\ s do.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from idp.accounts.models import Person
from idp.oidc.models import Consent, RefreshToken
from idp.storage.db import db


def family_revoked(family_id: str) -> bool:
    found = select(RefreshToken.id).where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_not(None))
    return db.session.scalar(found.limit(1)) is not None


def consent_withdrawn_since(person_oid: int, client_id: str, issued_at: int) -> bool:
    """The person withdrew consent for the client at or after ``issued_at`` and has not given
    it again (a new consent's tokens cannot be told apart within the same second by ``iat``)."""
    since = datetime.fromtimestamp(issued_at, tz=UTC)
    rows = db.session.execute(
        select(Consent.withdrawn_at).where(Consent.person_oid == person_oid, Consent.client_id == client_id)
    ).all()
    if any(row.withdrawn_at is None for row in rows):
        return False
    return any(row.withdrawn_at >= since for row in rows)


def person_inactive(person_oid: int) -> bool:
    person = db.session.get(Person, person_oid)
    return person is None or person.disabled


def grant_revoked(claims: dict[str, Any]) -> bool:
    """True when the person, the consent or the refresh family behind ``claims`` is gone."""
    sub, grant_id = str(claims.get("sub", "")), claims.get("grant_id")
    if "auth_time" not in claims or not sub.isdigit():
        return False  # a client's own token (client_credentials): no person, no grant
    if person_inactive(int(sub)):
        return True
    if isinstance(grant_id, str) and family_revoked(grant_id):
        return True
    client_id, issued_at = claims.get("client_id"), claims.get("iat")
    if isinstance(client_id, str) and isinstance(issued_at, int):
        return consent_withdrawn_since(int(sub), client_id, issued_at)
    return False
