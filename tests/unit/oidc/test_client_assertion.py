"""private_key_jwt (RFC 7523, FAPI 2.0): checklist items 23 and 31–34, one refusal per attack."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from typing import Any

import pytest
from joserfc import jws
from joserfc.jwk import ECKey, Key, RSAKey

from idp.oidc.client_assertion import AssertionClaims, InvalidClientAssertion, verify_client_assertion
from idp.replay.used_values import UsedValues

ISSUER = "https://esia.example.ru"
TOKEN_URL = f"{ISSUER}/token"
CLIENT_ID = "egisz-demo"
START = 1_760_000_000.0


class FakeClock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def rsa_key() -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": "rsa-1"}, private=True)


@pytest.fixture(scope="module")
def ec_key() -> ECKey:
    return ECKey.generate_key("P-256", parameters={"kid": "ec-1"}, private=True)


@pytest.fixture(scope="module")
def attacker_key() -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": "rsa-1"}, private=True)


@pytest.fixture
def jwks(rsa_key: RSAKey, ec_key: ECKey) -> dict[str, Any]:
    return {"keys": [rsa_key.as_dict(private=False), ec_key.as_dict(private=False)]}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def used(clock: FakeClock, durable_db: None) -> UsedValues:
    return UsedValues(clock=clock)  # the jti replay guard, in the test's database


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _claims(**overrides: Any) -> dict[str, Any]:
    claims: dict[str, Any] = {
        "iss": CLIENT_ID,
        "sub": CLIENT_ID,
        "aud": ISSUER,
        "iat": int(START),
        "exp": int(START) + 60,
        "jti": uuid.uuid4().hex,
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def sign(key: Key, *, alg: str = "RS256", header: dict[str, Any] | None = None, **claims: Any) -> str:
    """An assertion signed by ``key``; ``header``/``claims`` override defaults, ``None`` removes a member."""
    protected: dict[str, Any] = {"alg": alg, "kid": key.kid}
    protected.update(header or {})
    protected = {k: v for k, v in protected.items() if v is not None}
    return jws.serialize_compact(protected, json.dumps(_claims(**claims)), key, algorithms=[alg])


def verify(assertion: str, *, jwks: dict[str, Any], used: UsedValues, clock: FakeClock, **kw: Any) -> AssertionClaims:
    return verify_client_assertion(
        assertion, client_id=CLIENT_ID, client_jwks=jwks, issuer=ISSUER, used=used, clock=clock, **kw
    )


def refused(assertion: str, *, jwks: dict[str, Any], used: UsedValues, clock: FakeClock, **kw: Any) -> str:
    with pytest.raises(InvalidClientAssertion) as caught:
        verify(assertion, jwks=jwks, used=used, clock=clock, **kw)
    return caught.value.description


@pytest.fixture
def env(jwks: dict[str, Any], used: UsedValues, clock: FakeClock) -> dict[str, Any]:
    return {"jwks": jwks, "used": used, "clock": clock}


# --- happy paths ---


def test_valid_rs256_assertion(rsa_key: RSAKey, env: dict[str, Any]) -> None:
    result = verify(sign(rsa_key, jti="a-1"), **env)
    assert result == AssertionClaims(client_id=CLIENT_ID, jti="a-1", exp=int(START) + 60)


def test_valid_es256_assertion(ec_key: ECKey, env: dict[str, Any]) -> None:
    assert verify(sign(ec_key, alg="ES256"), **env).client_id == CLIENT_ID


def test_valid_ps256_assertion(rsa_key: RSAKey, env: dict[str, Any]) -> None:
    assert verify(sign(rsa_key, alg="PS256"), **env).client_id == CLIENT_ID


def test_without_kid_each_registered_key_of_the_right_type_is_tried(
    rsa_key: RSAKey, used: UsedValues, clock: FakeClock
) -> None:
    second = RSAKey.generate_key(2048, private=True)
    jwks = {"keys": [rsa_key.as_dict(private=False), second.as_dict(private=False)]}
    verify(sign(second, header={"kid": None}), jwks=jwks, used=used, clock=clock)


def test_iat_slightly_in_the_future_is_accepted(rsa_key: RSAKey, env: dict[str, Any]) -> None:
    verify(sign(rsa_key, iat=int(START) + 10, exp=int(START) + 70), **env)


def test_lifetime_is_measured_from_now_when_there_is_no_iat(rsa_key: RSAKey, env: dict[str, Any]) -> None:
    verify(sign(rsa_key, iat=None, exp=int(START) + 300), **env)


# --- audience (FAPI 2.0: the issuer string only) ---


def test_aud_array_is_refused(rsa_key: RSAKey, env: dict[str, Any]) -> None:
    description = refused(sign(rsa_key, aud=[ISSUER]), **env)
    assert description == "aud must be the issuer identifier as a single string, not an array"


def test_aud_token_endpoint_is_refused(rsa_key: RSAKey, env: dict[str, Any]) -> None:
    assert refused(sign(rsa_key, aud=TOKEN_URL), **env) == f"aud must be the issuer identifier {ISSUER}"


def test_missing_aud_is_refused(rsa_key: RSAKey, env: dict[str, Any]) -> None:
    assert refused(sign(rsa_key, aud=None), **env) == f"aud must be the issuer identifier {ISSUER}"


# --- parties ---


def test_wrong_iss_is_refused(rsa_key: RSAKey, env: dict[str, Any]) -> None:
    assert refused(sign(rsa_key, iss="other-client"), **env) == "iss must be the client_id"


def test_wrong_sub_is_refused(rsa_key: RSAKey, env: dict[str, Any]) -> None:
    assert refused(sign(rsa_key, sub="other-client"), **env) == "sub must be the client_id"


# --- time ---


@pytest.mark.parametrize("exp", [int(START) - 1, int(START)])
def test_expired_assertion_is_refused(rsa_key: RSAKey, env: dict[str, Any], exp: int) -> None:
    assert refused(sign(rsa_key, iat=exp - 60, exp=exp), **env) == "client assertion has expired"


def test_missing_exp_is_refused(rsa_key: RSAKey, env: dict[str, Any]) -> None:
    assert refused(sign(rsa_key, exp=None), **env) == "client assertion has no exp"


@pytest.mark.parametrize("exp", [str(int(START) + 60), True, 1e400])
def test_malformed_exp_is_refused(rsa_key: RSAKey, env: dict[str, Any], exp: object) -> None:
    assert refused(sign(rsa_key, exp=exp), **env) == "exp must be a NumericDate"


@pytest.mark.parametrize(
    "claims", [{"iat": int(START), "exp": int(START) + 301}, {"iat": None, "exp": int(START) + 301}]
)
def test_lifetime_too_long_is_refused(rsa_key: RSAKey, env: dict[str, Any], claims: dict[str, Any]) -> None:
    assert refused(sign(rsa_key, **claims), **env) == "client assertion lives longer than 300 s"


def test_iat_far_in_the_future_is_refused(rsa_key: RSAKey, env: dict[str, Any]) -> None:
    assertion = sign(rsa_key, iat=int(START) + 61, exp=int(START) + 120)
    assert refused(assertion, **env) == "client assertion iat is in the future"


def test_nbf_far_in_the_future_is_refused(rsa_key: RSAKey, env: dict[str, Any]) -> None:
    assertion = sign(rsa_key, nbf=int(START) + 61, exp=int(START) + 120)
    assert refused(assertion, **env) == "client assertion is not valid yet (nbf)"


# --- replay ---


def test_replayed_jti_is_refused(rsa_key: RSAKey, env: dict[str, Any]) -> None:
    assertion = sign(rsa_key)
    verify(assertion, **env)
    assert refused(assertion, **env) == "client assertion jti was already used (replay)"


def test_jti_is_remembered_until_the_assertion_expires(rsa_key: RSAKey, env: dict[str, Any]) -> None:
    verify(sign(rsa_key, jti="once", exp=int(START) + 300, iat=int(START)), **env)
    env["clock"].now = START + 299
    again = sign(rsa_key, jti="once", iat=int(START) + 299, exp=int(START) + 330)
    assert refused(again, **env) == "client assertion jti was already used (replay)"


def test_missing_jti_is_refused(rsa_key: RSAKey, env: dict[str, Any]) -> None:
    assert refused(sign(rsa_key, jti=None), **env) == "client assertion has no jti"


def test_refused_assertion_does_not_burn_its_jti(rsa_key: RSAKey, env: dict[str, Any]) -> None:
    refused(sign(rsa_key, jti="j", sub="someone-else"), **env)
    verify(sign(rsa_key, jti="j"), **env)


# --- algorithms and keys ---


def test_alg_none_is_refused(env: dict[str, Any]) -> None:
    header = _b64(json.dumps({"alg": "none", "kid": "rsa-1"}).encode())
    assertion = f"{header}.{_b64(json.dumps(_claims()).encode())}."
    assert refused(assertion, **env) == "signing algorithm 'none' is not accepted"


@pytest.mark.parametrize("allowed", [("RS256", "PS256", "ES256"), ("HS256", "RS256")])
def test_hs256_keyed_with_the_rsa_public_key_is_refused(
    rsa_key: RSAKey, env: dict[str, Any], allowed: tuple[str, ...]
) -> None:
    secret = rsa_key.as_pem(private=False)  # key confusion: the public key as an HMAC secret
    signing_input = (
        f"{_b64(json.dumps({'alg': 'HS256', 'kid': 'rsa-1'}).encode())}.{_b64(json.dumps(_claims()).encode())}"
    )
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    assertion = f"{signing_input}.{_b64(mac)}"
    assert refused(assertion, **env, allowed_algs=allowed) == "signing algorithm 'HS256' is not accepted"


def test_alg_outside_the_callers_allowlist_is_refused(rsa_key: RSAKey, env: dict[str, Any]) -> None:
    assertion = sign(rsa_key, alg="PS256")
    assert refused(assertion, **env, allowed_algs=("ES256",)) == "signing algorithm 'PS256' is not accepted"


def test_unknown_kid_is_refused(rsa_key: RSAKey, env: dict[str, Any]) -> None:
    assert refused(sign(rsa_key, header={"kid": "nope"}), **env) == "no registered key has kid 'nope'"


def test_kid_of_a_key_of_another_type_is_refused(rsa_key: RSAKey, env: dict[str, Any]) -> None:
    assert refused(sign(rsa_key, header={"kid": "ec-1"}), **env) == "no registered key can verify RS256"


@pytest.mark.parametrize("kid", ["rsa-1", None])
def test_embedded_jwk_header_is_ignored(attacker_key: RSAKey, env: dict[str, Any], kid: str | None) -> None:
    header = {"kid": kid, "jwk": attacker_key.as_dict(private=False)}
    assert refused(sign(attacker_key, header=header), **env) == "client assertion signature is invalid"


@pytest.mark.parametrize("member", ["jku", "x5u"])
def test_key_urls_in_the_header_are_never_used(attacker_key: RSAKey, env: dict[str, Any], member: str) -> None:
    header = {member: "https://attacker.example/jwks.json"}
    assert refused(sign(attacker_key, header=header), **env) == "client assertion signature is invalid"


def test_tampered_payload_is_refused(rsa_key: RSAKey, env: dict[str, Any]) -> None:
    header, _, signature = sign(rsa_key).split(".")
    forged = _b64(json.dumps(_claims(sub=CLIENT_ID, jti="forged")).encode())
    assert refused(f"{header}.{forged}.{signature}", **env) == "client assertion signature is invalid"


def test_registered_private_or_symmetric_keys_are_never_used(rsa_key: RSAKey, env: dict[str, Any]) -> None:
    env["jwks"] = {"keys": [rsa_key.as_dict(private=True), {"kty": "oct", "kid": "rsa-1", "k": "c2VjcmV0"}]}
    assert refused(sign(rsa_key), **env) == "no registered key has kid 'rsa-1'"


@pytest.mark.parametrize("value", ["", "not-a-jwt", "a.b.c", "é.é.é"])
def test_garbage_is_refused(env: dict[str, Any], value: str) -> None:
    assert refused(value, **env) == "not a well-formed compact JWS"
