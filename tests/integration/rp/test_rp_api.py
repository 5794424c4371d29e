"""The API's bearer-token handling (RFC 6750): what a missing, malformed, expired or foreign
token gets, and that tokens come only from the Authorization header."""

from __future__ import annotations

import time
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from joserfc.jwk import ECKey

from relying_party_demo import create_app
from relying_party_demo.clock import FrozenClock
from relying_party_demo.settings import load_rp_settings
from relying_party_demo.testing import FakeIdp, bearer, dpop, dpop_proof, sign
from tests.integration.rp.helpers import card_id
from tests.support.rp import RS, TokenFactory

SNILS = "15821463061"  # patient_moscow


CHALLENGE = 'Bearer realm="egisz-demo", DPoP algs="ES256 RS256 PS256"'


def test_no_token_gets_a_bare_challenge_for_both_schemes(client: FlaskClient) -> None:
    response = client.get("/api/cards/1")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == CHALLENGE


def test_other_scheme_gets_a_bare_challenge(client: FlaskClient) -> None:
    response = client.get("/api/me", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == CHALLENGE


def test_invalid_token_is_401_invalid_token(client: FlaskClient) -> None:
    response = client.get("/api/me", headers=bearer("not-a-jwt"))
    assert response.status_code == 401
    assert response.get_json()["error"] == "invalid_token"
    assert response.headers["WWW-Authenticate"].startswith('Bearer error="invalid_token", error_description="')


def test_expired_token_is_401(client: FlaskClient, idp: FakeIdp) -> None:
    now = int(time.time())
    token = idp.access_token("1000300101", RS, iat=now - 900, exp=now - 300)
    response = client.get("/api/me", headers=bearer(token))
    assert response.status_code == 401
    assert "expired" in response.get_json()["error_description"]


def test_token_for_another_audience_is_401(client: FlaskClient, idp: FakeIdp) -> None:
    token = idp.access_token("1000300101", RS, aud="another-service")
    assert client.get("/api/me", headers=bearer(token)).status_code == 401


def test_id_token_is_not_an_access_token(client: FlaskClient, idp: FakeIdp) -> None:
    token = sign(idp.access_token_claims("1000300101", RS), idp.keys[0], typ="JWT")
    assert client.get("/api/me", headers=bearer(token)).status_code == 401


ME_URL = "http://localhost:8001/api/me"


def test_dpop_bound_token_with_its_proof_is_accepted_once(client: FlaskClient, idp: FakeIdp) -> None:
    key = ECKey.generate_key("P-256", private=True)
    token = idp.access_token("1000300101", RS, cnf={"jkt": key.thumbprint()})
    proof = dpop_proof(key, "GET", ME_URL, token)
    assert client.get("/api/me", headers=dpop(token, proof)).get_json()["sub"] == "1000300101"
    replay = client.get("/api/me", headers=dpop(token, proof))
    assert replay.status_code == 401
    assert replay.get_json()["error"] == "invalid_dpop_proof"
    assert replay.headers["WWW-Authenticate"].startswith('DPoP error="invalid_dpop_proof"')
    assert 'algs="ES256 RS256 PS256"' in replay.headers["WWW-Authenticate"]


def test_dpop_binding_is_enforced(client: FlaskClient, idp: FakeIdp) -> None:
    key, other = ECKey.generate_key("P-256", private=True), ECKey.generate_key("P-256", private=True)
    bound = idp.access_token("1000300101", RS, cnf={"jkt": key.thumbprint()})
    as_bearer = client.get("/api/me", headers=bearer(bound))
    assert as_bearer.status_code == 401 and "DPoP scheme" in as_bearer.get_json()["error_description"]
    wrong_key = client.get("/api/me", headers=dpop(bound, dpop_proof(other, "GET", ME_URL, bound)))
    assert "another key" in wrong_key.get_json()["error_description"]
    no_proof = client.get("/api/me", headers={"Authorization": f"DPoP {bound}"})
    assert no_proof.get_json()["error"] == "invalid_dpop_proof"
    unbound = idp.access_token("1000300101", RS)
    as_dpop = client.get("/api/me", headers=dpop(unbound, dpop_proof(key, "GET", ME_URL, unbound)))
    assert as_dpop.status_code == 401 and "Bearer scheme" in as_dpop.get_json()["error_description"]


def test_token_in_query_is_400_invalid_request(client: FlaskClient, token_for: TokenFactory) -> None:
    token = token_for("patient_moscow")
    for headers in ({}, bearer(token)):
        response = client.get(f"/api/me?access_token={token}", headers=headers)
        assert response.status_code == 400
        assert response.get_json()["error"] == "invalid_request"


def test_me_links_the_person_by_the_snils_userinfo_releases(
    client: FlaskClient, app: Flask, token_for: TokenFactory, idp: FakeIdp
) -> None:
    token = token_for("patient_moscow")
    me = client.get("/api/me", headers=bearer(token)).get_json()
    assert me["sub"] == "1000300101"
    assert me["roles"] == ["patient"]
    assert me["region"] == "77"
    assert me["card_id"] == card_id(app, SNILS)
    assert me["pending_requirements"] == ["msk_spb_first_login_documents"]
    assert me["identity"] == "verified" and idp.requests["/userinfo"] == 1
    client.get("/api/me", headers=bearer(token))
    assert idp.requests["/userinfo"] == 1  # checked once per token
    client.get("/api/me", headers=bearer(token_for("patient_moscow")))
    assert idp.requests["/userinfo"] == 2  # a new token is checked again: the SNILS may have changed


def test_json_errors_everywhere_under_api(client: FlaskClient, token_for: TokenFactory) -> None:
    assert client.get("/api/nothing-here").get_json()["error"] == "not_found"
    headers = bearer(token_for("doctor_moscow", "medcard.rs medcard.cu"))
    response = client.post("/api/cards/1/entries", data='{"kind": "visit",', content_type="application/json",
                           headers=headers)  # fmt: skip
    assert response.status_code == 400
    assert response.get_json()["field"] == "body"
    assert client.get("/api/cards/999999", headers=headers).status_code == 404


def test_idp_unreachable_is_503_json(client: FlaskClient, idp: FakeIdp, token_for: TokenFactory) -> None:
    token = token_for("patient_moscow")
    idp.stop()  # the IdP goes away before the RP fetched its keys
    response = client.get("/api/me", headers=bearer(token))
    assert response.status_code == 503
    assert response.get_json()["error"] == "temporarily_unavailable"


def test_responses_are_not_cached(client: FlaskClient, token_for: TokenFactory) -> None:
    response = client.get("/api/me", headers=bearer(token_for("patient_moscow")))
    assert response.headers["Cache-Control"] == "no-store"


def test_api_validates_by_introspection_when_configured(
    settings_overrides: dict[str, Any], idp: FakeIdp, token_for: TokenFactory, rp_clock: FrozenClock
) -> None:
    settings = load_rp_settings(overrides={**settings_overrides, "token_validation": "introspection"}, environ={})
    client = create_app(settings, clock=rp_clock).test_client()
    token = token_for("doctor_moscow")
    assert client.get("/api/patients", headers=bearer(token)).status_code == 200
    assert idp.requests["/introspect"] >= 1
    assert idp.requests["/jwks"] == 0
    idp.revoked.add(token)
    refused = client.get("/api/patients", headers=bearer(token))
    assert refused.status_code == 401
    assert "not active" in refused.get_json()["error_description"]
