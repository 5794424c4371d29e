"""A test certification authority for qualified electronic signatures (dev mode only).

``ensure(keys_dir, personas)`` creates, once, under ``keys/qes/``: the CA (``ca.pem``,
``ca.key`` mode 0600), its CRL (``ca.crl``), and for each persona with a SNILS a certificate
whose subject carries SNILS (OID 1.2.643.100.3) and INN (1.2.643.3.131.1.1) with the key in
``<persona>.p12`` (password ``gosid-qes``; RSA, one ECDSA P-256 and one GOST R 34.10-2012, whose
key is ``<persona>.key.pem`` PKCS#8 next to ``<persona>.pem`` because PKCS#12 tools rarely
speak GOST). For ``patient_moscow`` there are also broken variants: ``-expired``, ``-revoked``
(listed in the CRL), ``-selfsigned``, ``-wrong-snils`` and ``-no-keyusage``.
"""

from __future__ import annotations

import json
import os
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from asn1crypto import core
from asn1crypto import x509 as ax509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

P12_PASSWORD = "gosid-qes"  # noqa: S105 - public test data, printed by gosid init
OID_SNILS = x509.ObjectIdentifier("1.2.643.100.3")
OID_INN = x509.ObjectIdentifier("1.2.643.3.131.1.1")
ECDSA_PERSONAS = {"doctor_moscow"}
GOST_PERSONAS = {"registrar_moscow"}
VARIANTS = ("expired", "revoked", "selfsigned", "wrong-snils", "no-keyusage")
WRONG_SNILS = "11223344595"  # a valid SNILS nobody in the personas has


def _private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def person_name(p: dict[str, Any], snils: str | None = None) -> x509.Name:
    attrs = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "RU"),
        x509.NameAttribute(NameOID.SURNAME, p["surname"]),
        x509.NameAttribute(NameOID.GIVEN_NAME, " ".join(v for v in (p["name"], p.get("patronymic")) if v)),
        x509.NameAttribute(
            NameOID.COMMON_NAME, " ".join(v for v in (p["surname"], p["name"], p.get("patronymic")) if v)
        ),
        x509.NameAttribute(OID_SNILS, snils or p["snils"], _type=x509.name._ASN1Type.NumericString),
    ]
    if p.get("inn"):
        attrs.append(x509.NameAttribute(OID_INN, p["inn"], _type=x509.name._ASN1Type.NumericString))
    return x509.Name(attrs)


def _ca(folder: Path) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "RU"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "gosid (тестовый стенд)"),
        x509.NameAttribute(NameOID.COMMON_NAME, "Тестовый УЦ gosid"),
    ])  # fmt: skip
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                     crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    _private(folder / "ca.key", key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                  serialization.NoEncryption()))  # fmt: skip
    (folder / "ca.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key, cert


def _key_usage(signing: bool) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=signing, content_commitment=signing, key_encipherment=not signing,
                         data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                         encipher_only=False, decipher_only=False)  # fmt: skip


def _issue(
    subject: x509.Name, public: Any, *, issuer_key: Any, issuer: x509.Name, variant: str = ""
) -> x509.Certificate:
    now = datetime.now(UTC)
    start, end = (now - timedelta(days=800), now - timedelta(days=35)) if variant == "expired" else (
        now - timedelta(days=1), now + timedelta(days=730))  # fmt: skip
    return (
        x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public)
        .serial_number(x509.random_serial_number()).not_valid_before(start).not_valid_after(end)
        .add_extension(_key_usage(variant != "no-keyusage"), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH, ExtendedKeyUsageOID.EMAIL_PROTECTION]),
                       critical=False)
        .sign(issuer_key, hashes.SHA256())
    )  # fmt: skip


def _p12(path: Path, name: str, key: Any, cert: x509.Certificate, ca: x509.Certificate | None) -> None:
    # Triple-DES and SHA-1 MAC: the widest support (browsers' forge, Windows, old CryptoPro).
    encryption = (
        serialization.PrivateFormat.PKCS12.encryption_builder().kdf_rounds(20000)
        .key_cert_algorithm(pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC).hmac_hash(hashes.SHA1())  # noqa: S303
        .build(P12_PASSWORD.encode())
    )  # fmt: skip
    _private(path, pkcs12.serialize_key_and_certificates(name.encode(), key, cert, [ca] if ca else None, encryption))


def _gost_certificate(folder: Path, key_name: str, person: dict[str, Any], ca_key: rsa.RSAPrivateKey,
                      ca: x509.Certificate) -> None:  # fmt: skip
    """A GOST R 34.10-2012 key certified by the (RSA) test CA, built with asn1crypto."""
    from idp.crypto.asn1 import AnyCertificate, AnyPublicKeyInfo, AnyTbsCertificate
    from idp.crypto.gost import DEFAULT_CURVE_OID, GostPrivateKey, algorithm_identifier

    key = GostPrivateKey.generate(DEFAULT_CURVE_OID)
    now = datetime.now(UTC).replace(microsecond=0)
    ku = ax509.KeyUsage({"digital_signature", "non_repudiation"})
    tbs = AnyTbsCertificate({
        "version": "v3", "serial_number": secrets.randbits(127),
        "signature": {"algorithm": "sha256_rsa", "parameters": core.Null()},
        "issuer": ax509.Name.load(ca.subject.public_bytes()),
        "validity": {"not_before": ax509.Time({"utc_time": now - timedelta(days=1)}),
                     "not_after": ax509.Time({"utc_time": now + timedelta(days=730)})},
        "subject": ax509.Name.load(person_name(person).public_bytes()),
        "subject_public_key_info": AnyPublicKeyInfo({"algorithm": algorithm_identifier(DEFAULT_CURVE_OID),
                                                     "public_key": key.public_key().spki_key_bits()}),
        "extensions": [{"extn_id": "key_usage", "critical": True, "extn_value": ku}],
    })  # fmt: skip
    from cryptography.hazmat.primitives.asymmetric import padding

    signature = ca_key.sign(tbs.dump(), padding.PKCS1v15(), hashes.SHA256())
    rsa_sha256 = {"algorithm": "1.2.840.113549.1.1.11", "parameters": core.Any.load(core.Null().dump())}
    cert = AnyCertificate({"tbs_certificate": tbs, "signature_algorithm": rsa_sha256,
                           "signature_value": core.OctetBitString(signature)})  # fmt: skip
    (folder / f"{key_name}.pem").write_bytes(_pem("CERTIFICATE", cert.dump()))
    _private(folder / f"{key_name}.key.pem", _pem("PRIVATE KEY", key.to_pkcs8()))


def _pem(kind: str, der: bytes) -> bytes:
    import base64
    import textwrap

    body = "\n".join(textwrap.wrap(base64.b64encode(der).decode(), 64))
    return f"-----BEGIN {kind}-----\n{body}\n-----END {kind}-----\n".encode()


def ensure(keys_dir: Path, personas: list[dict[str, Any]]) -> Path:
    """Create the CA and the personas' certificates unless they exist; returns ``keys/qes``."""
    folder = keys_dir / "qes"
    if (folder / "ca.pem").exists() and (folder / "ca.crl").exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    ca_key, ca = _ca(folder)
    revoked: list[int] = []
    index: dict[str, Any] = {}
    for person in personas:
        if not person.get("snils"):
            continue
        key_name = person["key"]
        if key_name in GOST_PERSONAS:
            _gost_certificate(folder, key_name, person, ca_key, ca)
            index[key_name] = {"alg": "GOST R 34.10-2012", "files": [f"{key_name}.pem", f"{key_name}.key.pem"]}
            continue
        for variant in ("", *(VARIANTS if key_name == "patient_moscow" else ())):
            key: Any = ec.generate_private_key(ec.SECP256R1()) if key_name in ECDSA_PERSONAS else \
                rsa.generate_private_key(public_exponent=65537, key_size=2048)  # fmt: skip
            subject = person_name(person, WRONG_SNILS if variant == "wrong-snils" else None)
            if variant == "selfsigned":
                cert = _issue(subject, key.public_key(), issuer_key=key, issuer=subject)
            else:
                cert = _issue(subject, key.public_key(), issuer_key=ca_key, issuer=ca.subject, variant=variant)
            if variant == "revoked":
                revoked.append(cert.serial_number)
            name = key_name + (f"-{variant}" if variant else "")
            _p12(folder / f"{name}.p12", name, key, cert, None if variant == "selfsigned" else ca)
            (folder / f"{name}.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
            index[name] = {"alg": "ECDSA P-256" if key_name in ECDSA_PERSONAS else "RSA 2048", "files": [f"{name}.p12"]}
    _crl(folder, ca_key, ca, revoked)
    (folder / "index.json").write_text(json.dumps(index, ensure_ascii=False, indent=1))
    return folder


def _crl(folder: Path, ca_key: rsa.RSAPrivateKey, ca: x509.Certificate, serials: list[int]) -> None:
    now = datetime.now(UTC)
    builder = x509.CertificateRevocationListBuilder().issuer_name(ca.subject).last_update(now - timedelta(minutes=5))
    builder = builder.next_update(now + timedelta(days=3650))
    for serial in serials:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(now - timedelta(days=1)).build()
        )
    (folder / "ca.crl").write_bytes(builder.sign(ca_key, hashes.SHA256()).public_bytes(serialization.Encoding.DER))
