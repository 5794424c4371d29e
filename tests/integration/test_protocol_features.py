"""Protocol features beyond the basic code flow: claims parameter, form_post, account chooser,
client credentials, introspection, revocation, dynamic registration, per-client algorithms."""

from __future__ import annotations

import json
from typing import Any

from joserfc import jwt

from idp.storage.unit_of_work import transaction
from tests.support.flows import RP_REDIRECT, authorize_code, exchange, outbox_code, password_step, sms_step
from tests.support.oidc_client import AuthRequest, csrf_token


def _keyset(app: Any) -> Any:
    return app.extensions["gosid"].keyring.verification_keyset()


def _register(app: Any, **kwargs: Any) -> Any:
    from idp.oidc.clients import register_client

    with app.app_context(), transaction():
        return register_client(**kwargs)


def test_claims_parameter_releases_named_claims_in_id_token_and_userinfo(
    app: Any, client: Any, rp_credentials: tuple, personas: dict
) -> None:
    patient = personas["patient_moscow"]
    claims = {"id_token": {"snils": {"essential": True}}, "userinfo": {"oms_policy": None}}
    req = AuthRequest(
        client_id="egisz-demo", redirect_uri=RP_REDIRECT, scope="openid", extra={"claims": json.dumps(claims)}
    )
    tokens = exchange(client, rp_credentials, req, authorize_code(client, req, patient)["code"]).get_json()
    id_claims = jwt.decode(tokens["id_token"], _keyset(app)).claims
    assert id_claims["snils"] == patient["snils"] and "family_name" not in id_claims
    info = client.get("/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"}).get_json()
    assert info["oms_policy"] == patient["oms_policy"] and "snils" not in info


def test_form_post_delivers_the_code_in_an_auto_submitted_form(client: Any, personas: dict) -> None:
    req = AuthRequest(client_id="egisz-demo", redirect_uri=RP_REDIRECT, extra={"response_mode": "form_post"})
    resp = sms_step_after_password(client, req, personas["patient_moscow"])
    page = client.get(resp.headers["Location"])
    page = client.post("/authorize?" + req.query(), data={"csrf_token": csrf_token(page.text), "decision": "allow"})
    assert page.status_code == 200 and f'action="{RP_REDIRECT}"' in page.text
    assert 'name="code"' in page.text and f'value="{req.state}"' in page.text and 'name="iss"' in page.text


def sms_step_after_password(client: Any, req: AuthRequest, persona: dict) -> Any:
    client.get("/authorize?" + req.query())
    password_step(client, persona["phone"], persona["password"])
    return sms_step(client, outbox_code(client, persona["phone"]))


def test_select_account_asks_which_account_to_use(client: Any, personas: dict) -> None:
    req = AuthRequest(client_id="egisz-demo", redirect_uri=RP_REDIRECT)
    authorize_code(client, req, personas["patient_moscow"])
    chooser = AuthRequest(client_id="egisz-demo", redirect_uri=RP_REDIRECT, extra={"prompt": "select_account"})
    page = client.get("/authorize?" + chooser.query())
    assert page.status_code == 200 and 'value="current"' in page.text
    resp = client.post(
        "/authorize/select-account",
        data={"csrf_token": csrf_token(page.text), "query": chooser.query(), "choice": "current"},
    )
    final = client.get(resp.headers["Location"])
    assert final.status_code == 302 and "code=" in final.headers["Location"]


def test_client_credentials_for_a_registered_machine_client(app: Any, client: Any) -> None:
    _register(
        app,
        client_id="robot",
        name="Robot",
        redirect_uris=[],
        scopes=["medcard.rs"],
        grant_types=("client_credentials",),
        client_secret="robot-secret-robot-secret",
    )
    resp = client.post(
        "/token",
        data={"grant_type": "client_credentials", "scope": "medcard.rs"},
        auth=("robot", "robot-secret-robot-secret"),
    )
    assert resp.status_code == 200, resp.text
    claims = jwt.decode(resp.get_json()["access_token"], _keyset(app)).claims
    assert claims["sub"] == "robot" and claims["scope"] == "medcard.rs" and "refresh_token" not in resp.get_json()
    denied = client.post(
        "/token", data={"grant_type": "client_credentials"}, auth=("egisz-demo", "demo-client-secret-for-tests")
    )
    assert denied.status_code == 400 and denied.get_json()["error"] == "unauthorized_client"


def test_introspection_and_revocation(client: Any, rp_credentials: tuple, personas: dict) -> None:
    req = AuthRequest(client_id="egisz-demo", redirect_uri=RP_REDIRECT, scope="openid medcard.rs offline_access")
    tokens = exchange(
        client, rp_credentials, req, authorize_code(client, req, personas["patient_moscow"])["code"]
    ).get_json()
    info = client.post("/introspect", data={"token": tokens["access_token"]}, auth=rp_credentials).get_json()
    assert (
        info["active"] is True
        and info["sub"] == str(personas["patient_moscow"]["oid"])
        and info["scope"] == "openid medcard.rs offline_access"
    )
    assert client.post("/introspect", data={"token": tokens["access_token"]}).status_code == 401
    assert client.post("/revoke", data={"token": tokens["access_token"]}, auth=rp_credentials).status_code == 200
    assert client.post("/introspect", data={"token": tokens["access_token"]}, auth=rp_credentials).get_json() == {
        "active": False
    }
    assert client.get("/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"}).status_code == 401
    client.post(
        "/revoke", data={"token": tokens["refresh_token"], "token_type_hint": "refresh_token"}, auth=rp_credentials
    )
    again = client.post(
        "/token", data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}, auth=rp_credentials
    )
    assert again.get_json()["error"] == "invalid_grant"


def test_dynamic_registration_needs_the_initial_access_token(app: Any, client: Any) -> None:
    import dataclasses

    svc = app.extensions["gosid"]
    object.__setattr__(svc, "settings", dataclasses.replace(svc.settings, registration_token="reg-token-0123456789"))
    body = {
        "client_name": "Новый сервис",
        "redirect_uris": ["https://svc.example.ru/cb"],
        "scope": "openid snils",
        "grant_types": ["authorization_code", "refresh_token"],
        "id_token_signed_response_alg": "ES256",
    }
    assert client.post("/connect/register", json=body).status_code == 401
    assert client.post("/connect/register", json=body, headers={"Authorization": "Bearer wrong"}).status_code == 401
    created = client.post("/connect/register", json=body, headers={"Authorization": "Bearer reg-token-0123456789"})
    assert created.status_code == 201 and created.get_json()["client_secret"]
    bad = client.post(
        "/connect/register",
        json={**body, "redirect_uris": ["http://svc.example.ru/cb"]},
        headers={"Authorization": "Bearer reg-token-0123456789"},
    )
    assert bad.status_code == 400 and bad.get_json()["error"] == "invalid_redirect_uri"
    none_alg = client.post(
        "/connect/register",
        json={**body, "id_token_signed_response_alg": "none"},
        headers={"Authorization": "Bearer reg-token-0123456789"},
    )
    assert none_alg.status_code == 400 and none_alg.get_json()["error"] == "invalid_client_metadata"


def test_per_client_ps256_id_tokens(app: Any, client: Any, personas: dict) -> None:
    _register(
        app,
        client_id="ps-client",
        name="PS",
        redirect_uris=[RP_REDIRECT],
        scopes=["profile"],
        client_secret="ps-secret-ps-secret-ps-secret",
        id_token_alg="PS256",
        access_token_alg="ES256",
    )
    req = AuthRequest(client_id="ps-client", redirect_uri=RP_REDIRECT)
    tokens = exchange(
        client,
        ("ps-client", "ps-secret-ps-secret-ps-secret"),
        req,
        authorize_code(client, req, personas["patient_moscow"])["code"],
    ).get_json()
    assert jwt.decode(tokens["id_token"], _keyset(app), algorithms=["PS256"]).header["alg"] == "PS256"
    assert jwt.decode(tokens["access_token"], _keyset(app), algorithms=["ES256"]).header["alg"] == "ES256"


def test_dpop_proof_sent_with_par_binds_the_code_to_its_key(app: Any, client: Any, personas: dict) -> None:
    from tests.support.jose_builders import dpop_proof, ec_key

    _register(
        app,
        client_id="par-dpop",
        name="PAR+DPoP",
        redirect_uris=[RP_REDIRECT],
        scopes=["profile"],
        client_secret="par-dpop-secret-par-dpop-secret",
    )
    creds = ("par-dpop", "par-dpop-secret-par-dpop-secret")
    key_a, key_b = ec_key(), ec_key()
    req = AuthRequest(client_id="par-dpop", redirect_uri=RP_REDIRECT)
    par_url = "http://localhost:8000/par"
    first = client.post("/par", data=req.params(), auth=creds, headers={"DPoP": dpop_proof(key_a, htu=par_url)})
    assert first.status_code == 400 and first.get_json()["error"] == "use_dpop_nonce"
    nonce = first.headers["DPoP-Nonce"]
    pushed = client.post(
        "/par", data=req.params(), auth=creds, headers={"DPoP": dpop_proof(key_a, htu=par_url, nonce=nonce)}
    )
    assert pushed.status_code == 201, pushed.text
    query = f"client_id=par-dpop&request_uri={pushed.get_json()['request_uri']}"
    patient = personas["patient_moscow"]
    client.get("/authorize?" + query)
    password_step(client, patient["phone"], patient["password"])
    resp = client.get(sms_step(client, outbox_code(client, patient["phone"])).headers["Location"])
    resp = client.post("/authorize?" + query, data={"csrf_token": csrf_token(resp.text), "decision": "allow"})
    code = resp.headers["Location"].split("code=")[1].split("&")[0]
    token_url = "http://localhost:8000/token"
    body = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": RP_REDIRECT,
        "code_verifier": req.verifier,
    }
    wrong_key = client.post(
        "/token", data=body, auth=creds, headers={"DPoP": dpop_proof(key_b, htu=token_url, nonce=nonce)}
    )
    assert wrong_key.status_code == 400 and wrong_key.get_json()["error"] == "invalid_grant"


def test_request_objects_are_refused_explicitly(client: Any) -> None:
    req = AuthRequest(client_id="egisz-demo", redirect_uri=RP_REDIRECT, extra={"request": "eyJhbGciOiJub25lIn0.e30."})
    resp = client.get("/authorize?" + req.query())
    assert resp.status_code == 302 and "error=request_not_supported" in resp.headers["Location"]


def test_idle_session_needs_a_new_login(app: Any, client: Any, personas: dict) -> None:
    from datetime import timedelta

    from sqlalchemy import update

    from idp.sessions.models import BrowserSession
    from idp.storage.db import db, utcnow

    req = AuthRequest(client_id="egisz-demo", redirect_uri=RP_REDIRECT)
    authorize_code(client, req, personas["patient_moscow"])
    assert client.get("/profile").status_code == 200
    with app.app_context():
        db.session.execute(update(BrowserSession).values(last_seen_at=utcnow() - timedelta(minutes=31)))
        db.session.commit()
    assert client.get("/profile").headers["Location"].endswith("/login")


def test_prompt_login_with_a_consent_page_does_not_loop(client: Any, rp_credentials: tuple, personas: dict) -> None:
    patient = personas["patient_moscow"]
    authorize_code(client, AuthRequest(client_id="egisz-demo", redirect_uri=RP_REDIRECT), patient)
    req = AuthRequest(client_id="egisz-demo", redirect_uri=RP_REDIRECT, scope="openid inn", extra={"prompt": "login"})
    assert client.get("/authorize?" + req.query()).headers["Location"].endswith("/login")
    password_step(client, patient["phone"], patient["password"])
    consent_page = client.get(sms_step(client, outbox_code(client, patient["phone"])).headers["Location"])
    assert consent_page.status_code == 200 and 'value="allow"' in consent_page.text
    resp = client.post(
        "/authorize?" + req.query(), data={"csrf_token": csrf_token(consent_page.text), "decision": "allow"}
    )
    assert resp.status_code == 303 and "code=" in resp.headers["Location"]
