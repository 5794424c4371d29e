"""UserInfo with the access token in a form-encoded POST body (RFC 6750 §2.2; OIDC Core 5.3.1;
the OpenID conformance suite's ``oidcc-userinfo-post-body``), and what stays refused: a token in
the URL, a token sent two ways at once (RFC 6750 §2: invalid_request), a body that is not
form-encoded, and a DPoP-bound token without its proof."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from tests.support.attacker import TOKEN_URL, code_exchange, code_for, json_error
from tests.support.clients import Registered
from tests.support.jose_builders import dpop_proof, ec_key
from tests.support.oidc_client import AuthRequest
from tests.support.sign_in import bearer, sign_in

FORM = "application/x-www-form-urlencoded"


def test_a_token_in_a_form_encoded_post_body_gets_the_claims(client: Any, personas: dict[str, Any]) -> None:
    patient = personas["patient_moscow"]
    done = sign_in(client, patient)
    resp = client.post("/userinfo", data={"access_token": done.access_token}, content_type=FORM)
    assert resp.status_code == 200, resp.text
    body = resp.get_json()
    assert body["sub"] == str(patient["oid"]) and body["family_name"] == patient["surname"]
    assert body == client.get("/userinfo", headers=bearer(done.access_token)).get_json()


def test_a_bad_token_in_the_body_is_invalid_token(client: Any) -> None:
    resp = client.post("/userinfo", data={"access_token": "not-a-token"}, content_type=FORM)
    assert json_error(resp, 401) == "invalid_token"
    assert 'error="invalid_token"' in resp.headers["WWW-Authenticate"]


def test_a_token_sent_two_ways_at_once_is_invalid_request(client: Any, personas: dict[str, Any]) -> None:
    done = sign_in(client, personas["patient_moscow"])
    both = client.post(
        "/userinfo", data={"access_token": done.access_token}, headers=bearer(done.access_token), content_type=FORM
    )
    assert json_error(both, 400) == "invalid_request"
    assert "sub" not in both.get_json()
    twice = client.post("/userinfo", data=urlencode([("access_token", done.access_token)] * 2), content_type=FORM)
    assert json_error(twice, 400) == "invalid_request"


def test_the_url_and_other_bodies_still_carry_no_token(client: Any, personas: dict[str, Any]) -> None:
    done = sign_in(client, personas["patient_moscow"])
    in_url_and_body = client.post(
        "/userinfo?access_token=" + done.access_token, data={"access_token": done.access_token}, content_type=FORM
    )
    assert json_error(in_url_and_body, 401) == "invalid_token"
    as_json = client.post("/userinfo", json={"access_token": done.access_token})
    assert json_error(as_json, 401) == "invalid_token"
    multipart = client.post("/userinfo", data={"access_token": done.access_token, "f": (b"x", "f.txt")})
    assert json_error(multipart, 401) == "invalid_token"
    assert "sub" not in as_json.get_json() and "sub" not in multipart.get_json()


def test_a_dpop_bound_token_in_the_body_still_needs_its_proof(
    client: Any, personas: dict[str, Any], dpop_client: Registered
) -> None:
    key = ec_key()
    req = AuthRequest(client_id=dpop_client.client_id, redirect_uri=dpop_client.redirect_uri)
    code = code_for(client, req, personas["patient_moscow"])
    probe = dpop_proof(key, htu=TOKEN_URL)
    nonce = client.post("/token", data={"grant_type": "client_credentials"}, headers={"DPoP": probe})
    proof = dpop_proof(key, htu=TOKEN_URL, nonce=nonce.headers["DPoP-Nonce"])
    tokens = client.post("/token", data=code_exchange(req, code), headers={"DPoP": proof}, auth=dpop_client.creds)
    assert tokens.get_json()["token_type"] == "DPoP", tokens.text
    access = tokens.get_json()["access_token"]
    resp = client.post("/userinfo", data={"access_token": access}, content_type=FORM)
    assert json_error(resp, 401) == "invalid_token"
    assert "sub" not in resp.get_json()
