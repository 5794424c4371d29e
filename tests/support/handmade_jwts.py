"""JWTs built by hand, never with the IdP's code, so the IdP's checks are what is under test:
unsecured and HS256 tokens, signed tokens with any header, client assertions and DPoP proofs
with any claim overridden (an override of ``None`` drops the claim)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from typing import Any

from flask.testing import FlaskClient
from joserfc import jws
from joserfc.jwk import Key, KeySet

from tests.support.clients import ISSUER


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_json(value: dict[str, Any]) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


def unsecured_jwt(header: dict[str, Any], claims: dict[str, Any]) -> str:
    """An ``alg: none`` JWT (RFC 7519 §6): header.payload and an empty signature."""
    return f"{b64url_json({**header, 'alg': 'none'})}.{b64url_json(claims)}."


def hs256_jwt(header: dict[str, Any], claims: dict[str, Any], secret: bytes) -> str:
    """An HS256 JWT MAC'd with ``secret`` (for key confusion: the server's *public* key)."""
    signing_input = f"{b64url_json({**header, 'alg': 'HS256'})}.{b64url_json(claims)}"
    mac = hmac.new(secret, signing_input.encode("ascii"), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(mac)}"


def signed_jwt(key: Key, header: dict[str, Any], claims: dict[str, Any]) -> str:
    alg = header["alg"]
    return jws.serialize_compact(header, json.dumps(claims), key, algorithms=[alg])


def decode_part(token: str, index: int) -> dict[str, Any]:
    part = token.split(".")[index]
    value: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return value


def assertion(key: Key, client_id: str, *, alg: str = "ES256", **overrides: Any) -> str:
    """A ``private_key_jwt`` client assertion; an override of ``None`` drops the claim."""
    now = int(time.time())
    claims = {"iss": client_id, "sub": client_id, "aud": ISSUER, "jti": uuid.uuid4().hex, "iat": now, "exp": now + 60}
    claims.update(overrides)
    return signed_jwt(key, {"alg": alg, "kid": key.kid}, {k: v for k, v in claims.items() if v is not None})


def dpop_proof(key: Key, *, htm: str, htu: str, alg: str = "ES256", **overrides: Any) -> str:
    claims = {"jti": uuid.uuid4().hex, "htm": htm, "htu": htu, "iat": int(time.time()), **overrides}
    header = {"typ": "dpop+jwt", "alg": alg, "jwk": key.as_dict(private=False)}
    return signed_jwt(key, header, {k: v for k, v in claims.items() if v is not None})


def published_keyset(client: FlaskClient) -> KeySet:
    """The IdP's JWKS as any relying party fetches it."""
    return KeySet.import_key_set(client.get("/jwks.json").get_json())
