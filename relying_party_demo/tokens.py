"""Local validation of the IdP's RFC 9068 JWT access tokens against its JWKS."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from joserfc.errors import ClaimError, ExpiredTokenError
from joserfc.jwt import JWTClaimsRegistry

from relying_party_demo.errors import InvalidToken
from relying_party_demo.jwks import JwksFetcher
from relying_party_demo.signed_jwt import JwtRejected, verify_signed_jwt

ACCESS_TOKEN_TYPES = frozenset({"at+jwt", "application/at+jwt"})
# Tolerated clock difference for iat/nbf in the future (security checklist item 34).
CLOCK_SKEW_SECONDS = 60


@dataclass(frozen=True)
class AccessToken:
    """A verified access token: who it speaks for and what it allows."""

    subject: str
    client_id: str
    scopes: frozenset[str]
    jti: str
    issued_at: int
    expires_at: int
    auth_time: int | None = None
    acr: str | None = None
    amr: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    region: str | None = None
    organization_oid: str | None = None
    organization_name: str | None = None
    specialty: str | None = None
    regional_doctor_certificate: bool = False
    # RFC 9449: the thumbprint of the key the token is bound to (``cnf.jkt``), if any.
    dpop_jkt: str | None = None


def _is_access_token_type(typ: str | None) -> bool:
    return typ is not None and typ.lower() in ACCESS_TOKEN_TYPES


class AccessTokenVerifier:
    """Verifies bearer tokens issued by ``issuer`` for ``audience`` (this RP's client_id)."""

    def __init__(
        self,
        issuer: str,
        audience: str,
        jwks_fetcher: JwksFetcher,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.issuer = issuer
        self.audience = audience
        self._keys = jwks_fetcher
        self._clock = clock

    def verify(self, token: str) -> AccessToken:
        """Return the token's claims or raise :class:`InvalidToken` saying what is wrong.

        :class:`IdpUnavailable` propagates when the keys cannot be fetched at all.
        """
        try:
            verified = verify_signed_jwt(token, keys=self._keys, typ_allowed=_is_access_token_type)
        except JwtRejected as exc:
            raise InvalidToken(str(exc)) from exc
        self._check_claims(verified.claims)
        return access_token_from_claims(verified.claims)

    def _check_claims(self, claims: dict[str, Any]) -> None:
        now = int(self._clock())
        registry = JWTClaimsRegistry(
            now=now,
            leeway=CLOCK_SKEW_SECONDS,
            iss={"essential": True, "value": self.issuer},
            aud={"essential": True, "value": self.audience},
            sub={"essential": True},
            exp={"essential": True},
            iat={"essential": True},
            jti={"essential": True},
            client_id={"essential": True},
        )
        try:
            registry.validate(claims)
        except ExpiredTokenError as exc:
            raise InvalidToken("the token has expired") from exc
        except ClaimError as exc:
            raise InvalidToken(_claim_problem(exc)) from exc
        # The registry's leeway is for clocks running slow; an expired token gets none.
        if claims["exp"] <= now:
            raise InvalidToken("the token has expired")


def _claim_problem(exc: ClaimError) -> str:
    if exc.error == "missing_claim":
        return f"the token lacks the claim(s) {exc.claim}"
    if exc.claim == "iss":
        return "the token was issued by another issuer"
    if exc.claim == "aud":
        return "the token is meant for another audience"
    if exc.claim in ("iat", "nbf"):
        return f"the token's {exc.claim} is in the future"
    return f"the token's {exc.claim} claim is invalid"


def access_token_from_claims(claims: dict[str, Any]) -> AccessToken:
    """The token's claims, type-checked; shared by local (JWT) and introspection validation."""
    organization = _organization(claims)
    return AccessToken(
        subject=_string(claims, "sub"),
        client_id=_string(claims, "client_id"),
        scopes=frozenset(_string(claims, "scope", default="").split()),
        jti=_string(claims, "jti"),
        issued_at=int(claims["iat"]),
        expires_at=int(claims["exp"]),
        auth_time=_optional_int(claims, "auth_time"),
        acr=_string(claims, "acr", default="") or None,
        amr=_strings(claims, "amr"),
        roles=_strings(claims, "roles"),
        region=_optional_string(claims, "region"),
        organization_oid=organization.get("oid"),
        organization_name=organization.get("name"),
        specialty=claims["specialty"] if isinstance(claims.get("specialty"), str) else None,
        regional_doctor_certificate=claims.get("regional_doctor_certificate") is True,
        dpop_jkt=_bound_key(claims),
    )


def _bound_key(claims: dict[str, Any]) -> str | None:
    cnf = claims.get("cnf")
    if cnf is None:
        return None
    if not isinstance(cnf, dict) or not isinstance(cnf.get("jkt"), str):
        raise InvalidToken("the token's cnf claim must be an object with a jkt")
    return str(cnf["jkt"])


def _organization(claims: dict[str, Any]) -> dict[str, str]:
    value = claims.get("organization")
    if value is None:
        return {}
    if not isinstance(value, dict) or not isinstance(value.get("oid"), str):
        raise InvalidToken("the token's organization claim must be an object with an oid")
    return {k: v for k, v in value.items() if k in ("oid", "name") and isinstance(v, str)}


def _string(claims: dict[str, Any], name: str, *, default: str | None = None) -> str:
    value = claims.get(name, default)
    if not isinstance(value, str):
        raise InvalidToken(f"the token's {name} claim must be a string")
    return value


def _optional_string(claims: dict[str, Any], name: str) -> str | None:
    """An optional string claim; absent, null and "" all mean "not given"."""
    value = claims.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidToken(f"the token's {name} claim must be a string")
    return value or None


def _optional_int(claims: dict[str, Any], name: str) -> int | None:
    value = claims.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidToken(f"the token's {name} claim must be a number")
    return int(value)


def _strings(claims: dict[str, Any], name: str) -> tuple[str, ...]:
    value = claims.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidToken(f"the token's {name} claim must be a list of strings")
    return tuple(value)
