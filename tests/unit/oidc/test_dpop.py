"""DPoP proofs (RFC 9449): each attack from security-checklist item 30–34 is refused with a reason."""

from __future__ import annotations

import base64
import json
import uuid
import warnings
from typing import Any

import pytest
from joserfc import jws
from joserfc.errors import SecurityWarning
from joserfc.jwk import ECKey, Key, OctKey, OKPKey, RSAKey

from idp.adapters.store import EmbeddedStore
from idp.oidc.dpop import (
    DPoPVerifier,
    InvalidDPoPProof,
    UseDPoPNonce,
    access_token_hash,
    canonical_htu,
    jkt_of,
)

TOKEN_URL = "https://esia.example.ru/token"
START = 1_760_000_000.0
ACCESS_TOKEN = "eyJhbGciOiJSUzI1NiJ9.an-access-token.sig"


class FakeClock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def ec_key() -> ECKey:
    return ECKey.generate_key("P-256", private=True)


@pytest.fixture(scope="module")
def rsa_key() -> RSAKey:
    return RSAKey.generate_key(2048, private=True)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(clock: FakeClock) -> EmbeddedStore:
    return EmbeddedStore(clock=clock)  # one clock for proofs and store expiry


@pytest.fixture
def verifier(store: EmbeddedStore, clock: FakeClock) -> DPoPVerifier:
    return DPoPVerifier(store=store, clock=clock)


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def make_proof(key: Key, *, alg: str = "ES256", header: dict[str, Any] | None = None, **claims: Any) -> str:
    """A proof signed by ``key``; ``header``/``claims`` override the defaults, ``None`` removes a member."""
    protected: dict[str, Any] = {"typ": "dpop+jwt", "alg": alg, "jwk": key.as_dict(private=False)}
    protected.update(header or {})
    protected = {k: v for k, v in protected.items() if v is not None}
    body: dict[str, Any] = {"jti": uuid.uuid4().hex, "htm": "POST", "htu": TOKEN_URL, "iat": int(START)}
    body.update(claims)
    payload = json.dumps({k: v for k, v in body.items() if v is not None})
    return jws.serialize_compact(protected, payload, key, algorithms=[alg])


def refused(verifier: DPoPVerifier, proof: str | None, **kwargs: Any) -> str:
    kwargs = {"method": "POST", "url": TOKEN_URL, **kwargs}
    with pytest.raises(InvalidDPoPProof) as caught:
        verifier.verify(proof, **kwargs)
    assert caught.value.error == "invalid_dpop_proof"
    return caught.value.description


def needs_nonce(verifier: DPoPVerifier, proof: str) -> UseDPoPNonce:
    with pytest.raises(UseDPoPNonce) as caught:
        verifier.verify(proof, method="POST", url=TOKEN_URL)
    assert caught.value.error == "use_dpop_nonce"
    return caught.value


# --- happy paths ---


def test_valid_proof_returns_the_key_thumbprint(verifier: DPoPVerifier, ec_key: ECKey) -> None:
    nonce = verifier.new_nonce()
    proof = make_proof(ec_key, nonce=nonce, jti="j-1")
    verified = verifier.verify(proof, method="POST", url=TOKEN_URL)
    assert verified.jkt == ec_key.thumbprint() == jkt_of(ec_key.as_dict(private=False))
    assert (verified.jti, verified.htm, verified.htu, verified.iat) == ("j-1", "POST", TOKEN_URL, int(START))


@pytest.mark.parametrize("alg", ["RS256", "PS256"])
def test_rsa_proofs_are_accepted(verifier: DPoPVerifier, rsa_key: RSAKey, alg: str) -> None:
    proof = make_proof(rsa_key, alg=alg, nonce=verifier.new_nonce())
    assert verifier.verify(proof, method="POST", url=TOKEN_URL).jkt == rsa_key.thumbprint()


def test_eddsa_proof_is_accepted_without_library_warnings(verifier: DPoPVerifier) -> None:
    key = OKPKey.generate_key("Ed25519", private=True)
    with pytest.warns(SecurityWarning, match="EdDSA is deprecated"):  # joserfc warns when signing
        proof = make_proof(key, alg="EdDSA", nonce=verifier.new_nonce())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert verifier.verify(proof, method="POST", url=TOKEN_URL).jkt == key.thumbprint()


def test_resource_request_with_matching_ath_and_bound_key(verifier: DPoPVerifier, ec_key: ECKey) -> None:
    proof = make_proof(
        ec_key,
        htm="GET",
        htu="https://esia.example.ru/userinfo",
        ath=access_token_hash(ACCESS_TOKEN),
        nonce=verifier.new_nonce(),
    )
    verified = verifier.verify(
        proof,
        method="GET",
        url="https://esia.example.ru/userinfo",
        access_token=ACCESS_TOKEN,
        expected_jkt=ec_key.thumbprint(),
    )
    assert verified.jkt == ec_key.thumbprint()


def test_nonce_not_needed_when_not_required(store: EmbeddedStore, clock: FakeClock, ec_key: ECKey) -> None:
    lenient = DPoPVerifier(store=store, clock=clock, require_nonce=False)
    assert lenient.verify(make_proof(ec_key), method="POST", url=TOKEN_URL).jkt == ec_key.thumbprint()


def test_iat_at_the_window_edges_is_accepted(verifier: DPoPVerifier, ec_key: ECKey) -> None:
    nonce = verifier.new_nonce()
    for iat in (START - 60, START + 10):
        verifier.verify(make_proof(ec_key, iat=int(iat), nonce=nonce), method="POST", url=TOKEN_URL)


# --- replay and jti ---


def test_replayed_proof_is_refused(verifier: DPoPVerifier, ec_key: ECKey) -> None:
    proof = make_proof(ec_key, nonce=verifier.new_nonce())
    verifier.verify(proof, method="POST", url=TOKEN_URL)
    assert refused(verifier, proof) == "DPoP proof jti was already used (replay)"


def test_replay_after_the_jti_expires_is_refused_as_too_old(
    verifier: DPoPVerifier, ec_key: ECKey, clock: FakeClock
) -> None:
    proof = make_proof(ec_key, iat=int(START) + 10, nonce=verifier.new_nonce())
    verifier.verify(proof, method="POST", url=TOKEN_URL)
    clock.now += 71  # the jti is forgotten exactly when the iat stops being acceptable
    assert refused(verifier, proof) == "DPoP proof is too old (iat)"


def test_same_jti_under_another_key_is_not_a_replay(verifier: DPoPVerifier, ec_key: ECKey) -> None:
    nonce = verifier.new_nonce()
    other = ECKey.generate_key("P-256", private=True)
    verifier.verify(make_proof(ec_key, jti="shared", nonce=nonce), method="POST", url=TOKEN_URL)
    verifier.verify(make_proof(other, jti="shared", nonce=nonce), method="POST", url=TOKEN_URL)


def test_missing_jti_is_refused(verifier: DPoPVerifier, ec_key: ECKey) -> None:
    assert refused(verifier, make_proof(ec_key, jti=None)) == "DPoP proof has no jti"


def test_overlong_jti_is_refused(verifier: DPoPVerifier, ec_key: ECKey) -> None:
    assert "longer than 256" in refused(verifier, make_proof(ec_key, jti="x" * 257))


def test_refused_proof_does_not_burn_its_jti(verifier: DPoPVerifier, ec_key: ECKey) -> None:
    nonce = verifier.new_nonce()
    refused(verifier, make_proof(ec_key, jti="j", nonce=nonce), method="GET")
    verifier.verify(make_proof(ec_key, jti="j", nonce=nonce), method="POST", url=TOKEN_URL)


# --- binding to the request ---


def test_htm_mismatch_is_refused(verifier: DPoPVerifier, ec_key: ECKey) -> None:
    proof = make_proof(ec_key, htm="GET")
    assert refused(verifier, proof) == "DPoP proof htm does not match the request method"


@pytest.mark.parametrize(
    "htu",
    [
        "https://esia.example.ru/userinfo",
        "http://esia.example.ru/token",
        "https://esia.example.ru:8443/token",
        "https://evil.example/token",
        "https://user@esia.example.ru/token",
        "/token",
    ],
)
def test_htu_mismatch_is_refused(verifier: DPoPVerifier, ec_key: ECKey, htu: str) -> None:
    assert refused(verifier, make_proof(ec_key, htu=htu)) == "DPoP proof htu does not match the request URL"


@pytest.mark.parametrize(
    ("htu", "url"),
    [
        ("https://esia.example.ru/token", "https://esia.example.ru/token?foo=bar"),
        ("https://esia.example.ru/token?x=1#frag", TOKEN_URL),
        ("HTTPS://ESIA.Example.RU:443/token", TOKEN_URL),
        ("http://localhost/token", "http://localhost:80/token"),
        ("https://esia.example.ru", "https://esia.example.ru/"),
        ("https://esia.example.ru/%7euser/a%2fb", "https://esia.example.ru/~user/a%2Fb"),
    ],
)
def test_htu_is_compared_after_normalisation(verifier: DPoPVerifier, ec_key: ECKey, htu: str, url: str) -> None:
    proof = make_proof(ec_key, htu=htu, nonce=verifier.new_nonce())
    verifier.verify(proof, method="POST", url=url)


def test_canonical_htu_keeps_a_non_default_port_and_ipv6_host() -> None:
    assert canonical_htu("https://[::1]:8443/token?q") == "https://[::1]:8443/token"


# --- freshness ---


def test_iat_too_old_is_refused(verifier: DPoPVerifier, ec_key: ECKey) -> None:
    assert refused(verifier, make_proof(ec_key, iat=int(START) - 61)) == "DPoP proof is too old (iat)"


def test_iat_too_far_in_the_future_is_refused(verifier: DPoPVerifier, ec_key: ECKey) -> None:
    proof = make_proof(ec_key, iat=int(START) + 11)
    assert refused(verifier, proof) == "DPoP proof iat is too far in the future"


@pytest.mark.parametrize("iat", [None, "1760000000", True])
def test_missing_or_malformed_iat_is_refused(verifier: DPoPVerifier, ec_key: ECKey, iat: object) -> None:
    assert refused(verifier, make_proof(ec_key, iat=iat)) in ("DPoP proof has no iat", "iat must be a NumericDate")


# --- server nonce ---


def test_missing_nonce_asks_for_one_that_then_works(verifier: DPoPVerifier, ec_key: ECKey) -> None:
    challenge = needs_nonce(verifier, make_proof(ec_key))
    assert challenge.description == "a DPoP nonce is required"
    assert len(challenge.nonce) >= 43
    verifier.verify(make_proof(ec_key, nonce=challenge.nonce), method="POST", url=TOKEN_URL)


@pytest.mark.parametrize("nonce", ["made-up", "current", "", 42])
def test_unknown_nonce_is_refused_with_a_fresh_one(verifier: DPoPVerifier, ec_key: ECKey, nonce: object) -> None:
    current = verifier.new_nonce()
    challenge = needs_nonce(verifier, make_proof(ec_key, nonce=nonce))
    assert challenge.description == "DPoP nonce is unknown or expired"
    assert challenge.nonce == current


def test_previous_nonce_is_accepted_after_rotation(verifier: DPoPVerifier, ec_key: ECKey, clock: FakeClock) -> None:
    old = verifier.new_nonce()
    clock.now += 301
    assert verifier.new_nonce() != old
    proof = make_proof(ec_key, iat=int(clock.now), nonce=old)
    verifier.verify(proof, method="POST", url=TOKEN_URL)


def test_stale_nonce_is_refused(verifier: DPoPVerifier, ec_key: ECKey, clock: FakeClock) -> None:
    stale = verifier.new_nonce()
    clock.now += 601
    challenge = needs_nonce(verifier, make_proof(ec_key, iat=int(clock.now), nonce=stale))
    assert challenge.description == "DPoP nonce is unknown or expired"
    assert challenge.nonce != stale


def test_new_nonce_is_stable_within_its_period(verifier: DPoPVerifier, clock: FakeClock) -> None:
    first = verifier.new_nonce()
    clock.now += 299
    assert verifier.new_nonce() == first


# --- access token and key binding ---


def test_wrong_ath_is_refused(verifier: DPoPVerifier, ec_key: ECKey) -> None:
    proof = make_proof(ec_key, ath=access_token_hash("another-token"), nonce=verifier.new_nonce())
    assert refused(verifier, proof, access_token=ACCESS_TOKEN) == "DPoP proof ath does not match the access token"


def test_non_ascii_access_token_is_refused_not_crashed(verifier: DPoPVerifier, ec_key: ECKey) -> None:
    proof = make_proof(ec_key, ath="x", nonce=verifier.new_nonce())
    assert refused(verifier, proof, access_token="токен") == "access token is not ASCII"


def test_missing_ath_with_an_access_token_is_refused(verifier: DPoPVerifier, ec_key: ECKey) -> None:
    proof = make_proof(ec_key, nonce=verifier.new_nonce())
    assert refused(verifier, proof, access_token=ACCESS_TOKEN) == "DPoP proof has no ath for the access token"


@pytest.mark.parametrize("other", ["rsa", "ёжик"])
def test_expected_jkt_mismatch_is_refused(verifier: DPoPVerifier, ec_key: ECKey, rsa_key: RSAKey, other: str) -> None:
    proof = make_proof(ec_key, nonce=verifier.new_nonce())
    expected = rsa_key.thumbprint() if other == "rsa" else other
    assert (
        refused(verifier, proof, expected_jkt=expected) == "DPoP proof key does not match the key the token is bound to"
    )


# --- header and signature ---


@pytest.mark.parametrize("typ", ["JWT", "at+jwt", "DPOP+JWT", None])
def test_wrong_typ_is_refused(verifier: DPoPVerifier, ec_key: ECKey, typ: str | None) -> None:
    proof = make_proof(ec_key, header={"typ": typ})
    assert refused(verifier, proof) == "DPoP proof typ must be dpop+jwt"


def test_alg_none_is_refused(verifier: DPoPVerifier, ec_key: ECKey) -> None:
    header = {"typ": "dpop+jwt", "alg": "none", "jwk": ec_key.as_dict(private=False)}
    claims = {"jti": "n", "htm": "POST", "htu": TOKEN_URL, "iat": int(START)}
    proof = f"{_b64(header)}.{_b64(claims)}."
    assert refused(verifier, proof) == "signing algorithm 'none' is not accepted"


def test_hs256_is_refused(verifier: DPoPVerifier) -> None:
    secret = OctKey.generate_key(256)
    proof = make_proof(secret, alg="HS256", header={"jwk": {"kty": "oct", "k": "c2VjcmV0"}})
    assert refused(verifier, proof) == "signing algorithm 'HS256' is not accepted"


def test_non_allowlisted_asymmetric_alg_is_refused(verifier: DPoPVerifier, rsa_key: RSAKey) -> None:
    assert refused(verifier, make_proof(rsa_key, alg="RS512")) == "signing algorithm 'RS512' is not accepted"


def test_private_key_in_header_jwk_is_refused(verifier: DPoPVerifier, ec_key: ECKey) -> None:
    proof = make_proof(ec_key, header={"jwk": ec_key.as_dict(private=True)})
    assert refused(verifier, proof) == "jwk must be a public key, but has private members ['d']"


def test_missing_jwk_is_refused(verifier: DPoPVerifier, ec_key: ECKey) -> None:
    assert refused(verifier, make_proof(ec_key, header={"jwk": None})) == "DPoP proof header has no jwk"


def test_jwk_of_another_type_than_alg_is_refused(verifier: DPoPVerifier, ec_key: ECKey, rsa_key: RSAKey) -> None:
    proof = make_proof(ec_key, header={"jwk": rsa_key.as_dict(private=False)})
    assert refused(verifier, proof) == "jwk cannot verify ES256"


def test_signature_by_another_key_than_the_jwk_is_refused(verifier: DPoPVerifier, ec_key: ECKey) -> None:
    other = ECKey.generate_key("P-256", private=True)
    proof = make_proof(other, header={"jwk": ec_key.as_dict(private=False)})
    assert refused(verifier, proof) == "DPoP proof signature does not verify with its jwk"


def test_short_rsa_key_is_refused(verifier: DPoPVerifier, rsa_key: RSAKey) -> None:
    weak = dict(rsa_key.as_dict(private=False))
    weak["n"] = weak["n"][:170]  # 1020 bits
    proof = make_proof(rsa_key, alg="RS256", header={"jwk": weak})
    assert refused(verifier, proof) == "RSA keys must have at least 2048 bits"


# --- transport ---


@pytest.mark.parametrize("value", [None, ""])
def test_missing_proof_is_refused(verifier: DPoPVerifier, value: str | None) -> None:
    assert refused(verifier, value) == "DPoP proof is missing"


def test_multiple_proofs_are_refused(verifier: DPoPVerifier, ec_key: ECKey) -> None:
    proofs = f"{make_proof(ec_key)}, {make_proof(ec_key)}"
    assert refused(verifier, proofs) == "more than one DPoP proof was sent"


@pytest.mark.parametrize("value", ["not-a-jwt", "a.b.c", "a.b", "é.é.é", "x" * 40_000])
def test_garbage_is_refused(verifier: DPoPVerifier, value: str) -> None:
    assert refused(verifier, value) == "not a well-formed compact JWS"


def test_jkt_of_refuses_a_private_key(ec_key: ECKey) -> None:
    with pytest.raises(ValueError, match="private members"):
        jkt_of(dict(ec_key.as_dict(private=True)))
