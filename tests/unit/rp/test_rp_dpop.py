"""DPoP proofs (RFC 9449 §4.3) as the API checks them."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import pytest
from joserfc.jwk import ECKey, RSAKey

from relying_party_demo.dpop import token_hash, verify_proof
from relying_party_demo.errors import InvalidDpopProof
from relying_party_demo.testing import dpop_proof, generate_signing_key

URL = "http://localhost:8001/api/cards/5/entries"
TOKEN = "an.access.token"


@pytest.fixture(scope="module")
def key() -> ECKey:
    return ECKey.generate_key("P-256", private=True)


def check(proof: str, *, method: str = "POST", url: str = URL, token: str = TOKEN) -> Any:
    return verify_proof(proof, method=method, url=url, access_token=token, now=time.time())


def refused(proof: str, **request: str) -> str:
    with pytest.raises(InvalidDpopProof) as caught:
        check(proof, **request)
    assert caught.value.error == "invalid_dpop_proof"
    return caught.value.detail


def test_valid_proof_gives_the_keys_thumbprint(key: ECKey) -> None:
    proof = check(dpop_proof(key, "POST", URL, TOKEN, jti="j-1"))
    assert proof.jkt == key.thumbprint()
    assert proof.jti == "j-1"


def test_rsa_keys_and_an_equivalent_url_are_accepted() -> None:
    rsa = generate_signing_key("RS256", "proof-key")
    assert check(dpop_proof(rsa, "POST", "HTTP://LOCALHOST:8001/api/cards/5/entries?x=1", TOKEN)).jkt


@pytest.mark.parametrize(
    ("overrides", "request_", "complaint"),
    [
        ({}, {"method": "GET"}, "htm must be GET"),
        ({}, {"url": "http://localhost:8001/api/cards/6/entries"}, "htu must be"),
        ({}, {"token": "another.access.token"}, "ath"),
        ({"ath": None}, {}, "ath"),
        ({"iat": -400}, {}, "too old"),  # iat values are seconds from now
        ({"iat": 120}, {}, "from the future"),
        ({"iat": "now"}, {}, "numeric iat"),
        ({"jti": None}, {}, "jti"),
        ({"jti": "x" * 257}, {}, "jti"),
        ({"header_typ": "JWT"}, {}, "typ must be dpop+jwt"),
        ({"header_jwk": None}, {}, "public EC key"),
    ],
)
def test_proofs_not_matching_the_request_are_refused(
    key: ECKey, overrides: dict[str, Any], request_: dict[str, str], complaint: str
) -> None:
    if isinstance(overrides.get("iat"), int):
        overrides = {**overrides, "iat": int(time.time()) + overrides["iat"]}
    assert complaint in refused(dpop_proof(key, "POST", URL, TOKEN, **overrides), **request_)


def test_private_key_in_the_header_is_refused(key: ECKey) -> None:
    proof = dpop_proof(key, "POST", URL, TOKEN, header_jwk=key.as_dict(private=True))
    assert "public" in refused(proof)


def test_signature_by_another_key_is_refused(key: ECKey) -> None:
    other = ECKey.generate_key("P-256", private=True)
    proof = dpop_proof(other, "POST", URL, TOKEN, header_jwk=key.as_dict(private=False))
    assert "signature" in refused(proof)


def _forged(key: ECKey, alg: str) -> str:
    header = {"typ": "dpop+jwt", "alg": alg, "jwk": key.as_dict(private=False)}
    encoded = base64.urlsafe_b64encode(json.dumps(header).encode()).rstrip(b"=").decode()
    payload = dpop_proof(key, "POST", URL, TOKEN).split(".")[1]
    return f"{encoded}.{payload}.c2lnbmF0dXJl"


@pytest.mark.parametrize("alg", ["HS256", "none", "ES512"])
def test_symmetric_unsigned_and_unexpected_algorithms_are_refused(key: ECKey, alg: str) -> None:
    assert "alg" in refused(_forged(key, alg))


@pytest.mark.filterwarnings("ignore:Key size should be")
def test_garbage_and_weak_keys_are_refused(key: ECKey) -> None:
    assert "compact JWS" in refused("not-a-proof")
    weak = RSAKey.generate_key(1024, private=True)
    assert "shorter than 2048" in refused(dpop_proof(weak, "POST", URL, TOKEN))


def test_ath_is_base64url_sha256() -> None:
    assert token_hash("abc") == "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0"
