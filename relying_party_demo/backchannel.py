"""OpenID Connect Back-Channel Logout 1.0 at the RP: a signed logout token from the IdP ends
the logins it names (by ``sid``, else by ``sub``), once."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from relying_party_demo.jwks import JwksFetcher
from relying_party_demo.models import LoginSession, SeenLogoutToken, db
from relying_party_demo.signed_jwt import JwtRejected, verify_signed_jwt

EVENT = "http://schemas.openid.net/event/backchannel-logout"
MAX_AGE_SECONDS = 300
SKEW_SECONDS = 30


class LogoutTokenRejected(Exception):
    """The logout token is not acceptable; the message says why."""


def _is_logout_type(typ: str | None) -> bool:
    return typ is None or typ.lower() in {"logout+jwt", "application/logout+jwt", "jwt"}


class LogoutTokenVerifier:
    def __init__(
        self, *, issuer: str, client_id: str, keys: JwksFetcher, clock: Callable[[], float] = time.time
    ) -> None:
        self._issuer, self._client_id, self._keys, self._clock = issuer, client_id, keys, clock

    def verify(self, token: str) -> dict[str, Any]:
        try:
            claims = verify_signed_jwt(token, keys=self._keys, typ_allowed=_is_logout_type).claims
        except JwtRejected as exc:
            raise LogoutTokenRejected(str(exc)) from exc
        self._check_claims(claims)
        return claims

    def _check_claims(self, claims: dict[str, Any]) -> None:
        now = self._clock()
        aud = claims.get("aud")
        audiences = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else []
        if claims.get("iss") != self._issuer:
            raise LogoutTokenRejected("the logout token's issuer is not the IdP")
        if self._client_id not in audiences:
            raise LogoutTokenRejected("the logout token is meant for another client")
        iat, exp = claims.get("iat"), claims.get("exp")
        if (
            not isinstance(iat, int)
            or not isinstance(exp, int)
            or exp <= now
            or not now - MAX_AGE_SECONDS <= iat <= now + SKEW_SECONDS
        ):
            raise LogoutTokenRejected("the logout token is expired or not fresh")
        if not isinstance(claims.get("jti"), str) or not claims["jti"]:
            raise LogoutTokenRejected("the logout token has no jti")
        events = claims.get("events")
        if not isinstance(events, dict) or not isinstance(events.get(EVENT), dict):
            raise LogoutTokenRejected("the logout token lacks the back-channel logout event")
        if "nonce" in claims:
            raise LogoutTokenRejected("a logout token must not contain a nonce")
        if not isinstance(claims.get("sid"), str) and not isinstance(claims.get("sub"), str):
            raise LogoutTokenRejected("the logout token names neither sid nor sub")


def end_logins(claims: dict[str, Any], *, now: datetime) -> int:
    """Refuse a replayed token; end the named logins; forget the logout tokens expired at
    ``now`` (the token clock). Returns how many logins ended."""
    expires = datetime.fromtimestamp(int(claims["exp"]), tz=UTC).replace(tzinfo=None)
    db.session.add(SeenLogoutToken(jti=str(claims["jti"]), expires_at=expires))
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise LogoutTokenRejected("this logout token was already used") from None
    sid, sub = claims.get("sid"), claims.get("sub")
    condition = LoginSession.idp_sid == sid if isinstance(sid, str) else LoginSession.subject == sub
    count = len(list(db.session.scalars(select(LoginSession.id).where(condition))))
    db.session.execute(delete(LoginSession).where(condition))
    db.session.execute(
        delete(SeenLogoutToken).where(SeenLogoutToken.expires_at < now.astimezone(UTC).replace(tzinfo=None))
    )
    db.session.commit()
    return count


__all__ = ["LogoutTokenRejected", "LogoutTokenVerifier", "end_logins"]
