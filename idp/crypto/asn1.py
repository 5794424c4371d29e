"""ASN.1 shapes asn1crypto lacks for GOST keys: it cannot parse a GOST public key, so a
certificate is read through these generic variants instead."""

from __future__ import annotations

# ruff: noqa: RUF012  (asn1crypto declares fields as class-level lists)
from asn1crypto import core, x509


class AnyAlgorithm(core.Sequence):
    _fields = [("algorithm", core.ObjectIdentifier), ("parameters", core.Any, {"optional": True})]


class GostKeyParams(core.Sequence):
    _fields = [
        ("public_key_param_set", core.ObjectIdentifier),
        ("digest_param_set", core.ObjectIdentifier, {"optional": True}),
        ("encryption_param_set", core.ObjectIdentifier, {"optional": True}),
    ]


class AnyPublicKeyInfo(core.Sequence):
    _fields = [("algorithm", AnyAlgorithm), ("public_key", core.OctetBitString)]


class GostPrivateKeyInfo(core.Sequence):
    _fields = [("version", core.Integer), ("algorithm", AnyAlgorithm), ("private_key", core.OctetString)]


class AnyTbsCertificate(x509.TbsCertificate):
    _fields = [
        (f[0], AnyPublicKeyInfo, *f[2:]) if f[0] == "subject_public_key_info" else f
        for f in x509.TbsCertificate._fields
    ]


class AnyCertificate(x509.Certificate):
    _fields = [
        ("tbs_certificate", AnyTbsCertificate),
        ("signature_algorithm", AnyAlgorithm),
        ("signature_value", core.OctetBitString),
    ]
