"""client_secret verification: every known convention, RSA and GOST, lenient and strict."""

from __future__ import annotations

import base64

import pytest

from idp.crypto.certs import load_certificate
from idp.esia import conventions as cv
from idp.esia.client_secret import SecretRefused, verify_client_secret
from tests.support.backends import require
from tests.unit.esia.signers import GostSigner, RsaSigner, b64url, gost_engine_available

FIELDS = cv.SignedFields(
    client_id="EGISZ_TEST",
    scope="openid fullname",
    scope_org="",
    timestamp="2026.11.26 10:00:00 +0000",
    state="0b7d5f55-3f1e-4b27-b0f2-1a6c2f3b9e01",
    redirect_uri="http://localhost:5000/esia/callback",
)
WITH_CODE = cv.SignedFields(**{**FIELDS.__dict__, "code": "the-code"})
V1 = FIELDS.scope + FIELDS.timestamp + FIELDS.client_id + FIELDS.state
V2 = FIELDS.client_id + FIELDS.scope + FIELDS.scope_org + FIELDS.timestamp + FIELDS.state + FIELDS.redirect_uri


@pytest.fixture(scope="module")
def rsa_signer() -> RsaSigner:
    return RsaSigner.create()


@pytest.fixture(scope="module")
def gost_signer() -> GostSigner:
    require(gost_engine_available(), "OpenSSL's GOST engine (Debian libengine-gost-openssl)")
    return GostSigner.create()


def _check(secret: str, signer: RsaSigner | GostSigner, version: str, *, strict: bool = False, fields=FIELDS):
    cert = load_certificate(signer.cert_pem)
    return verify_client_secret(secret=secret, fields=fields, version=version, certs=[cert], strict=strict)


@pytest.mark.parametrize("attributes", [True, False])
def test_v1_cms_rsa_with_and_without_signed_attributes(rsa_signer: RsaSigner, attributes: bool) -> None:
    match = _check(b64url(rsa_signer.cms(V1, attributes=attributes)), rsa_signer, "ac/v1", strict=True)
    assert match.convention.name == "v1-cms"


@pytest.mark.parametrize("attributes", [True, False])
def test_v1_cms_gost_with_and_without_signed_attributes(gost_signer: GostSigner, attributes: bool) -> None:
    match = _check(b64url(gost_signer.cms(V1, attributes=attributes)), gost_signer, "te/v1", strict=True)
    assert match.convention.name == "v1-cms"
    assert "streebog256" in match.detail


def test_v2_raw_gost_openssl_order_is_documented(gost_signer: GostSigner) -> None:
    match = _check(b64url(gost_signer.raw(V2)), gost_signer, "ac/v2", strict=True)
    assert match.convention.name == "v2-raw"
    assert "openssl" in match.detail


def test_v3_raw_includes_the_code(gost_signer: GostSigner) -> None:
    match = _check(b64url(gost_signer.raw(V2 + "the-code")), gost_signer, "te/v3", strict=True, fields=WITH_CODE)
    assert match.convention.name == "v3-raw"


def test_cryptopro_byte_order_lenient_only(gost_signer: GostSigner) -> None:
    secret = b64url(gost_signer.raw(V2)[::-1])
    assert "cryptopro" in _check(secret, gost_signer, "ac/v2").detail
    with pytest.raises(SecretRefused):
        _check(secret, gost_signer, "ac/v2", strict=True)


def test_old_string_and_cms_sent_to_v2_lenient_only(gost_signer: GostSigner) -> None:
    secret = b64url(gost_signer.cms(V1))
    assert _check(secret, gost_signer, "ac/v2").convention.name == "v1-cms-on-v2"
    with pytest.raises(SecretRefused) as refused:
        _check(secret, gost_signer, "ac/v2", strict=True)
    assert refused.value.report["matched_but_not_documented"] == ["v1-cms-on-v2"]


@pytest.mark.parametrize(
    ("text", "fmt", "name"),
    [(V2, "cms", "v2-cms"), (V2, "raw", "v2-raw-rsa"), (V1, "raw", "v1-raw-rsa")],
)
def test_rsa_variants_lenient(rsa_signer: RsaSigner, text: str, fmt: str, name: str) -> None:
    data = rsa_signer.cms(text) if fmt == "cms" else rsa_signer.raw(text)
    assert _check(b64url(data), rsa_signer, "ac/v2").convention.name == name


@pytest.mark.parametrize(
    "encode",
    [
        lambda d: b64url(d, pad=True),
        lambda d: base64.b64encode(d).decode(),
        lambda d: base64.b64encode(d).decode().rstrip("="),
    ],
)
def test_padding_and_standard_alphabet_lenient(rsa_signer: RsaSigner, encode) -> None:
    assert _check(encode(rsa_signer.cms(V1)), rsa_signer, "ac/v1").convention.name == "v1-cms"


def test_standard_alphabet_refused_in_strict_mode(rsa_signer: RsaSigner) -> None:
    for _ in range(5):  # find a signature whose base64 has '+' or '/'
        text = base64.b64encode(rsa_signer.cms(V1)).decode()
        if "+" in text or "/" in text:
            break
    with pytest.raises(SecretRefused, match="base64url"):
        _check(text, rsa_signer, "ac/v1", strict=True)


def test_wrong_string_is_refused_with_the_strings_tried(rsa_signer: RsaSigner) -> None:
    secret = b64url(rsa_signer.cms(V1.replace("fullname", "snils")))
    with pytest.raises(SecretRefused) as refused:
        _check(secret, rsa_signer, "ac/v1")
    report = refused.value.report
    assert report["strings_tried"][cv.V1] == V1
    assert report["format"].startswith("CMS SignedData, detached, with signed attributes")
    assert report["closest_convention"]["name"] == "v1-cms"
    assert report["certificates_tried"][0]["sha256"]


def test_tampered_signature_is_refused(gost_signer: GostSigner) -> None:
    raw = bytearray(gost_signer.raw(V2))
    raw[5] ^= 1
    with pytest.raises(SecretRefused) as refused:
        _check(b64url(bytes(raw)), gost_signer, "ac/v2")
    assert refused.value.report["format"] == "raw, 64 bytes: GOST R 34.10-2012-256"
    assert refused.value.report["closest_convention"]["name"] == "v2-raw"


def test_signature_of_another_key_is_refused(rsa_signer: RsaSigner) -> None:
    other = RsaSigner.create("another system")
    with pytest.raises(SecretRefused) as refused:
        _check(b64url(other.cms(V1)), rsa_signer, "ac/v1")
    assert refused.value.report["cms_names_registered_certificate"] is False


def test_not_base64_is_refused(rsa_signer: RsaSigner) -> None:
    with pytest.raises(SecretRefused, match="base64"):
        _check("not base64 at all!!", rsa_signer, "ac/v1")
