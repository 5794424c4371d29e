"""Validation of ID tokens received at the login callback (OIDC Core §3.1.3.7)."""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable
from typing import Any

from authlib.oidc.core.util import create_half_hash
from joserfc.errors import ClaimError, ExpiredTokenError
from joserfc.jwt import JWTClaimsRegistry

from relying_party_demo.errors import IdTokenInvalid
from relying_party_demo.jwks import JwksFetcher
from relying_party_demo.signed_jwt import JwtRejected, verify_signed_jwt
from relying_party_demo.tokens import ACCESS_TOKEN_TYPES, CLOCK_SKEW_SECONDS


def _is_id_token_type(typ: str | None) -> bool:
    # An access token must never pass as an ID token (RFC 9068 §4).
    return typ is None or typ.lower() not in ACCESS_TOKEN_TYPES


class IdTokenVerifier:
    def __init__(
        self,
        *,
        issuer: str,
        client_id: str,
        keys: JwksFetcher,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.issuer = issuer
        self.client_id = client_id
        self._keys = keys
        self._clock = clock

    def verify(self, id_token: str, *, nonce: str, access_token: str | None) -> dict[str, Any]:
        """Return the ID token's claims, or raise :class:`IdTokenInvalid` saying why."""
        try:
            verified = verify_signed_jwt(id_token, keys=self._keys, typ_allowed=_is_id_token_type)
        except JwtRejected as exc:
            raise IdTokenInvalid(str(exc)) from exc
        claims = verified.claims
        self._check_registered_claims(claims)
        self._check_audience(claims)
        if not hmac.compare_digest(str(claims.get("nonce", "")), nonce):
            raise IdTokenInvalid("the ID token's nonce does not match this login")
        if access_token is not None and "at_hash" in claims:
            expected = create_half_hash(access_token, verified.header["alg"])
            actual = str(claims["at_hash"]).encode()
            if expected is None or not hmac.compare_digest(actual, expected):
                raise IdTokenInvalid("the ID token's at_hash does not match the access token")
        return claims

    def _check_registered_claims(self, claims: dict[str, Any]) -> None:
        now = int(self._clock())
        registry = JWTClaimsRegistry(
            now=now,
            leeway=CLOCK_SKEW_SECONDS,
            iss={"essential": True, "value": self.issuer},
            sub={"essential": True},
            exp={"essential": True},
            iat={"essential": True},
            nonce={"essential": True},
        )
        try:
            registry.validate(claims)
        except ExpiredTokenError as exc:
            raise IdTokenInvalid("the ID token has expired") from exc
        except ClaimError as exc:
            raise IdTokenInvalid(f"the ID token's {exc.claim} claim is missing or wrong") from exc
        if claims["exp"] <= now:
            raise IdTokenInvalid("the ID token has expired")

    def _check_audience(self, claims: dict[str, Any]) -> None:
        aud = claims.get("aud")
        audiences = [aud] if isinstance(aud, str) else aud
        if not isinstance(audiences, list) or self.client_id not in audiences:
            raise IdTokenInvalid("the ID token is meant for another client")
        azp = claims.get("azp")
        if len(audiences) > 1 and azp is None:
            raise IdTokenInvalid("the ID token has several audiences but no azp")
        if azp is not None and azp != self.client_id:
            raise IdTokenInvalid("the ID token's azp is another client")
