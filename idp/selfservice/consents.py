"""The person withdraws a consent in the cabinet: the remembered decision ends and the client's
refresh tokens for the person stop working, OpenID Connect and ESIA alike (consent records
cover ESIA systems too)."""

from __future__ import annotations

from idp.audit import log as audit
from idp.esia import refresh as esia_refresh
from idp.oidc import consent


def withdraw_consent(person_oid: int, client_id: str) -> bool:
    """False when there was no live consent for ``client_id``."""
    if not consent.withdraw(person_oid, client_id):
        return False
    esia_revoked = esia_refresh.revoke_for_person(person_oid, client_id=client_id)
    audit.record("consent_withdrawn", person_oid=person_oid, client_id=client_id, esia_refresh_revoked=esia_revoked)
    return True
