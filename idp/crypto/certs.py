"""Certificates of ESIA client systems (RSA or GOST R 34.10-2012-256): parsing, the two
forms of ``client_certificate_hash``, and signature verification with their keys."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from asn1crypto import pem
from cryptography import x509 as cx509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from idp.crypto.asn1 import AnyCertificate
from idp.crypto.errors import CryptoError
from idp.crypto.gost import OID_GOST2012_256, GostError, GostPublicKey, streebog256

RSA = "rsa"
GOST = "gost2012_256"
OID_RSA = "1.2.840.113549.1.1.1"


class CertificateError(CryptoError):
    """Not a certificate this stand can use; the message says why."""


@dataclass(frozen=True)
class ClientCertificate:
    der: bytes
    key_algorithm: str
    subject: str
    serial: int
    issuer_der: bytes
    subject_key_id: bytes | None
    not_after: datetime | None
    spki_der: bytes = field(repr=False)
    public_key: Any = field(repr=False)

    @property
    def sha256_hex(self) -> str:
        return hashlib.sha256(self.der).hexdigest()

    @property
    def gost_hex(self) -> str:
        """Streebog-256 of the DER as OpenSSL's ``dgst -md_gost12_256`` prints it."""
        return streebog256(self.der).hex()

    def verify(self, message: bytes, signature: bytes, *, digest: str = "auto", gost_order: str = "openssl") -> bool:
        """Verify a raw signature: RSA PKCS#1 v1.5 (SHA-256 or Streebog is not RSA) or GOST."""
        if self.key_algorithm == GOST:
            return bool(self.public_key.verify(message, signature, order=gost_order))
        algorithm = hashes.SHA512() if digest == "sha512" else hashes.SHA256()
        try:
            self.public_key.verify(signature, message, padding.PKCS1v15(), algorithm)
        except (InvalidSignature, ValueError):
            return False
        return True

    def describe(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "serial": format(self.serial, "x"),
            "key_algorithm": self.key_algorithm,
            "sha256": self.sha256_hex,
            "gost_r_34_11_2012_256": self.gost_hex,
            "gost_r_34_11_2012_256_reversed": bytes.fromhex(self.gost_hex)[::-1].hex(),
            "not_after": self.not_after.isoformat() if self.not_after else None,
        }


def to_der(data: bytes) -> bytes:
    if pem.detect(data):
        _, _, der = pem.unarmor(data)
        return bytes(der)
    return data


def load_certificate(data: bytes) -> ClientCertificate:
    """Parse a PEM or DER certificate with an RSA or GOST R 34.10-2012-256 key."""
    der = to_der(data)
    try:
        cert = AnyCertificate.load(der)
        tbs = cert["tbs_certificate"]
        spki = tbs["subject_public_key_info"]
        oid = spki["algorithm"]["algorithm"].dotted
        subject = tbs["subject"].human_friendly
    except (ValueError, TypeError, KeyError) as exc:
        raise CertificateError(f"not an X.509 certificate: {exc}") from exc
    ski = _subject_key_id(tbs)
    not_after = tbs["validity"]["not_after"].native
    common = {"der": der, "subject": subject, "serial": tbs["serial_number"].native, "not_after": not_after}
    common.update(issuer_der=tbs["issuer"].dump(), subject_key_id=ski, spki_der=spki.dump())
    if oid == OID_GOST2012_256:
        try:
            key = GostPublicKey.from_spki(spki["algorithm"]["parameters"], spki["public_key"].native)
        except GostError as exc:
            raise CertificateError(str(exc)) from exc
        return ClientCertificate(key_algorithm=GOST, public_key=key, **common)
    if oid == OID_RSA:
        rsa_key = cx509.load_der_x509_certificate(der).public_key()
        assert isinstance(rsa_key, rsa.RSAPublicKey)
        return ClientCertificate(key_algorithm=RSA, public_key=rsa_key, **common)
    raise CertificateError(f"unsupported key algorithm {oid} (RSA or GOST R 34.10-2012-256 expected)")


def _subject_key_id(tbs: Any) -> bytes | None:
    for ext in tbs["extensions"] or []:
        if ext["extn_id"].native == "key_identifier":
            return bytes(ext["extn_value"].parsed.native)
    return None


def hash_matches(cert: ClientCertificate, value: str, *, strict: bool) -> str | None:
    """Which hash form ``value`` is of this certificate (``None`` if neither)."""
    given = value.strip().lower().replace(":", "").replace(" ", "")
    if given == cert.gost_hex:
        return "GOST R 34.11-2012-256 of the DER"
    if strict:
        return None
    if given == cert.sha256_hex:
        return "SHA-256 of the DER"
    if given == bytes.fromhex(cert.gost_hex)[::-1].hex():
        return "GOST R 34.11-2012-256 of the DER, byte-reversed"
    return None
