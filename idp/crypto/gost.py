"""GOST R 34.10-2012 (256-bit) signatures and GOST R 34.11-2012 (Streebog) hashes.

Wraps ``gostcrypto`` (pure Python). Conventions, checked against OpenSSL's gost engine:
a raw signature as OpenSSL writes it is ``s || r`` (big-endian halves); CryptoPro CSP
writes the same 64 bytes reversed. The public key in a certificate is an OCTET STRING of
``X || Y``, each little-endian; a PKCS#8 private key is little-endian too.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import gostcrypto
from asn1crypto import core

from idp.crypto.asn1 import AnyAlgorithm, GostKeyParams, GostPrivateKeyInfo
from idp.crypto.errors import CryptoError

OID_GOST2012_256 = "1.2.643.7.1.1.1.1"
OID_STREEBOG256 = "1.2.643.7.1.1.2.2"
OID_SIGN_GOST2012_256 = "1.2.643.7.1.1.3.2"
# OpenSSL's default ("paramset:A") and CryptoPro's usual curve.
DEFAULT_CURVE_OID = "1.2.643.2.2.35.1"

# Parameter-set OIDs mapped to gostcrypto's names (the CryptoPro sets are the same curves).
CURVES = {
    "1.2.643.2.2.35.1": "id-tc26-gost-3410-2012-256-paramSetB",
    "1.2.643.2.2.35.2": "id-tc26-gost-3410-2012-256-paramSetC",
    "1.2.643.2.2.35.3": "id-tc26-gost-3410-2012-256-paramSetD",
    "1.2.643.2.2.36.0": "id-tc26-gost-3410-2012-256-paramSetB",
    "1.2.643.2.2.36.1": "id-tc26-gost-3410-2012-256-paramSetD",
    "1.2.643.7.1.2.1.1.1": "id-tc26-gost-3410-2012-256-paramSetA",
    "1.2.643.7.1.2.1.1.2": "id-tc26-gost-3410-2012-256-paramSetB",
    "1.2.643.7.1.2.1.1.3": "id-tc26-gost-3410-2012-256-paramSetC",
    "1.2.643.7.1.2.1.1.4": "id-tc26-gost-3410-2012-256-paramSetD",
}

# How the 64 signature bytes may be laid out; "openssl" is the documented one.
BYTE_ORDERS = ("openssl", "cryptopro", "r||s")


class GostError(CryptoError):
    """Unsupported GOST parameters or malformed key material."""


def streebog256(data: bytes) -> bytes:
    return bytes(gostcrypto.gosthash.new("streebog256", data=data).digest())


def _signer(curve_oid: str) -> gostcrypto.gostsignature.GOST34102012:
    name = CURVES.get(curve_oid)
    if name is None:
        raise GostError(f"unsupported GOST R 34.10-2012 parameter set {curve_oid}")
    curve = gostcrypto.gostsignature.CURVES_R_1323565_1_024_2019[name]
    return gostcrypto.gostsignature.new(gostcrypto.gostsignature.MODE_256, curve)


def to_r_s(signature: bytes, order: str) -> bytes:
    """The signature as gostcrypto wants it (``r || s`` big-endian) from a given layout."""
    if order == "openssl":
        return signature[32:] + signature[:32]
    if order == "cryptopro":
        return to_r_s(signature[::-1], "openssl")
    return signature


@dataclass(frozen=True)
class GostPublicKey:
    curve_oid: str
    x: int
    y: int

    @classmethod
    def from_spki(cls, params: core.Any | None, key_bits: bytes) -> GostPublicKey:
        if params is None:
            raise GostError("GOST public key without parameters")
        curve_oid = GostKeyParams.load(params.dump())["public_key_param_set"].dotted
        octets = core.OctetString.load(key_bits).native
        if len(octets) != 64:
            raise GostError(f"GOST R 34.10-2012-256 public key must be 64 bytes, got {len(octets)}")
        return cls(curve_oid, int.from_bytes(octets[:32], "little"), int.from_bytes(octets[32:], "little"))

    def spki_key_bits(self) -> bytes:
        return core.OctetString(self.x.to_bytes(32, "little") + self.y.to_bytes(32, "little")).dump()

    def verify(self, message: bytes, signature: bytes, *, order: str = "openssl") -> bool:
        """Streebog-256 of ``message``, then GOST R 34.10-2012 verification."""
        if len(signature) != 64:
            return False
        public = bytearray(self.x.to_bytes(32, "big") + self.y.to_bytes(32, "big"))
        digest = bytearray(streebog256(message)[::-1])
        try:
            return bool(_signer(self.curve_oid).verify(public, digest, bytearray(to_r_s(signature, order))))
        except gostcrypto.gostsignature.GOSTSignatureError:
            return False


@dataclass(frozen=True)
class GostPrivateKey:
    curve_oid: str
    d: int

    @classmethod
    def generate(cls, curve_oid: str = DEFAULT_CURVE_OID) -> GostPrivateKey:
        q = _signer(curve_oid)._q
        return cls(curve_oid, secrets.randbelow(q - 1) + 1)

    def public_key(self) -> GostPublicKey:
        point = _signer(self.curve_oid).public_key_generate(bytearray(self.d.to_bytes(32, "big")))
        return GostPublicKey(self.curve_oid, int.from_bytes(point[:32], "big"), int.from_bytes(point[32:], "big"))

    def sign(self, message: bytes) -> bytes:
        """A raw signature over Streebog-256 of ``message``, in OpenSSL's ``s || r`` layout."""
        digest = bytearray(streebog256(message)[::-1])
        r_s = bytes(_signer(self.curve_oid).sign(bytearray(self.d.to_bytes(32, "big")), digest))
        return r_s[32:] + r_s[:32]

    def to_pkcs8(self) -> bytes:
        """PKCS#8 DER that OpenSSL's gost engine reads."""
        return GostPrivateKeyInfo(
            {
                "version": 0,
                "algorithm": algorithm_identifier(self.curve_oid),
                "private_key": core.OctetString(self.d.to_bytes(32, "little")).dump(),
            }
        ).dump()

    @classmethod
    def from_pkcs8(cls, der: bytes) -> GostPrivateKey:
        info = GostPrivateKeyInfo.load(der)
        if info["algorithm"]["algorithm"].dotted != OID_GOST2012_256:
            raise GostError("not a GOST R 34.10-2012-256 private key")
        curve_oid = GostKeyParams.load(info["algorithm"]["parameters"].dump())["public_key_param_set"].dotted
        raw = info["private_key"].native
        if len(raw) != 32:  # some writers wrap the key in one more OCTET STRING
            raw = core.OctetString.load(raw).native
        return cls(curve_oid, int.from_bytes(raw, "little"))


def algorithm_identifier(curve_oid: str) -> AnyAlgorithm:
    params = GostKeyParams({"public_key_param_set": curve_oid, "digest_param_set": OID_STREEBOG256})
    return AnyAlgorithm({"algorithm": OID_GOST2012_256, "parameters": core.Any.load(params.dump())})
