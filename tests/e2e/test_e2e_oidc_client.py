"""An independent OIDC client (plain ``requests`` and joserfc, neither the RP's code nor
Authlib's client) runs the whole code flow against the IdP under gunicorn."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import pytest
import requests
from joserfc import jwt
from joserfc.jwk import KeySet
from joserfc.jwt import JWTClaimsRegistry

from tests.support.e2e_stack import Stack
from tests.support.http_login import authorize_code, basic_auth
from tests.support.servers import DEMO_CLIENT_ID

pytestmark = pytest.mark.e2e

PERSONA = "patient_sverdlovsk"
SIGNING_ALGS = {"RS256", "ES256"}


def _at_hash(access_token: str) -> str:
    digest = hashlib.sha256(access_token.encode()).digest()
    return base64.urlsafe_b64encode(digest[: len(digest) // 2]).rstrip(b"=").decode()


def _token(endpoint: str, auth: tuple[str, str], **form: str) -> requests.Response:
    return requests.post(endpoint, data=form, auth=auth, timeout=15)


def test_code_flow_with_pkce_id_token_userinfo_and_refresh_rotation(
    stack: Stack, personas: dict[str, dict[str, Any]]
) -> None:
    person = personas[PERSONA]
    issuer = stack.idp_url
    meta = stack.discovery()
    assert meta["issuer"] == issuer
    assert "S256" in meta["code_challenge_methods_supported"]
    assert meta["authorization_response_iss_parameter_supported"] is True
    for name in ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri"):
        assert meta[name].startswith(issuer + "/"), name

    browser = requests.Session()
    result = authorize_code(
        browser, authorization_endpoint=meta["authorization_endpoint"], idp_url=issuer,
        client_id=DEMO_CLIENT_ID, redirect_uri=stack.redirect_uri, phone=person["phone"],
        password=person["password"], scope="openid profile phone offline_access",
    )  # fmt: skip
    # The redirect carries the code, our state and (RFC 9207) the issuer; it is not followed.
    assert set(result.params) >= {"code", "state", "iss"}, result.redirect
    assert result.params["state"] == result.request.state
    assert result.params["iss"] == issuer
    assert "error" not in result.params

    auth = basic_auth(stack.idp.client_id, stack.idp.client_secret)
    resp = _token(
        meta["token_endpoint"], auth, grant_type="authorization_code", code=result.params["code"],
        redirect_uri=stack.redirect_uri, code_verifier=result.request.verifier,
    )  # fmt: skip
    assert resp.status_code == 200, resp.text
    assert "no-store" in resp.headers.get("Cache-Control", "")
    tokens = resp.json()
    assert tokens["token_type"].lower() == "bearer"
    assert tokens["access_token"] and tokens["refresh_token"] and tokens["id_token"]
    assert int(tokens["expires_in"]) > 0

    # The ID token, checked here with the published JWKS only.
    jwks = requests.get(meta["jwks_uri"], timeout=10).json()
    algs = sorted(SIGNING_ALGS & set(meta["id_token_signing_alg_values_supported"]))
    decoded = jwt.decode(tokens["id_token"], KeySet.import_key_set(jwks), algorithms=algs)
    assert decoded.header["alg"] in SIGNING_ALGS
    assert decoded.header.get("kid") in {k["kid"] for k in jwks["keys"]}
    claims = decoded.claims
    JWTClaimsRegistry(
        iss={"essential": True, "value": issuer},
        aud={"essential": True, "value": DEMO_CLIENT_ID},
        nonce={"essential": True, "value": result.request.nonce},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
    ).validate(claims)
    assert {"pwd", "sms"} <= set(claims["amr"]), claims["amr"]
    assert claims.get("azp", DEMO_CLIENT_ID) == DEMO_CLIENT_ID
    assert isinstance(claims.get("auth_time"), int)
    if "at_hash" in claims:
        assert claims["at_hash"] == _at_hash(tokens["access_token"])
    assert claims["sub"] == str(person["oid"])

    info = requests.get(
        meta["userinfo_endpoint"],
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
        timeout=10,
    )
    assert info.status_code == 200, info.text
    userinfo = info.json()
    assert userinfo["sub"] == claims["sub"]
    assert userinfo["family_name"] == person["surname"]
    assert userinfo["phone_number"] == person["phone"]
    assert "snils" not in userinfo  # not in the requested scopes

    # Refresh: the token rotates, and the used one is then refused.
    first = tokens["refresh_token"]
    resp = _token(meta["token_endpoint"], auth, grant_type="refresh_token", refresh_token=first)
    assert resp.status_code == 200, resp.text
    refreshed = resp.json()
    assert refreshed["refresh_token"] != first
    assert refreshed["access_token"] != tokens["access_token"]
    again = requests.get(
        meta["userinfo_endpoint"],
        headers={"Authorization": f"Bearer {refreshed['access_token']}"},
        timeout=10,
    )
    assert again.status_code == 200 and again.json()["sub"] == claims["sub"]

    reused = _token(meta["token_endpoint"], auth, grant_type="refresh_token", refresh_token=first)
    assert reused.status_code == 400, reused.text
    assert reused.json()["error"] == "invalid_grant"
    # Reuse of a rotated token revokes its family: the newest token is dead too.
    after_reuse = _token(
        meta["token_endpoint"], auth, grant_type="refresh_token", refresh_token=refreshed["refresh_token"]
    )
    assert after_reuse.status_code == 400 and after_reuse.json()["error"] == "invalid_grant"

    # The code was single use.
    replay = _token(
        meta["token_endpoint"], auth, grant_type="authorization_code", code=result.params["code"],
        redirect_uri=stack.redirect_uri, code_verifier=result.request.verifier,
    )  # fmt: skip
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
