"""Self-signed certificates for the stand's ESIA signing keys (RSA with ``cryptography``;
GOST built with asn1crypto and signed with gostcrypto, readable by OpenSSL's gost engine)."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from asn1crypto import core, x509
from cryptography import x509 as cx509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from idp.crypto.asn1 import AnyAlgorithm, AnyCertificate, AnyPublicKeyInfo, AnyTbsCertificate
from idp.crypto.gost import DEFAULT_CURVE_OID, OID_SIGN_GOST2012_256, GostPrivateKey, algorithm_identifier

VALIDITY = timedelta(days=3 * 365)


def generate(alg: str, *, common_name: str) -> tuple[bytes, bytes]:
    """(certificate DER, PKCS#8 private key DER) for ``RS256`` or ``GOST3410_2012_256``."""
    if alg == "RS256":
        return _rsa(common_name)
    return _gost(common_name)


def _rsa(common_name: str) -> tuple[bytes, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = cx509.Name(
        [
            cx509.NameAttribute(NameOID.COUNTRY_NAME, "RU"),
            cx509.NameAttribute(NameOID.ORGANIZATION_NAME, "gosid"),
            cx509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    now = datetime.now(UTC)
    cert = (
        cx509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(cx509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + VALIDITY)
        .sign(key, hashes.SHA256())
    )
    pkcs8 = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return cert.public_bytes(serialization.Encoding.DER), pkcs8


def _gost(common_name: str) -> tuple[bytes, bytes]:
    key = GostPrivateKey.generate(DEFAULT_CURVE_OID)
    public = key.public_key()
    name = x509.Name.build({"country_name": "RU", "organization_name": "gosid", "common_name": common_name})
    now = datetime.now(UTC).replace(microsecond=0)
    tbs = AnyTbsCertificate(
        {
            "version": "v3",
            "serial_number": secrets.randbits(127),
            "signature": {"algorithm": OID_SIGN_GOST2012_256},
            "issuer": name,
            "validity": {
                "not_before": x509.Time({"utc_time": now - timedelta(minutes=5)}),
                "not_after": x509.Time({"utc_time": now + VALIDITY}),
            },
            "subject": name,
            "subject_public_key_info": AnyPublicKeyInfo(
                {"algorithm": algorithm_identifier(DEFAULT_CURVE_OID), "public_key": public.spki_key_bits()}
            ),
        }
    )
    cert = AnyCertificate(
        {
            "tbs_certificate": tbs,
            "signature_algorithm": AnyAlgorithm({"algorithm": OID_SIGN_GOST2012_256}),
            "signature_value": core.OctetBitString(key.sign(tbs.dump())),
        }
    )
    return cert.dump(), key.to_pkcs8()
