"""Detached CMS signatures over a login challenge, as a signing tool (CryptoPro, the in-browser
signer) would make them: RSA and ECDSA keys from a PKCS#12 file, GOST R 34.10-2012 keys from a
PKCS#8 file with their certificate. Used by ``gosid sign`` and the tests."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

from asn1crypto import algos, cms, core
from asn1crypto import x509 as ax509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs7, pkcs12


def sign_with_p12(p12: bytes, password: str, challenge: bytes) -> bytes:
    key, cert, extra = pkcs12.load_key_and_certificates(p12, password.encode())
    if key is None or cert is None:
        raise ValueError("the PKCS#12 file has no key or certificate")
    builder = pkcs7.PKCS7SignatureBuilder().set_data(challenge).add_signer(cert, key, hashes.SHA256())  # type: ignore[arg-type]
    for chain_cert in extra:
        builder = builder.add_certificate(chain_cert)
    return builder.sign(serialization.Encoding.DER, [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary])


def sign_with_gost(cert_pem: bytes, key_pem: bytes, challenge: bytes) -> bytes:
    from idp.crypto.asn1 import AnyCertificate
    from idp.crypto.gost import OID_SIGN_GOST2012_256, OID_STREEBOG256, GostPrivateKey, streebog256

    key = GostPrivateKey.from_pkcs8(_der(key_pem))
    cert = AnyCertificate.load(_der(cert_pem))
    tbs = cert["tbs_certificate"]
    attrs = cms.CMSAttributes([
        cms.CMSAttribute({"type": "content_type", "values": ["data"]}),
        cms.CMSAttribute({"type": "signing_time", "values": [cms.Time({"utc_time": datetime.now(UTC)})]}),
        cms.CMSAttribute({"type": "message_digest", "values": [streebog256(challenge)]}),
    ])  # fmt: skip
    signer = cms.SignerInfo({
        "version": "v1",
        "sid": cms.SignerIdentifier({"issuer_and_serial_number": cms.IssuerAndSerialNumber(
            {"issuer": tbs["issuer"], "serial_number": tbs["serial_number"]})}),
        "digest_algorithm": algos.DigestAlgorithm({"algorithm": OID_STREEBOG256}),
        "signed_attrs": attrs,
        "signature_algorithm": algos.SignedDigestAlgorithm({"algorithm": OID_SIGN_GOST2012_256}),
        "signature": key.sign(attrs.dump()),
    })  # fmt: skip
    signed = cms.SignedData({
        "version": "v1", "digest_algorithms": [algos.DigestAlgorithm({"algorithm": OID_STREEBOG256})],
        "encap_content_info": {"content_type": "data"},
        "certificates": [cms.CertificateChoices.load(cert.dump())], "signer_infos": [signer],
    })  # fmt: skip
    return cms.ContentInfo({"content_type": "signed_data", "content": signed}).dump()


def _der(data: bytes) -> bytes:
    if data.lstrip().startswith(b"-----"):
        import base64

        lines = [line for line in data.decode().splitlines() if line and not line.startswith("-----")]
        return base64.b64decode("".join(lines))
    return data


def sign_file(path: Path, password: str, challenge: bytes) -> bytes:
    """``.p12`` (RSA/ECDSA) or a GOST certificate ``.pem`` with its ``.key.pem`` beside it."""
    if path.suffix == ".p12":
        return sign_with_p12(path.read_bytes(), password, challenge)
    return sign_with_gost(path.read_bytes(), path.with_suffix(".key.pem").read_bytes(), challenge)


__all__ = ["ax509", "core", "hashlib", "sign_file", "sign_with_gost", "sign_with_p12", "x509"]
