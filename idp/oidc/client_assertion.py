"""``private_key_jwt`` client authentication (RFC 7523 §2.2, OIDC Core §9, FAPI 2.0).

:func:`verify_client_assertion` accepts an assertion only if it is signed by one of the client's
*registered* keys with an allowed asymmetric algorithm, names the client as ``iss`` and ``sub``,
is addressed to exactly the issuer identifier, is short-lived and unexpired, and its ``jti``
has not been seen before for that client (remembered in the database until the assertion's
``exp`` plus a margin, :class:`idp.replay.used_values.UsedValues`). Keys named or embedded in the JWS
header (``jwk``, ``jku``, ``x5u``, ``x5c``) are never used or fetched.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from joserfc.jwk import Key

from idp.oidc.jose_policy import (
    JoseRejected,
    ReceivedJws,
    check_alg,
    key_fits,
    numeric_date,
    public_key_from_jwk,
    read_compact,
    signature_is_valid,
)
from idp.replay.used_values import UsedValues

MAX_FUTURE_SKEW = 60  # seconds an iat or nbf may lie ahead of our clock
MAX_JTI_LENGTH = 256
REPLAY_MARGIN = 60  # remember a jti this much longer than the assertion lives


class InvalidClientAssertion(Exception):
    """The client assertion was refused (``invalid_client``); ``description`` says why."""

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


@dataclass(frozen=True)
class AssertionClaims:
    client_id: str
    jti: str
    exp: int


def verify_client_assertion(
    assertion: str,
    *,
    client_id: str,
    client_jwks: dict[str, Any],
    issuer: str,
    used: UsedValues,
    clock: Callable[[], float] = time.time,
    max_lifetime: int = 300,
    allowed_algs: tuple[str, ...] = ("RS256", "PS256", "ES256"),
) -> AssertionClaims:
    """Authenticate ``client_id`` by its assertion, or raise :class:`InvalidClientAssertion`.

    ``client_jwks`` is the client's registered JWK Set (``{"keys": [...]}``). Algorithms outside
    the asymmetric set of :mod:`idp.oidc.jose_policy` are refused even if listed in
    ``allowed_algs``. The ``jti`` is recorded only after every other check passed.
    """
    try:
        received = read_compact(assertion)
        alg = check_alg(received.header, allowed=allowed_algs)
    except JoseRejected as exc:
        raise InvalidClientAssertion(str(exc)) from exc
    _check_signature(received, alg=alg, client_jwks=client_jwks)
    claims = received.claims
    _check_parties(claims, client_id=client_id, issuer=issuer)
    now = clock()
    exp = _check_times(claims, now=now, max_lifetime=max_lifetime)
    jti = _check_jti(claims)
    if not used.first_use("pkjwt-jti", f"{client_id}:{jti}", until=max(exp, now) + REPLAY_MARGIN):
        raise InvalidClientAssertion("client assertion jti was already used (replay)")
    return AssertionClaims(client_id=client_id, jti=jti, exp=exp)


def _check_signature(received: ReceivedJws, *, alg: str, client_jwks: dict[str, Any]) -> None:
    kid = received.header.get("kid")
    if kid is not None and not isinstance(kid, str):
        raise InvalidClientAssertion("kid must be a string")
    keys = _registered_keys(client_jwks)
    if kid is not None:
        keys = [key for key in keys if key.kid == kid]
        if not keys:
            raise InvalidClientAssertion(f"no registered key has kid {kid!r}")
    candidates = [key for key in keys if key_fits(key, alg)]
    if not candidates:
        raise InvalidClientAssertion(f"no registered key can verify {alg}")
    if not any(signature_is_valid(received, key=key) for key in candidates):
        raise InvalidClientAssertion("client assertion signature is invalid")


def _registered_keys(client_jwks: dict[str, Any]) -> list[Key]:
    # A malformed or private registered key is skipped rather than trusted.
    entries = client_jwks.get("keys")
    keys: list[Key] = []
    for entry in entries if isinstance(entries, list) else []:
        try:
            keys.append(public_key_from_jwk(entry))
        except JoseRejected:
            continue
    return keys


def _check_parties(claims: dict[str, Any], *, client_id: str, issuer: str) -> None:
    if claims.get("iss") != client_id:
        raise InvalidClientAssertion("iss must be the client_id")
    if claims.get("sub") != client_id:
        raise InvalidClientAssertion("sub must be the client_id")
    aud = claims.get("aud")
    if isinstance(aud, list):
        raise InvalidClientAssertion("aud must be the issuer identifier as a single string, not an array")
    if aud != issuer:
        raise InvalidClientAssertion(f"aud must be the issuer identifier {issuer}")


def _check_times(claims: dict[str, Any], *, now: float, max_lifetime: int) -> int:
    try:
        exp = numeric_date(claims, "exp")
        iat = numeric_date(claims, "iat")
        nbf = numeric_date(claims, "nbf")
    except JoseRejected as exc:
        raise InvalidClientAssertion(str(exc)) from exc
    if exp is None:
        raise InvalidClientAssertion("client assertion has no exp")
    if exp <= now:
        raise InvalidClientAssertion("client assertion has expired")
    if iat is not None and iat > now + MAX_FUTURE_SKEW:
        raise InvalidClientAssertion("client assertion iat is in the future")
    if nbf is not None and nbf > now + MAX_FUTURE_SKEW:
        raise InvalidClientAssertion("client assertion is not valid yet (nbf)")
    if exp - (iat if iat is not None else now) > max_lifetime:
        raise InvalidClientAssertion(f"client assertion lives longer than {max_lifetime} s")
    return exp


def _check_jti(claims: dict[str, Any]) -> str:
    jti = claims.get("jti")
    if not isinstance(jti, str) or not jti:
        raise InvalidClientAssertion("client assertion has no jti")
    if len(jti) > MAX_JTI_LENGTH:
        raise InvalidClientAssertion(f"client assertion jti is longer than {MAX_JTI_LENGTH} characters")
    return jti
