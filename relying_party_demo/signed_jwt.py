"""Signature checks shared by ID tokens and access tokens.

Only asymmetric algorithms the IdP uses are accepted (never ``none`` or ``HS*``, which would let
anyone holding the public key forge tokens), the key is chosen by ``kid`` from the IdP's JWKS
only (``jwk``/``jku``/``x5u`` headers are ignored), and the ``typ`` header is checked per use.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import Key, KeySet

from relying_party_demo.jwks import JwksFetcher

ALLOWED_ALGORITHMS = frozenset({"RS256", "ES256"})
KEY_TYPE_FOR_ALG = {"RS256": "RSA", "ES256": "EC"}


class JwtRejected(Exception):
    """The JWT failed a check; the message says which, in words fit for an error_description."""


@dataclass(frozen=True)
class VerifiedJwt:
    header: dict[str, Any]
    claims: dict[str, Any]


def verify_signed_jwt(value: str, *, keys: JwksFetcher, typ_allowed: Callable[[str | None], bool]) -> VerifiedJwt:
    """Check the header and the signature; claims are the caller's business."""
    header = _read_header(value)
    alg = header.get("alg")
    if alg not in ALLOWED_ALGORITHMS:
        raise JwtRejected(f"signing algorithm {alg!r} is not accepted")
    typ = header.get("typ")
    if not typ_allowed(typ if isinstance(typ, str) else None):
        raise JwtRejected(f"token type {typ!r} is not accepted here")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise JwtRejected("token header has no kid")
    key = _find_key(keys, kid, alg)
    try:
        token = jwt.decode(value, key, algorithms=[alg])
    except JoseError as exc:
        raise JwtRejected(f"signature or payload is invalid ({exc.error})") from exc
    return VerifiedJwt(header=dict(token.header), claims=dict(token.claims))


def _read_header(value: str) -> dict[str, Any]:
    if not value or value.count(".") != 2:
        raise JwtRejected("token is not a compact JWS")
    try:
        return dict(jws.extract_compact(value.encode("ascii")).headers())
    except (JoseError, ValueError, UnicodeError) as exc:
        raise JwtRejected("token header cannot be decoded") from exc


def _find_key(keys: JwksFetcher, kid: str, alg: str) -> Key:
    key = _select(keys.key_set(), kid, alg)
    if key is None:
        refreshed = keys.refresh_for_unknown_kid()
        key = _select(refreshed, kid, alg) if refreshed is not None else None
    if key is None:
        raise JwtRejected(f"no signing key with kid {kid!r} for {alg}")
    return key


def _select(key_set: KeySet, kid: str, alg: str) -> Key | None:
    for key in key_set.keys:
        if key.kid != kid or key.key_type != KEY_TYPE_FOR_ALG[alg]:
            continue
        if key.get("use") not in (None, "sig") or key.get("alg") not in (None, alg):
            continue
        return key
    return None
