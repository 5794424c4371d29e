"""Which browser session a logout request names (what ending it does: idp.oidc.logout).

RP-initiated logout (``/logout``) ends the session at once only when its ``id_token_hint`` names
*this* browser's session (its ``sub`` and ``sid``): a valid ID token of somebody else, or of
another session of the same person, is exactly what a cross-site logout lure carries, so the
person is asked first (OpenID Connect RP-Initiated Logout 1.0 §2), and only the confirmation
page's CSRF-protected POST ends the session.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError

from idp.oidc.logout import session_sid
from idp.oidc.models import OAuthClient
from idp.oidc.tokens import ALLOWED_ALGS
from idp.security.hashes import constant_time_equals
from idp.services import services
from idp.sessions.models import BrowserSession
from idp.storage.db import db


@dataclass(frozen=True)
class LogoutHint:
    """What a verified ``id_token_hint`` says: the client it was for, whose it is, which session."""

    client: OAuthClient | None
    sub: str
    sid: str | None

    def names(self, ending: BrowserSession | None) -> bool:
        """True when the hint is this browser's session's own (no session: nothing to protect)."""
        if ending is None:
            return True
        if not constant_time_equals(self.sub, str(ending.person_oid)):
            return False
        return self.sid is None or constant_time_equals(self.sid, session_sid(ending))


def read_logout_hint(id_token_hint: str | None) -> LogoutHint | None:
    """The hint if it is an ID token this IdP issued (any key it still publishes), else ``None``."""
    if not id_token_hint:
        return None
    try:
        decoded = jwt.decode(id_token_hint, services().keyring.verification_keyset(), algorithms=ALLOWED_ALGS)
    except (JoseError, ValueError):
        return None
    claims: dict[str, Any] = dict(decoded.claims)
    if claims.get("iss") != services().settings.issuer or not isinstance(claims.get("sub"), str):
        return None
    aud = claims.get("aud")
    client_id = aud[0] if isinstance(aud, list) and aud else aud
    client = db.session.get(OAuthClient, client_id) if isinstance(client_id, str) else None
    sid = claims.get("sid")
    return LogoutHint(client=client, sub=claims["sub"], sid=sid if isinstance(sid, str) else None)
