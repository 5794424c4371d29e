"""Keys, signed tokens, DPoP proofs and request helpers for tests of relying parties.

Test support, like :mod:`relying_party_demo.testing`; the RP application never imports it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import time
from typing import Any

from joserfc import jws, jwt
from joserfc.jwk import ECKey, KeyParameters, RSAKey

SigningKey = RSAKey | ECKey


def generate_signing_key(alg: str = "RS256", kid: str | None = None) -> SigningKey:
    params: KeyParameters = {
        "kid": kid or f"{alg.lower()}-{secrets.token_hex(4)}",
        "alg": alg,
        "use": "sig",
    }
    if alg == "RS256":
        return RSAKey.generate_key(2048, parameters=params, private=True)
    return ECKey.generate_key("P-256", parameters=params, private=True)


def sign(claims: dict[str, Any], key: SigningKey, **header: Any) -> str:
    """Sign ``claims`` with ``key``; ``alg`` and ``kid`` default to the key's own."""
    full_header = {"alg": key.alg, "kid": key.kid, **header}
    return jwt.encode(full_header, claims, key, algorithms=[full_header["alg"]])


class ManualClock:
    """A clock the test moves by hand (for caches and cooldowns)."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def bearer(token: str) -> dict[str, str]:
    """Request headers carrying ``token`` the way the API expects it."""
    return {"Authorization": f"Bearer {token}"}


def csrf_token_from(html: str) -> str:
    """The CSRF token of the first form on a rendered page."""
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    if found is None:
        raise AssertionError("the page has no CSRF token")
    return found.group(1)


def dpop(token: str, proof: str) -> dict[str, str]:
    """Request headers presenting a DPoP-bound ``token`` with its ``proof``."""
    return {"Authorization": f"DPoP {token}", "DPoP": proof}


def dpop_proof(key: ECKey | RSAKey, method: str, url: str, token: str | None = None, **overrides: Any) -> str:
    """An RFC 9449 proof signed with ``key`` for ``method`` ``url`` (and ``token``'s ``ath``);
    ``overrides`` replace claims, or header fields when prefixed with ``header_``."""
    claims: dict[str, Any] = {"htm": method, "htu": url, "iat": int(time.time()), "jti": secrets.token_urlsafe(12)}
    if token is not None:
        digest = hashlib.sha256(token.encode("ascii")).digest()
        claims["ath"] = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    alg = "ES256" if isinstance(key, ECKey) else "RS256"
    header: dict[str, Any] = {"typ": "dpop+jwt", "alg": alg, "jwk": key.as_dict(private=False)}
    for name, value in overrides.items():
        if name.startswith("header_"):
            header[name.removeprefix("header_")] = value
        else:
            claims[name] = value
    claims = {k: v for k, v in claims.items() if v is not None}
    header = {k: v for k, v in header.items() if v is not None}
    return jws.serialize_compact(header, json_bytes(claims), key, algorithms=[header.get("alg", alg)])


def json_bytes(data: dict[str, Any]) -> bytes:
    return json.dumps(data, separators=(",", ":")).encode()
