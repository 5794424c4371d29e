"""Signed JWTs this IdP issues: RFC 9068 access tokens and OpenID Connect ID tokens."""

from __future__ import annotations

import base64
import json
import time
import uuid
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError

from idp.oidc.claims import access_token_claims
from idp.oidc.keys import KeyRing
from idp.oidc.subject import GrantUser

ALLOWED_ALGS = ["RS256", "ES256", "PS256"]


class InvalidAccessToken(Exception):
    """Not a valid, unexpired access token of this IdP."""


class TokenSigner:
    def __init__(self, *, keyring: KeyRing, issuer: str, access_ttl: int, id_ttl: int) -> None:
        self.keyring = keyring
        self.issuer = issuer
        self.access_ttl = access_ttl
        self.id_ttl = id_ttl

    def sign(self, claims: dict[str, Any], *, alg: str = "RS256", typ: str = "JWT") -> str:
        key = self.keyring.active(alg)
        header = {"alg": alg, "typ": typ, "kid": key.kid}
        return jwt.encode(header, claims, key.key, algorithms=[alg])

    def access_token(self, *, client: Any, user: GrantUser | None, scope: str, dpop_jkt: str | None = None) -> str:
        client_id: str = client.client_id
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": user.get_user_id() if user else client_id,
            "aud": client_id,
            "client_id": client_id,
            "scope": scope,
            "iat": now,
            "exp": now + self.access_ttl,
            "jti": uuid.uuid4().hex,
        }
        if user:
            claims.update(auth_time=user.auth_time, acr=user.acr, amr=user.amr, grant_id=user.grant_id)
            if user.session_id:
                claims["sid"] = user.session_id
            claims.update(access_token_claims(user.person, scope.split()))
            if user.userinfo_claims:
                claims["ucl"] = list(user.userinfo_claims)  # claims asked for via the claims parameter
        if dpop_jkt:
            claims["cnf"] = {"jkt": dpop_jkt}
        alg = getattr(client, "access_token_signed_response_alg", None) or "RS256"
        return self.sign(claims, alg=alg, typ="at+jwt")

    @staticmethod
    def unverified_claims(token: str) -> dict[str, Any]:
        """Claims of a token this process has just signed (no verification: never for input)."""
        payload = token.split(".")[1]
        return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))

    def verify_access_token(self, token: str) -> dict[str, Any]:
        """Claims of a valid access token of this IdP, or :class:`InvalidAccessToken`."""
        try:
            decoded = jwt.decode(token, self.keyring.verification_keyset(), algorithms=ALLOWED_ALGS)
        except (JoseError, ValueError) as exc:
            raise InvalidAccessToken(f"token cannot be verified: {exc}") from exc
        if decoded.header.get("typ") != "at+jwt":
            raise InvalidAccessToken("not an access token (typ must be at+jwt)")
        claims = dict(decoded.claims)
        now = time.time()
        if claims.get("iss") != self.issuer:
            raise InvalidAccessToken("issuer mismatch")
        if not isinstance(claims.get("exp"), int) or claims["exp"] <= now:
            raise InvalidAccessToken("token expired")
        if isinstance(claims.get("iat"), int) and claims["iat"] > now + 60:
            raise InvalidAccessToken("token issued in the future")
        return claims
