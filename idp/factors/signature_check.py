"""Verifying a detached CMS signature made with a qualified certificate (RSA, ECDSA, GOST R
34.10-2012): the signature and its signed attributes, the chain to a trusted CA, validity dates,
key usage and revocation by the CA's CRL. Pure functions; each refusal is its own error class
(``idp.authn.errors.Qes*``), so the person learns exactly what is wrong."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from asn1crypto import cms, core
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from idp.authn import errors as e
from idp.crypto.asn1 import AnyCertificate
from idp.crypto.gost import OID_GOST2012_256, OID_STREEBOG256, GostPublicKey, streebog256

OID_SNILS, OID_INN = "1.2.643.100.3", "1.2.643.3.131.1.1"
DIGESTS: dict[str, Callable[[bytes], bytes]] = {
    "2.16.840.1.101.3.4.2.1": lambda d: hashlib.sha256(d).digest(),
    "2.16.840.1.101.3.4.2.2": lambda d: hashlib.sha384(d).digest(),
    "2.16.840.1.101.3.4.2.3": lambda d: hashlib.sha512(d).digest(),
    OID_STREEBOG256: streebog256,
}
HASHES: dict[str, hashes.HashAlgorithm] = {
    "2.16.840.1.101.3.4.2.1": hashes.SHA256(), "2.16.840.1.101.3.4.2.2": hashes.SHA384(),
    "2.16.840.1.101.3.4.2.3": hashes.SHA512(),
}  # fmt: skip

CERT_SIGNATURE_HASHES: dict[str, hashes.HashAlgorithm] = {
    "1.2.840.113549.1.1.11": hashes.SHA256(), "1.2.840.10045.4.3.2": hashes.SHA256(),
    "1.2.840.113549.1.1.12": hashes.SHA384(), "1.2.840.113549.1.1.13": hashes.SHA512(),
}  # fmt: skip


@dataclass(frozen=True)
class SignerCertificate:
    snils: str | None
    inn: str | None
    common_name: str
    serial: int
    algorithm: str


@dataclass(frozen=True)
class TrustStore:
    authorities: list[x509.Certificate]
    crls: list[x509.CertificateRevocationList]


def verify_detached(der: bytes, content: bytes, *, trust: TrustStore, now: datetime) -> SignerCertificate:
    signed, signer = _parse(der, content)
    cert = _signer_certificate(signed, signer)
    _check_signature(signer, cert, content)
    authority = _check_chain(cert, trust)
    tbs = cert["tbs_certificate"]
    if not tbs["validity"]["not_before"].native <= now <= tbs["validity"]["not_after"].native:
        raise e.QesExpired()
    usage = _key_usage(cert)
    if not usage & {"digital_signature", "non_repudiation"}:
        raise e.QesKeyUsage()
    _check_revocation(int(tbs["serial_number"].native), authority, trust, now)
    subject = _subject(cert)
    algorithm = tbs["subject_public_key_info"]["algorithm"]["algorithm"].dotted
    return SignerCertificate(
        snils=subject.get(OID_SNILS),
        inn=subject.get(OID_INN),
        common_name=subject.get("2.5.4.3", ""),
        serial=int(tbs["serial_number"].native),
        algorithm=algorithm,
    )


def _parse(der: bytes, content: bytes) -> tuple[Any, Any]:
    try:
        info = cms.ContentInfo.load(der, strict=True)
        if info["content_type"].native != "signed_data":
            raise e.QesMalformed()
        signed = info["content"]
        signers = list(signed["signer_infos"])
        encapsulated = signed["encap_content_info"]["content"].native
    except (ValueError, TypeError, KeyError) as exc:
        raise e.QesMalformed() from exc
    if len(signers) != 1:
        raise e.QesMalformed()
    if encapsulated is not None and encapsulated != content:
        raise e.QesTampered()
    return signed, signers[0]


def _signer_certificate(signed: Any, signer: Any) -> Any:
    sid = signer["sid"]
    if sid.name != "issuer_and_serial_number":
        raise e.QesMalformed()
    issuer, serial = sid.chosen["issuer"], sid.chosen["serial_number"].native
    candidates = [AnyCertificate.load(choice.chosen.dump()) for choice in signed["certificates"] or []]
    same_serial = [c for c in candidates if c["tbs_certificate"]["serial_number"].native == serial]
    # Names compare by RFC 5280 rules, not bytes. Some signers (forge) mangle non-ASCII issuer
    # names in the signer id, so a lone certificate with the serial is accepted too: the chain
    # and the signature are then checked against that very certificate.
    exact = [c for c in same_serial if c["tbs_certificate"]["issuer"] == issuer]
    if exact or len(same_serial) == 1:
        return (exact or same_serial)[0]
    raise e.QesMalformed()


def _check_signature(signer: Any, cert: Any, content: bytes) -> None:
    digest_oid = signer["digest_algorithm"]["algorithm"].dotted
    if digest_oid not in DIGESTS:
        raise e.QesMalformed()
    attrs = signer["signed_attrs"]
    if not attrs:
        raise e.QesMalformed()  # the signed attributes bind the content type and the digest
    found = {a["type"].native: a["values"][0].native for a in attrs}
    if found.get("message_digest") != DIGESTS[digest_oid](content):
        raise e.QesTampered()
    if found.get("content_type") != "data":
        raise e.QesMalformed()
    signed_bytes = b"\x31" + attrs.dump()[1:]  # DER of the SET, as signed (RFC 5652 §5.4)
    if not _verify_key(cert, signed_bytes, signer["signature"].native, digest_oid):
        raise e.QesTampered()


def _verify_key(cert: Any, data: bytes, signature: bytes, digest_oid: str) -> bool:
    spki = cert["tbs_certificate"]["subject_public_key_info"]
    algorithm = spki["algorithm"]["algorithm"].dotted
    if algorithm == OID_GOST2012_256:
        key = GostPublicKey.from_spki(spki["algorithm"]["parameters"], spki["public_key"].native)
        return key.verify(data, signature) or key.verify(data, signature, order="cryptopro")
    if digest_oid not in HASHES:
        return False
    public = serialization.load_der_public_key(spki.dump())
    try:
        if isinstance(public, rsa.RSAPublicKey):
            public.verify(signature, data, padding.PKCS1v15(), HASHES[digest_oid])
        elif isinstance(public, ec.EllipticCurvePublicKey):
            public.verify(signature, data, ec.ECDSA(HASHES[digest_oid]))
        else:
            return False
    except InvalidSignature:
        return False
    return True


def _check_chain(cert: Any, trust: TrustStore) -> x509.Certificate:
    tbs = cert["tbs_certificate"]
    for authority in trust.authorities:
        if authority.subject.public_bytes() != tbs["issuer"].dump():
            continue
        public = authority.public_key()
        oid = cert["signature_algorithm"]["algorithm"].dotted
        chosen = CERT_SIGNATURE_HASHES.get(oid)
        if chosen is None:
            continue
        try:
            if isinstance(public, rsa.RSAPublicKey):
                public.verify(cert["signature_value"].native, tbs.dump(), padding.PKCS1v15(), chosen)
            elif isinstance(public, ec.EllipticCurvePublicKey):
                public.verify(cert["signature_value"].native, tbs.dump(), ec.ECDSA(chosen))
            else:
                continue
        except InvalidSignature:
            continue
        return authority
    raise e.QesUntrusted()


def _check_revocation(serial: int, authority: x509.Certificate, trust: TrustStore, now: datetime) -> None:
    for crl in trust.crls:
        if crl.issuer != authority.subject or not crl.is_signature_valid(authority.public_key()):  # type: ignore[arg-type]
            continue
        if crl.next_update_utc is not None and crl.next_update_utc < now:
            raise e.QesRevocationUnknown()
        if crl.get_revoked_certificate_by_serial_number(serial) is not None:
            raise e.QesRevoked()
        return
    raise e.QesRevocationUnknown()  # fail closed: no CRL of this CA


def _key_usage(cert: Any) -> set[str]:
    for extension in cert["tbs_certificate"]["extensions"] or []:
        if extension["extn_id"].native == "key_usage":
            return set(extension["extn_value"].parsed.native)
    return set()


def _subject(cert: Any) -> dict[str, str]:
    values: dict[str, str] = {}
    for rdn in cert["tbs_certificate"]["subject"].chosen:
        for attribute in rdn:
            value = attribute["value"]
            parsed = core.load(value.dump()) if isinstance(value, core.Any) else value
            values[attribute["type"].dotted] = str(parsed.native)
    return values
