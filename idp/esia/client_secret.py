"""Verify an ESIA ``client_secret`` against a system's registered certificates.

Every known convention is tried (lenient mode) or only the one documented for the endpoint
(strict mode). The result names the convention that matched; a refusal carries a report of
what was expected and what was received, for the diagnostics page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from idp.crypto.certs import GOST, RSA, ClientCertificate
from idp.crypto.cms import CmsSignature, NotCms, parse_cms
from idp.crypto.encoding import Decoded, NotBase64, decode_base64_any
from idp.crypto.gost import BYTE_ORDERS
from idp.esia import conventions as cv


@dataclass(frozen=True)
class SecretMatch:
    convention: cv.Convention
    certificate: ClientCertificate
    encoding: str
    detail: str

    def summary(self) -> dict[str, Any]:
        return {
            "convention": self.convention.name,
            "who": self.convention.who,
            "encoding": self.encoding,
            "signature": self.detail,
            "certificate_sha256": self.certificate.sha256_hex,
        }


class SecretRefused(Exception):
    """Nothing matched; ``report`` says what was tried."""

    def __init__(self, reason: str, report: dict[str, Any]) -> None:
        super().__init__(reason)
        self.reason = reason
        self.report = report


@dataclass
class _Attempt:
    version: str
    strict: bool
    strings: dict[str, str]
    certs: list[ClientCertificate]
    report: dict[str, Any] = field(default_factory=dict)
    strict_misses: list[str] = field(default_factory=list)

    def accept(self, string: str, fmt: str) -> cv.Convention | None:
        found = cv.convention_for(string, fmt, self.version)
        if self.strict and not found.documented_for(self.version):
            self.strict_misses.append(found.name)
            return None
        return found


def verify_client_secret(
    *, secret: str, fields: cv.SignedFields, version: str, certs: list[ClientCertificate], strict: bool
) -> SecretMatch:
    """The matching convention, or :class:`SecretRefused` with a diagnostics report."""
    attempt = _Attempt(version, strict, fields.candidates(), certs)
    attempt.report = {
        "strings_tried": attempt.strings,
        "documented": cv.documented(version).name,
        "strict_mode": strict,
        "certificates_tried": [c.describe() for c in certs],
    }
    decoded = _decode(secret, attempt)
    try:
        signature = parse_cms(decoded.data)
    except NotCms:
        found = _raw(decoded, attempt)
    else:
        found = _cms(signature, decoded, attempt)
    if found is not None:
        return found
    return _refuse(attempt, decoded)


def _decode(secret: str, attempt: _Attempt) -> Decoded:
    try:
        decoded = decode_base64_any(secret)
    except NotBase64 as exc:
        attempt.report["encoding"] = f"not base64: {exc}"
        raise SecretRefused("client_secret is not base64url", attempt.report) from exc
    attempt.report["encoding"] = decoded.form
    attempt.report["length"] = len(decoded.data)
    if attempt.strict and not decoded.url_safe:
        raise SecretRefused("strict mode: client_secret must be base64url", attempt.report)
    return decoded


def _cms(signature: CmsSignature, decoded: Decoded, attempt: _Attempt) -> SecretMatch | None:
    attempt.report["format"] = signature.form
    attempt.report["algorithm"] = f"digest {signature.digest} ({signature.digest_oid}), key {signature.signature_oid}"
    attempt.report["cms_names_registered_certificate"] = any(signature.names_signer(c) for c in attempt.certs)
    if signature.embedded_content is not None:
        attempt.report["cms_embedded_content"] = signature.embedded_content.decode("utf-8", "replace")
        if attempt.strict:
            return None
    for cert in attempt.certs:
        for label, text in attempt.strings.items():
            if not signature.verify(text.encode("utf-8"), cert):
                continue
            convention = attempt.accept(label, cv.CMS)
            if convention is not None:
                return SecretMatch(convention, cert, decoded.form, f"{signature.form}, {signature.digest}")
    return None


def _raw(decoded: Decoded, attempt: _Attempt) -> SecretMatch | None:
    data = decoded.data
    if len(data) == 64:
        attempt.report["format"] = "raw, 64 bytes: GOST R 34.10-2012-256"
        orders = ("openssl",) if attempt.strict else BYTE_ORDERS
        for cert in (c for c in attempt.certs if c.key_algorithm == GOST):
            for label, text in attempt.strings.items():
                for order in orders:
                    if cert.verify(text.encode("utf-8"), data, gost_order=order):
                        convention = attempt.accept(label, cv.RAW_GOST)
                        if convention is not None:
                            return SecretMatch(convention, cert, decoded.form, f"raw GOST, byte order {order}")
        return None
    attempt.report["format"] = f"raw, {len(data)} bytes: RSA PKCS#1 v1.5"
    for cert in (c for c in attempt.certs if c.key_algorithm == RSA):
        for label, text in attempt.strings.items():
            if cert.verify(text.encode("utf-8"), data):
                convention = attempt.accept(label, cv.RAW_RSA)
                if convention is not None:
                    return SecretMatch(convention, cert, decoded.form, "raw RSA PKCS#1 v1.5 SHA-256")
    return None


def _refuse(attempt: _Attempt, decoded: Decoded) -> SecretMatch:
    fmt = attempt.report.get("format", "")
    received = cv.CMS if fmt.startswith("CMS") else cv.RAW_GOST if "GOST" in fmt else cv.RAW_RSA
    algorithms = {c.key_algorithm for c in attempt.certs}
    nearest = cv.closest(attempt.version, received, next(iter(algorithms)) if len(algorithms) == 1 else None)
    attempt.report["closest_convention"] = {
        "name": nearest.name,
        "who": nearest.who,
        "expects": nearest.expects(),
        "string": attempt.strings.get(nearest.string),
    }
    if attempt.strict_misses:
        reason = f"strict mode: matched {', '.join(attempt.strict_misses)}, only {cv.documented(attempt.version).name}"
        attempt.report["matched_but_not_documented"] = attempt.strict_misses
        raise SecretRefused(reason + " is accepted", attempt.report)
    if not attempt.certs:
        raise SecretRefused("no usable certificate is registered for this system", attempt.report)
    raise SecretRefused("the signature matches none of the signing strings", attempt.report)
