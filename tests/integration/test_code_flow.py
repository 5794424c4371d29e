"""The whole front and back channel: authorize → password → SMS → consent → code → token →
userinfo → refresh, on the embedded defaults and on PostgreSQL + Redis."""

from __future__ import annotations

from typing import Any

from joserfc import jwt

from tests.support.flows import RP_REDIRECT, authorize_code, exchange, refresh
from tests.support.oidc_client import AuthRequest


def _keyset(app: Any) -> Any:
    return app.extensions["gosid"].keyring.verification_keyset()


def test_full_login_issues_verifiable_tokens(
    app: Any, client: Any, rp_credentials: tuple[str, str], personas: dict
) -> None:
    patient = personas["patient_moscow"]
    req = AuthRequest(
        client_id="egisz-demo", redirect_uri=RP_REDIRECT, scope="openid profile snils medical_doc region medcard.rs"
    )
    params = authorize_code(client, req, patient)
    assert params["state"] == req.state
    assert params["iss"] == "http://localhost:8000"

    resp = exchange(client, rp_credentials, req, params["code"])
    assert resp.status_code == 200, resp.text
    tokens = resp.get_json()
    assert tokens["token_type"].lower() == "bearer" and isinstance(tokens["expires_in"], int)
    id_claims = jwt.decode(tokens["id_token"], _keyset(app)).claims
    assert id_claims["sub"] == str(patient["oid"])
    assert id_claims["iss"] == "http://localhost:8000" and "egisz-demo" in id_claims["aud"]
    assert id_claims["nonce"] == req.nonce
    assert id_claims["amr"] == ["pwd", "sms", "mfa"] and id_claims["acr"] == "urn:gosid:acr:2fa"
    assert isinstance(id_claims["auth_time"], int)

    access = jwt.decode(tokens["access_token"], _keyset(app))
    assert access.header["typ"] == "at+jwt"
    assert access.claims["scope"].split() == ["openid", "profile", "snils", "medical_doc", "region", "medcard.rs"]
    assert access.claims["client_id"] == "egisz-demo" and access.claims["region"] == patient["region_code"]

    info = client.get("/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"}).get_json()
    assert info["sub"] == str(patient["oid"])
    assert info["family_name"] == patient["surname"] and info["snils"] == patient["snils"]
    assert info["oms_policy"] == patient["oms_policy"] and info["region"] == patient["region_code"]
    assert "email" not in info and "phone_number" not in info  # scopes not asked for


def test_refresh_rotates_and_reuse_revokes_the_family(
    client: Any, rp_credentials: tuple[str, str], personas: dict
) -> None:
    req = AuthRequest(
        client_id="egisz-demo", redirect_uri=RP_REDIRECT, scope="openid profile medcard.rs offline_access"
    )
    tokens = exchange(
        client, rp_credentials, req, authorize_code(client, req, personas["patient_moscow"])["code"]
    ).get_json()

    first = refresh(client, rp_credentials, tokens["refresh_token"])
    assert first.status_code == 200
    rotated = first.get_json()["refresh_token"]
    assert rotated != tokens["refresh_token"]

    reuse = refresh(client, rp_credentials, tokens["refresh_token"])
    assert reuse.status_code == 400 and reuse.get_json()["error"] == "invalid_grant"
    # the reuse revoked the whole family, so the newest token is dead too
    after = refresh(client, rp_credentials, rotated)
    assert after.status_code == 400 and after.get_json()["error"] == "invalid_grant"


def test_refresh_can_narrow_but_not_widen_scope(client: Any, rp_credentials: tuple[str, str], personas: dict) -> None:
    req = AuthRequest(
        client_id="egisz-demo", redirect_uri=RP_REDIRECT, scope="openid profile medcard.rs offline_access"
    )
    tokens = exchange(
        client, rp_credentials, req, authorize_code(client, req, personas["patient_moscow"])["code"]
    ).get_json()
    wider = refresh(client, rp_credentials, tokens["refresh_token"], scope="openid profile medcard.rs medcard.cu")
    assert wider.status_code == 400 and wider.get_json()["error"] == "invalid_scope"


def test_code_is_single_use(client: Any, rp_credentials: tuple[str, str], personas: dict) -> None:
    req = AuthRequest(client_id="egisz-demo", redirect_uri=RP_REDIRECT)
    code = authorize_code(client, req, personas["patient_moscow"])["code"]
    assert exchange(client, rp_credentials, req, code).status_code == 200
    again = exchange(client, rp_credentials, req, code)
    assert again.status_code == 400 and again.get_json()["error"] == "invalid_grant"


def test_wrong_verifier_is_invalid_grant(client: Any, rp_credentials: tuple[str, str], personas: dict) -> None:
    req = AuthRequest(client_id="egisz-demo", redirect_uri=RP_REDIRECT)
    code = authorize_code(client, req, personas["patient_moscow"])["code"]
    req.verifier = "x" * 50
    resp = exchange(client, rp_credentials, req, code)
    assert resp.status_code == 400 and resp.get_json()["error"] == "invalid_grant"


def test_wrong_client_secret_is_invalid_client(client: Any, personas: dict) -> None:
    req = AuthRequest(client_id="egisz-demo", redirect_uri=RP_REDIRECT)
    code = authorize_code(client, req, personas["patient_moscow"])["code"]
    resp = exchange(client, ("egisz-demo", "not-the-secret"), req, code)
    assert resp.status_code == 401 and resp.get_json()["error"] == "invalid_client"
    assert "WWW-Authenticate" in resp.headers


def test_userinfo_refuses_missing_and_forged_tokens(client: Any) -> None:
    assert client.get("/userinfo").status_code == 401
    forged = client.get("/userinfo", headers={"Authorization": "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0."})
    assert forged.status_code == 401 and forged.get_json()["error"] == "invalid_token"
