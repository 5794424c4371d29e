"""Tiny builders for the signed JWTs a client sends: DPoP proofs (RFC 9449) and
``private_key_jwt`` client assertions (RFC 7523). Independent of the IdP's own code.

Every builder takes keyword overrides; an override set to ``None`` removes that member, so a
test can send a proof without ``jti`` or an assertion without ``exp``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
import uuid
from typing import Any

from joserfc import jws
from joserfc.jwk import ECKey, Key, RSAKey

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def ec_key(kid: str | None = None) -> ECKey:
    """A fresh P-256 private key (ES256)."""
    return ECKey.generate_key("P-256", parameters={"kid": kid} if kid else None, private=True)


def rsa_key(kid: str | None = None) -> RSAKey:
    """A fresh RSA-2048 private key (RS256, PS256)."""
    return RSAKey.generate_key(2048, parameters={"kid": kid} if kid else None, private=True)


def public_jwks(*keys: Key) -> dict[str, Any]:
    """A JWK Set of the public halves of ``keys``, as a client registers it."""
    return {"keys": [key.as_dict(private=False) for key in keys]}


def jkt(key: Key) -> str:
    """The RFC 7638 SHA-256 thumbprint of ``key``'s public half (the ``dpop_jkt`` value)."""
    return key.thumbprint()


def ath(access_token: str) -> str:
    """base64url(SHA-256(access_token)) without padding: the proof's ``ath`` claim."""
    return base64.urlsafe_b64encode(hashlib.sha256(access_token.encode("ascii")).digest()).rstrip(b"=").decode()


def _alg_for(key: Key) -> str:
    return "ES256" if key.key_type == "EC" else "RS256"


def _drop_none(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def _sign(header: dict[str, Any], claims: dict[str, Any], key: Key) -> str:
    alg = header["alg"]
    return jws.serialize_compact(header, json.dumps(claims), key, algorithms=[alg])


def dpop_proof(
    key: Key,
    *,
    htm: str = "POST",
    htu: str,
    nonce: str | None = None,
    access_token: str | None = None,
    header: dict[str, Any] | None = None,
    **claims: Any,
) -> str:
    """A DPoP proof for ``htm htu`` signed by ``key``; ``ath`` is added for ``access_token``.

    Defaults: ``typ=dpop+jwt``, the key's public JWK in the header, a fresh ``jti``, ``iat`` now.
    """
    protected = _drop_none(
        {"typ": "dpop+jwt", "alg": _alg_for(key), "jwk": key.as_dict(private=False), **(header or {})}
    )
    body: dict[str, Any] = {"jti": uuid.uuid4().hex, "htm": htm, "htu": htu, "iat": int(time.time())}
    if nonce is not None:
        body["nonce"] = nonce
    if access_token is not None:
        body["ath"] = ath(access_token)
    body.update(claims)
    return _sign(protected, _drop_none(body), key)


def client_assertion(
    key: Key,
    *,
    client_id: str,
    audience: Any,
    lifetime: int = 60,
    header: dict[str, Any] | None = None,
    **claims: Any,
) -> str:
    """A ``private_key_jwt`` assertion: ``iss = sub = client_id``, ``aud = audience``, fresh ``jti``."""
    now = int(time.time())
    protected = _drop_none({"alg": _alg_for(key), "typ": "JWT", "kid": key.kid, **(header or {})})
    body: dict[str, Any] = {
        "iss": client_id,
        "sub": client_id,
        "aud": audience,
        "jti": uuid.uuid4().hex,
        "iat": now,
        "exp": now + lifetime,
    }
    body.update(claims)
    return _sign(protected, _drop_none(body), key)


def assertion_form(assertion: str, **extra: str) -> dict[str, str]:
    """Form fields that authenticate a client with ``assertion``."""
    return {"client_assertion_type": ASSERTION_TYPE, "client_assertion": assertion, **extra}
