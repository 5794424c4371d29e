"""AccessTokenVerifier against keys generated here and a JWKS served over loopback HTTP."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

from relying_party_demo.errors import IdpUnavailable, InvalidToken
from relying_party_demo.jwks import HttpJwksFetcher
from relying_party_demo.testing import FakeIdp, ManualClock, generate_signing_key, sign
from relying_party_demo.tokens import AccessTokenVerifier


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _rejected(verifier: AccessTokenVerifier, token: str) -> str:
    with pytest.raises(InvalidToken) as caught:
        verifier.verify(token)
    assert caught.value.error == "invalid_token"
    return caught.value.detail


def test_valid_rs256_token_yields_its_claims(idp: FakeIdp, verifier: AccessTokenVerifier) -> None:
    token = idp.access_token("1000000001", "openid medcard.rs", roles=["patient"], region="77", jti="jti-1")
    verified = verifier.verify(token)
    assert verified.subject == "1000000001"
    assert verified.scopes == frozenset({"openid", "medcard.rs"})
    assert verified.client_id == "egisz-demo"
    assert verified.jti == "jti-1"
    assert verified.roles == ("patient",)
    assert verified.region == "77"
    assert verified.amr == ("pwd", "sms")


def test_valid_es256_token_is_accepted(idp: FakeIdp, verifier: AccessTokenVerifier) -> None:
    ec_key = generate_signing_key("ES256", "ec-1")
    idp.keys.append(ec_key)
    assert verifier.verify(idp.access_token(key=ec_key)).subject == "1000000001"


def test_audience_may_be_a_list_containing_the_client(idp: FakeIdp, verifier: AccessTokenVerifier) -> None:
    token = idp.access_token(aud=["other-service", "egisz-demo"])
    assert verifier.verify(token).subject == "1000000001"


def test_media_type_form_of_typ_is_accepted(idp: FakeIdp, verifier: AccessTokenVerifier) -> None:
    token = sign(idp.access_token_claims(), idp.keys[0], typ="application/at+jwt")
    assert verifier.verify(token).subject == "1000000001"


def test_expired_token_is_rejected(idp: FakeIdp, verifier: AccessTokenVerifier) -> None:
    now = int(time.time())
    token = idp.access_token(iat=now - 700, exp=now - 100)
    assert "expired" in _rejected(verifier, token)


def test_token_expiring_just_now_gets_no_leeway(idp: FakeIdp, verifier: AccessTokenVerifier) -> None:
    now = int(time.time())
    assert "expired" in _rejected(verifier, idp.access_token(exp=now - 1))


def test_wrong_issuer_is_rejected(idp: FakeIdp, verifier: AccessTokenVerifier) -> None:
    token = idp.access_token(iss="http://evil.example")
    assert "issuer" in _rejected(verifier, token)


@pytest.mark.parametrize("aud", ["another-service", ["a", "b"], ""])
def test_wrong_audience_is_rejected(idp: FakeIdp, verifier: AccessTokenVerifier, aud: Any) -> None:
    assert "audience" in _rejected(verifier, idp.access_token(aud=aud))


def test_alg_none_is_rejected_without_fetching_keys(idp: FakeIdp, verifier: AccessTokenVerifier) -> None:
    header = _b64(json.dumps({"alg": "none", "typ": "at+jwt", "kid": "rsa-1"}).encode())
    payload = _b64(json.dumps(idp.access_token_claims()).encode())
    detail = _rejected(verifier, f"{header}.{payload}.")
    assert "'none'" in detail
    assert idp.requests["/jwks"] == 0


def test_hs256_signed_with_the_public_key_is_rejected(idp: FakeIdp, verifier: AccessTokenVerifier) -> None:
    # Key confusion: a verifier that let the header pick HMAC would accept this forgery.
    public_pem = _public_pem(idp)
    header = _b64(json.dumps({"alg": "HS256", "typ": "at+jwt", "kid": "rsa-1"}).encode())
    payload = _b64(json.dumps(idp.access_token_claims(scope="medcard.cu")).encode())
    mac = hmac.new(public_pem, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    assert "'HS256'" in _rejected(verifier, f"{header}.{payload}.{_b64(mac)}")


def _public_pem(idp: FakeIdp) -> bytes:
    public_key = idp.keys[0].public_key
    return public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


@pytest.mark.parametrize("typ", ["JWT", "jwt", "id_token+jwt", None])
def test_typ_other_than_at_jwt_is_rejected(idp: FakeIdp, verifier: AccessTokenVerifier, typ: str | None) -> None:
    claims = idp.access_token_claims()
    token = sign(claims, idp.keys[0], typ=typ) if typ else sign(claims, idp.keys[0])
    assert "token type" in _rejected(verifier, token)


def test_iat_far_in_the_future_is_rejected(idp: FakeIdp, verifier: AccessTokenVerifier) -> None:
    now = int(time.time())
    token = idp.access_token(iat=now + 3600, exp=now + 7200)
    assert "iat" in _rejected(verifier, token)


def test_iat_slightly_in_the_future_is_tolerated(idp: FakeIdp, verifier: AccessTokenVerifier) -> None:
    now = int(time.time())
    assert verifier.verify(idp.access_token(iat=now + 10)).subject == "1000000001"


@pytest.mark.parametrize("missing", ["sub", "jti", "client_id", "exp", "iat", "aud", "iss"])
def test_required_claims_must_be_present(idp: FakeIdp, verifier: AccessTokenVerifier, missing: str) -> None:
    claims = idp.access_token_claims()
    del claims[missing]
    assert missing in _rejected(verifier, sign(claims, idp.keys[0], typ="at+jwt"))


def test_scope_must_be_a_string(idp: FakeIdp, verifier: AccessTokenVerifier) -> None:
    claims = {**idp.access_token_claims(), "scope": ["medcard.rs"]}
    assert "scope" in _rejected(verifier, sign(claims, idp.keys[0], typ="at+jwt"))


def test_tampered_payload_fails_the_signature(idp: FakeIdp, verifier: AccessTokenVerifier) -> None:
    header, _, signature = idp.access_token(scope="medcard.rs").split(".")
    forged = _b64(json.dumps(idp.access_token_claims(scope="medcard.cu")).encode())
    assert "signature" in _rejected(verifier, f"{header}.{forged}.{signature}")


def test_key_not_in_the_jwks_is_rejected_even_with_a_known_kid(idp: FakeIdp, verifier: AccessTokenVerifier) -> None:
    impostor = generate_signing_key("RS256", kid=idp.keys[0].kid)
    assert "signature" in _rejected(verifier, idp.access_token(key=impostor))


def test_garbage_is_rejected(verifier: AccessTokenVerifier) -> None:
    for junk in ["", "abc", "a.b.c", "....", "eyJhbGciOiJSUzI1NiJ9.e30"]:
        _rejected(verifier, junk)


def test_unknown_kid_refetches_once_per_cooldown_then_rejects(
    idp: FakeIdp, verifier: AccessTokenVerifier, clock: ManualClock
) -> None:
    verifier.verify(idp.access_token())
    assert idp.requests["/jwks"] == 1

    # The IdP rotates in a new key; a token signed with it triggers one refetch.
    clock.advance(31)
    rotated = generate_signing_key("RS256", "rsa-2")
    idp.keys.append(rotated)
    assert verifier.verify(idp.access_token(key=rotated)).subject == "1000000001"
    assert idp.requests["/jwks"] == 2

    # A kid the IdP never published: within the cooldown, no further fetch happens.
    stranger = generate_signing_key("RS256", "never-published")
    assert "never-published" in _rejected(verifier, idp.access_token(key=stranger))
    assert "never-published" in _rejected(verifier, idp.access_token(key=stranger))
    assert idp.requests["/jwks"] == 2

    # After the cooldown, exactly one more attempt, still rejected.
    clock.advance(31)
    _rejected(verifier, idp.access_token(key=stranger))
    _rejected(verifier, idp.access_token(key=stranger))
    assert idp.requests["/jwks"] == 3


def test_keys_are_cached_between_verifications(idp: FakeIdp, verifier: AccessTokenVerifier, clock: ManualClock) -> None:
    for _ in range(5):
        verifier.verify(idp.access_token())
    assert idp.requests["/jwks"] == 1
    clock.advance(301)
    verifier.verify(idp.access_token())
    assert idp.requests["/jwks"] == 2


def test_unreachable_jwks_is_reported_as_idp_unavailable(idp: FakeIdp) -> None:
    fetcher = HttpJwksFetcher(f"{idp.issuer}/no-such-jwks", timeout=5)
    verifier = AccessTokenVerifier(idp.issuer, "egisz-demo", fetcher)
    with pytest.raises(IdpUnavailable):
        verifier.verify(idp.access_token())
