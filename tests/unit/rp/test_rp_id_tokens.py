"""ID token checks at the login callback (OIDC Core §3.1.3.7)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from authlib.oidc.core.util import create_half_hash

from relying_party_demo.errors import IdTokenInvalid
from relying_party_demo.id_tokens import IdTokenVerifier
from relying_party_demo.jwks import HttpJwksFetcher
from relying_party_demo.testing import FakeIdp, generate_signing_key, sign

NONCE = "n-0S6_WzA2Mj"
ACCESS_TOKEN = "an-access-token"


@pytest.fixture
def id_verifier(idp: FakeIdp, jwks: HttpJwksFetcher) -> IdTokenVerifier:
    return IdTokenVerifier(issuer=idp.issuer, client_id="egisz-demo", keys=jwks)


def _claims(idp: FakeIdp, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "iss": idp.issuer,
        "sub": "1000000001",
        "aud": "egisz-demo",
        "exp": now + 600,
        "iat": now,
        "nonce": NONCE,
        "at_hash": create_half_hash(ACCESS_TOKEN, "RS256").decode(),
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def _verify(verifier: IdTokenVerifier, token: str) -> dict[str, Any]:
    return verifier.verify(token, nonce=NONCE, access_token=ACCESS_TOKEN)


def _rejected(verifier: IdTokenVerifier, token: str) -> str:
    with pytest.raises(IdTokenInvalid) as caught:
        _verify(verifier, token)
    return caught.value.detail


def test_valid_id_token_returns_claims(idp: FakeIdp, id_verifier: IdTokenVerifier) -> None:
    assert _verify(id_verifier, sign(_claims(idp), idp.keys[0], typ="JWT"))["sub"] == "1000000001"


def test_es256_id_token_is_accepted(idp: FakeIdp, id_verifier: IdTokenVerifier) -> None:
    ec_key = generate_signing_key("ES256", "ec-1")
    idp.keys.append(ec_key)
    at_hash = create_half_hash(ACCESS_TOKEN, "ES256").decode()
    assert _verify(id_verifier, sign(_claims(idp, at_hash=at_hash), ec_key))["sub"] == "1000000001"


def test_nonce_mismatch_is_rejected(idp: FakeIdp, id_verifier: IdTokenVerifier) -> None:
    token = sign(_claims(idp, nonce="replayed"), idp.keys[0])
    assert "nonce" in _rejected(id_verifier, token)


def test_missing_nonce_is_rejected(idp: FakeIdp, id_verifier: IdTokenVerifier) -> None:
    token = sign(_claims(idp, nonce=None), idp.keys[0])
    assert "nonce" in _rejected(id_verifier, token)


def test_wrong_issuer_is_rejected(idp: FakeIdp, id_verifier: IdTokenVerifier) -> None:
    token = sign(_claims(idp, iss="http://localhost:9999"), idp.keys[0])
    assert "iss" in _rejected(id_verifier, token)


def test_audience_without_this_client_is_rejected(idp: FakeIdp, id_verifier: IdTokenVerifier) -> None:
    token = sign(_claims(idp, aud="someone-else"), idp.keys[0])
    assert "another client" in _rejected(id_verifier, token)


def test_several_audiences_need_azp(idp: FakeIdp, id_verifier: IdTokenVerifier) -> None:
    token = sign(_claims(idp, aud=["egisz-demo", "other"]), idp.keys[0])
    assert "azp" in _rejected(id_verifier, token)
    good = sign(_claims(idp, aud=["egisz-demo", "other"], azp="egisz-demo"), idp.keys[0])
    assert _verify(id_verifier, good)["azp"] == "egisz-demo"


def test_azp_naming_another_client_is_rejected(idp: FakeIdp, id_verifier: IdTokenVerifier) -> None:
    token = sign(_claims(idp, azp="other"), idp.keys[0])
    assert "azp" in _rejected(id_verifier, token)


def test_expired_id_token_is_rejected(idp: FakeIdp, id_verifier: IdTokenVerifier) -> None:
    now = int(time.time())
    token = sign(_claims(idp, iat=now - 900, exp=now - 300), idp.keys[0])
    assert "expired" in _rejected(id_verifier, token)


def test_at_hash_must_match_the_access_token(idp: FakeIdp, id_verifier: IdTokenVerifier) -> None:
    token = sign(_claims(idp, at_hash="AAAAAAAAAAAAAAAAAAAAAA"), idp.keys[0])
    assert "at_hash" in _rejected(id_verifier, token)


def test_access_token_cannot_pass_as_id_token(idp: FakeIdp, id_verifier: IdTokenVerifier) -> None:
    token = sign(_claims(idp), idp.keys[0], typ="at+jwt")
    assert "token type" in _rejected(id_verifier, token)


def test_hs256_id_token_is_rejected(idp: FakeIdp, id_verifier: IdTokenVerifier) -> None:
    from joserfc import jwt
    from joserfc.jwk import OctKey

    key = OctKey.import_key(b"a-shared-secret-that-is-long-enough-for-hs256")
    token = jwt.encode({"alg": "HS256", "kid": "rsa-1"}, _claims(idp), key)
    assert "HS256" in _rejected(id_verifier, token)
