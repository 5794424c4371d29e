"""Detached CMS (PKCS#7) signatures over a signing string, with or without signed attributes.

The registered certificate is authoritative: the signature must verify with its key. The
signer id in the CMS is compared with it so a refusal can say "signed with another
certificate" rather than just "wrong".
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from asn1crypto import cms

from idp.crypto.certs import GOST, ClientCertificate
from idp.crypto.errors import CryptoError
from idp.crypto.gost import OID_STREEBOG256, streebog256

DIGESTS = {"2.16.840.1.101.3.4.2.1": "sha256", OID_STREEBOG256: "streebog256", "2.16.840.1.101.3.4.2.3": "sha512"}


class NotCms(CryptoError):
    """The bytes are not a CMS SignedData structure."""


@dataclass(frozen=True)
class CmsSignature:
    """What a CMS ``client_secret`` contains, parsed once and verified per candidate string."""

    digest: str
    digest_oid: str
    signature_oid: str
    signed_attrs: bytes | None  # DER of the SET, as signed
    message_digest: bytes | None
    signature: bytes
    signer_serial: int | None
    signer_issuer: bytes | None
    signer_key_id: bytes | None
    embedded_content: bytes | None
    certificates_included: int

    @property
    def form(self) -> str:
        attrs = "with signed attributes" if self.signed_attrs is not None else "without signed attributes"
        detached = "detached" if self.embedded_content is None else "attached (content inside)"
        return f"CMS SignedData, {detached}, {attrs}"

    def names_signer(self, cert: ClientCertificate) -> bool:
        if self.signer_key_id is not None:
            return self.signer_key_id == cert.subject_key_id
        return self.signer_serial == cert.serial and self.signer_issuer == cert.issuer_der

    def digest_of(self, content: bytes) -> bytes:
        if self.digest == "streebog256":
            return streebog256(content)
        return hashlib.new(self.digest, content).digest()

    def verify(self, content: bytes, cert: ClientCertificate) -> bool:
        """True if this CMS signs ``content`` with ``cert``'s key."""
        if self.signed_attrs is not None:
            if self.message_digest != self.digest_of(content):
                return False
            signed = self.signed_attrs
        else:
            signed = content
        if cert.key_algorithm == GOST:
            return self.digest == "streebog256" and cert.verify(signed, self.signature)
        return self.digest != "streebog256" and cert.verify(signed, self.signature, digest=self.digest)


def parse_cms(der: bytes) -> CmsSignature:
    try:
        info = cms.ContentInfo.load(der)
        if info["content_type"].native != "signed_data":
            raise NotCms(f"CMS content type is {info['content_type'].native}, not signed_data")
        signed = info["content"]
        signer = signed["signer_infos"][0]
        return _signature(signed, signer)
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise NotCms(f"not a CMS SignedData structure: {exc}") from exc


def _signature(signed: cms.SignedData, signer: cms.SignerInfo) -> CmsSignature:
    digest_oid = signer["digest_algorithm"]["algorithm"].dotted
    attrs = signer["signed_attrs"]
    has_attrs = bool(len(attrs)) if attrs.contents else False
    message_digest = None
    if has_attrs:
        for attr in attrs:
            if attr["type"].native == "message_digest":
                message_digest = bytes(attr["values"][0].native)
    sid = signer["sid"]
    serial = issuer = key_id = None
    if sid.name == "issuer_and_serial_number":
        serial, issuer = sid.chosen["serial_number"].native, sid.chosen["issuer"].dump()
    else:
        key_id = bytes(sid.chosen.native)
    content = signed["encap_content_info"]["content"]
    certs = signed["certificates"]
    return CmsSignature(
        digest=DIGESTS.get(digest_oid, digest_oid),
        digest_oid=digest_oid,
        signature_oid=signer["signature_algorithm"]["algorithm"].dotted,
        signed_attrs=(b"\x31" + attrs.dump()[1:]) if has_attrs else None,
        message_digest=message_digest,
        signature=bytes(signer["signature"].native),
        signer_serial=serial,
        signer_issuer=issuer,
        signer_key_id=key_id,
        embedded_content=bytes(content.native) if content.native is not None else None,
        certificates_included=len(certs) if certs.contents else 0,
    )
