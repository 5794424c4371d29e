"""Compact JWS with the two algorithms ESIA uses: RS256 and GOST3410_2012_256 (a raw
GOST R 34.10-2012-256 signature over Streebog-256 of ``header.payload``, OpenSSL layout)."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from idp.crypto.certs import ClientCertificate
from idp.crypto.encoding import b64url
from idp.crypto.errors import CryptoError


class InvalidJws(CryptoError):
    """Not a JWS this stand signed, or its signature does not verify."""


@dataclass(frozen=True)
class SigningKey:
    alg: str
    private: Any = field(repr=False)
    certificate: ClientCertificate

    def sign(self, data: bytes) -> bytes:
        if self.alg == "RS256":
            signature: bytes = self.private.sign(data, padding.PKCS1v15(), hashes.SHA256())
            return signature
        return bytes(self.private.sign(data))


def encode(header: dict[str, Any], claims: dict[str, Any], key: SigningKey) -> str:
    head = b64url(json.dumps({**header, "alg": key.alg}, separators=(",", ":")).encode())
    body = b64url(json.dumps(claims, separators=(",", ":"), ensure_ascii=False).encode())
    signing_input = f"{head}.{body}".encode("ascii")
    return f"{head}.{body}.{b64url(key.sign(signing_input))}"


def _part(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except ValueError as exc:
        raise InvalidJws("malformed token") from exc


def decode(token: str, certificates: dict[str, list[ClientCertificate]]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(header, claims) if one of the certificates for the token's ``alg`` verifies it."""
    parts = token.split(".")
    if len(parts) != 3:
        raise InvalidJws("not a compact JWS")
    try:
        header, claims = json.loads(_part(parts[0])), json.loads(_part(parts[1]))
    except ValueError as exc:
        raise InvalidJws("malformed token") from exc
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise InvalidJws("malformed token")
    signing_input, signature = f"{parts[0]}.{parts[1]}".encode("ascii"), _part(parts[2])
    for cert in certificates.get(str(header.get("alg")), []):
        if cert.verify(signing_input, signature):
            return header, claims
    raise InvalidJws("signature does not verify with any current ESIA signing certificate")
