"""A small software authenticator for tests (modelled on soft-webauthn, ES256, "none"
attestation), with switchable user presence / verification, sign counter and origin, so
the negative cases of WebAuthn can be produced on purpose."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import struct
from dataclasses import dataclass, field
from typing import Any

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

FLAG_UP, FLAG_UV, FLAG_AT = 0x01, 0x04, 0x40


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64u(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class SoftAuthenticator:
    """One credential; ``user_present``/``user_verified`` set the flags, ``sign_count`` the
    counter (it is incremented before each assertion unless ``counter_step`` is 0)."""

    rp_id: str = "localhost"
    origin: str = "http://localhost:8000"
    user_present: bool = True
    user_verified: bool = True
    sign_count: int = 0
    counter_step: int = 1
    credential_id: bytes = field(default_factory=lambda: os.urandom(32))
    user_handle: bytes = b""
    key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))

    def _flags(self, extra: int = 0) -> int:
        return (FLAG_UP if self.user_present else 0) | (FLAG_UV if self.user_verified else 0) | extra

    def _cose_key(self) -> bytes:
        numbers = self.key.public_key().public_numbers()
        return cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})

    def _client_data(self, kind: str, challenge: str, origin: str | None) -> bytes:
        payload = {"type": kind, "challenge": challenge, "origin": origin or self.origin, "crossOrigin": False}
        return json.dumps(payload, separators=(",", ":")).encode()

    def create(self, options: dict[str, Any] | str, *, origin: str | None = None, rp_id: str | None = None) -> str:
        """The JSON a browser would post after navigator.credentials.create(options)."""
        opts = json.loads(options) if isinstance(options, str) else options
        self.user_handle = unb64u(opts["user"]["id"])
        rp_hash = hashlib.sha256((rp_id or opts["rp"]["id"]).encode()).digest()
        attested = bytes(16) + struct.pack(">H", len(self.credential_id)) + self.credential_id + self._cose_key()
        auth_data = rp_hash + bytes([self._flags(FLAG_AT)]) + struct.pack(">I", self.sign_count) + attested
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        client_data = self._client_data("webauthn.create", opts["challenge"], origin)
        return json.dumps({
            "id": b64u(self.credential_id), "rawId": b64u(self.credential_id), "type": "public-key",
            "response": {"clientDataJSON": b64u(client_data), "attestationObject": b64u(attestation),
                         "transports": ["internal"]},
            "clientExtensionResults": {},
        })  # fmt: skip

    def get(
        self,
        options: dict[str, Any] | str,
        *,
        origin: str | None = None,
        rp_id: str | None = None,
        bogus_signature: bool = False,
    ) -> str:
        """The JSON a browser would post after navigator.credentials.get(options)."""
        opts = json.loads(options) if isinstance(options, str) else options
        self.sign_count += self.counter_step
        rp_hash = hashlib.sha256((rp_id or opts.get("rpId") or self.rp_id).encode()).digest()
        auth_data = rp_hash + bytes([self._flags()]) + struct.pack(">I", self.sign_count)
        client_data = self._client_data("webauthn.get", opts["challenge"], origin)
        signed = auth_data + hashlib.sha256(client_data).digest()
        signature = self.key.sign(signed, ec.ECDSA(hashes.SHA256()))
        if bogus_signature:
            signature = self.key.sign(b"something else", ec.ECDSA(hashes.SHA256()))
        return json.dumps({
            "id": b64u(self.credential_id), "rawId": b64u(self.credential_id), "type": "public-key",
            "response": {"clientDataJSON": b64u(client_data), "authenticatorData": b64u(auth_data),
                         "signature": b64u(signature), "userHandle": b64u(self.user_handle)},
            "clientExtensionResults": {},
        })  # fmt: skip
