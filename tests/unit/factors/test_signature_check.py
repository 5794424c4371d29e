"""Detached CMS signatures: RSA, ECDSA and GOST succeed; every kind of bad certificate or
signature is refused with its own error."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from asn1crypto import cms
from cryptography import x509

from idp.authn import errors as e
from idp.factors.signature_check import TrustStore, verify_detached
from simulators.qes_signer import sign_file

CHALLENGE = b"gosid-login:abc:1790000000"


def trust(qes_dir: Path, *, crl: bool = True) -> TrustStore:
    ca = x509.load_pem_x509_certificate((qes_dir / "ca.pem").read_bytes())
    crls = [x509.load_der_x509_crl((qes_dir / "ca.crl").read_bytes())] if crl else []
    return TrustStore([ca], crls)


def check(qes_dir: Path, name: str, content: bytes = CHALLENGE, **kwargs: object) -> object:
    der = sign_file(qes_dir / name, "gosid-qes", CHALLENGE)
    return verify_detached(der, content, trust=trust(qes_dir, **kwargs), now=datetime.now(UTC))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "algorithm"),
    [("patient_moscow.p12", "1.2.840.113549.1.1.1"), ("doctor_moscow.p12", "1.2.840.10045.2.1"),
     ("registrar_moscow.pem", "1.2.643.7.1.1.1.1")],
)  # fmt: skip
def test_rsa_ecdsa_and_gost_signatures_verify(qes_dir: Path, name: str, algorithm: str) -> None:
    signer = check(qes_dir, name)
    assert signer.algorithm == algorithm and signer.snils and len(signer.snils) == 11  # type: ignore[attr-defined]
    assert signer.inn  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("name", "error"),
    [("patient_moscow-expired.p12", e.QesExpired), ("patient_moscow-revoked.p12", e.QesRevoked),
     ("patient_moscow-selfsigned.p12", e.QesUntrusted), ("patient_moscow-no-keyusage.p12", e.QesKeyUsage)],
)  # fmt: skip
def test_bad_certificates_are_refused(qes_dir: Path, name: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        check(qes_dir, name)


def test_wrong_snils_is_reported_to_the_caller(qes_dir: Path) -> None:
    signer = check(qes_dir, "patient_moscow-wrong-snils.p12")
    assert signer.snils == "11223344595"  # type: ignore[attr-defined]


def test_a_signature_over_other_data_is_refused(qes_dir: Path) -> None:
    with pytest.raises(e.QesTampered):
        check(qes_dir, "patient_moscow.p12", content=b"gosid-login:another-challenge")
    with pytest.raises(e.QesTampered):
        check(qes_dir, "registrar_moscow.pem", content=b"gosid-login:another-challenge")


def test_altered_signature_bytes_are_refused(qes_dir: Path) -> None:
    der = bytearray(sign_file(qes_dir / "patient_moscow.p12", "gosid-qes", CHALLENGE))
    info = cms.ContentInfo.load(bytes(der))
    signature = info["content"]["signer_infos"][0]["signature"].native
    at = bytes(der).index(signature)
    der[at + 10] ^= 0xFF
    with pytest.raises(e.QesTampered):
        verify_detached(bytes(der), CHALLENGE, trust=trust(qes_dir), now=datetime.now(UTC))


def test_without_a_crl_revocation_is_unknown_and_refused(qes_dir: Path) -> None:
    with pytest.raises(e.QesRevocationUnknown):
        check(qes_dir, "patient_moscow.p12", crl=False)


def test_validity_is_checked_against_now(qes_dir: Path) -> None:
    der = sign_file(qes_dir / "patient_moscow.p12", "gosid-qes", CHALLENGE)
    with pytest.raises(e.QesExpired):
        verify_detached(der, CHALLENGE, trust=trust(qes_dir), now=datetime.now(UTC) + timedelta(days=3000))


@pytest.mark.parametrize("garbage", [b"", b"not a cms", b"0\x03\x02\x01\x00"])
def test_garbage_is_malformed(qes_dir: Path, garbage: bytes) -> None:
    with pytest.raises(e.QesMalformed):
        verify_detached(garbage, CHALLENGE, trust=trust(qes_dir), now=datetime.now(UTC))
