"""Login by redirect against the loopback IdP: PKCE, nonce, state, iss, and the pages after it."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from relying_party_demo import create_app
from relying_party_demo.models import LoginSession, db
from relying_party_demo.settings import load_rp_settings
from relying_party_demo.testing import FakeIdp, csrf_token_from

PATIENT_OID = "1000000001"
USERINFO = {
    "family_name": "Иванова",
    "given_name": "Мария",
    "middle_name": "Петровна",
    "birthdate": "1985-03-14",
    "snils": "11223344595",
    "oms_policy": "7700000000000001",
    "region": "77",
    "roles": ["patient"],
}
EXPECTED_SCOPES = [
    "openid",
    "profile",
    "email",
    "phone",
    "snils",
    "medical_doc",
    "region",
    "roles",
    "medcard.rs",
]


def start_login(client: FlaskClient, path: str = "/auth/login") -> dict[str, str]:
    response = client.get(path)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    query = {k: v[0] for k, v in parse_qs(location.query).items()}
    return {"endpoint": f"{location.scheme}://{location.netloc}{location.path}", **query}


def finish_login(client: FlaskClient, idp: FakeIdp, request: dict[str, str], **grant: Any) -> Any:
    code = idp.approve(idp.grant_for(request, PATIENT_OID, userinfo=USERINFO, **grant))
    return client.get("/auth/callback", query_string={"code": code, "state": request["state"], "iss": idp.issuer})


def login(client: FlaskClient, idp: FakeIdp, path: str = "/auth/login") -> None:
    response = finish_login(client, idp, start_login(client, path))
    assert response.status_code == 303, response.get_data(as_text=True)


def test_authorization_request_uses_pkce_s256_nonce_and_state(client: FlaskClient, idp: FakeIdp) -> None:
    request = start_login(client)
    assert request["endpoint"] == f"{idp.issuer}/authorize"
    assert request["response_type"] == "code"
    assert request["client_id"] == "egisz-demo"
    assert request["redirect_uri"] == "http://localhost:8001/auth/callback"
    assert request["scope"].split() == EXPECTED_SCOPES
    assert request["code_challenge_method"] == "S256"
    assert len(request["code_challenge"]) == 43
    assert len(request["nonce"]) >= 20
    assert len(request["state"]) >= 20
    assert request["ui_locales"] == "ru"


def test_login_shows_the_persons_data(client: FlaskClient, idp: FakeIdp) -> None:
    response = finish_login(client, idp, start_login(client))
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/profile")
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
    html = client.get("/profile").get_data(as_text=True)
    for shown in ("Иванова Мария Петровна", "14.03.1985", "112-233-445 95", "7700000000000001"):
        assert shown in html
    assert "Пациент" in html


def test_card_page_shows_seeded_entry_and_offers_edit_rights(client: FlaskClient, idp: FakeIdp) -> None:
    login(client, idp)
    html = client.get("/card").get_data(as_text=True)
    assert "Z00.0" in html
    assert "Запросить права на изменение" in html
    assert 'action="/card/entries"' not in html


def test_edit_rights_add_the_cu_scope_and_allow_adding_entries(client: FlaskClient, idp: FakeIdp) -> None:
    login(client, idp)
    elevated = start_login(client, "/auth/elevate")
    assert "medcard.cu" in elevated["scope"].split()
    assert finish_login(client, idp, elevated).status_code == 303

    html = client.get("/card").get_data(as_text=True)
    form = {"kind": "diagnosis", "icd10": "J06.9", "text": "ОРВИ"}
    response = client.post("/card/entries", data={**form, "csrf_token": csrf_token_from(html)})
    assert response.status_code == 303
    html = client.get("/card").get_data(as_text=True)
    assert "Запись сохранена." in html
    assert "J06.9" in html


def test_entry_form_needs_csrf(client: FlaskClient, idp: FakeIdp) -> None:
    login(client, idp)
    login(client, idp, "/auth/elevate")  # has edit rights: only the CSRF token is missing
    response = client.post("/card/entries", data={"kind": "note", "text": "x"})
    assert response.status_code == 400
    assert "RP-109" in response.get_data(as_text=True)


def test_elevate_needs_a_login(client: FlaskClient) -> None:
    assert client.get("/auth/elevate").status_code == 401


@pytest.mark.parametrize("iss", ["http://evil.example", ""])
def test_wrong_iss_in_the_response_is_refused(client: FlaskClient, idp: FakeIdp, iss: str) -> None:
    request = start_login(client)
    code = idp.approve(idp.grant_for(request, PATIENT_OID))
    response = client.get("/auth/callback", query_string={"code": code, "state": request["state"], "iss": iss})
    assert response.status_code == 400
    assert "RP-104" in response.get_data(as_text=True)
    assert idp.requests["/token"] == 0  # refused before the code was redeemed
    assert client.get("/profile").status_code == 401


def test_missing_iss_is_refused_when_the_idp_sends_it(client: FlaskClient, idp: FakeIdp) -> None:
    request = start_login(client)
    code = idp.approve(idp.grant_for(request, PATIENT_OID))
    response = client.get("/auth/callback", query_string={"code": code, "state": request["state"]})
    assert response.status_code == 400
    assert "RP-104" in response.get_data(as_text=True)


def test_replayed_callback_is_refused(client: FlaskClient, idp: FakeIdp) -> None:
    request = start_login(client)
    code = idp.approve(idp.grant_for(request, PATIENT_OID, userinfo=USERINFO))
    query = {"code": code, "state": request["state"], "iss": idp.issuer}
    assert client.get("/auth/callback", query_string=query).status_code == 303
    replay = client.get("/auth/callback", query_string=query)
    assert replay.status_code == 400
    assert "RP-105" in replay.get_data(as_text=True)


def test_foreign_state_is_refused(client: FlaskClient, idp: FakeIdp) -> None:
    start_login(client)
    response = client.get("/auth/callback", query_string={"code": "c", "state": "forged", "iss": idp.issuer})
    assert response.status_code == 400
    assert "RP-105" in response.get_data(as_text=True)


def test_nonce_mismatch_in_id_token_is_refused(client: FlaskClient, idp: FakeIdp) -> None:
    response = finish_login(client, idp, start_login(client), id_token_overrides={"nonce": "someone-elses"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "RP-106" in html
    assert "nonce" in html
    assert client.get("/profile").status_code == 401


def test_idp_error_response_is_shown(client: FlaskClient, idp: FakeIdp) -> None:
    request = start_login(client)
    response = client.get(
        "/auth/callback",
        query_string={"error": "access_denied", "state": request["state"], "iss": idp.issuer},
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "RP-103" in html
    assert "access_denied" in html


def test_logout_ends_the_session_and_goes_to_the_idp(client: FlaskClient, idp: FakeIdp) -> None:
    login(client, idp)
    token = csrf_token_from(client.get("/profile").get_data(as_text=True))
    response = client.post("/auth/logout", data={"csrf_token": token})
    assert response.status_code == 303
    target = urlsplit(response.headers["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{idp.issuer}/logout"
    params = parse_qs(target.query)
    assert params["post_logout_redirect_uri"] == ["http://localhost:8001/"]
    assert params["client_id"] == ["egisz-demo"]
    assert params["id_token_hint"][0].count(".") == 2
    assert client.get("/profile").status_code == 401


def test_logout_goes_home_without_an_end_session_endpoint(client: FlaskClient, idp: FakeIdp) -> None:
    idp.end_session_supported = False
    login(client, idp)
    token = csrf_token_from(client.get("/profile").get_data(as_text=True))
    response = client.post("/auth/logout", data={"csrf_token": token})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert client.get("/profile").status_code == 401


def test_code_refused_by_the_token_endpoint_is_shown(client: FlaskClient, idp: FakeIdp) -> None:
    request = start_login(client)
    query = {"code": "never-issued", "state": request["state"], "iss": idp.issuer}
    response = client.get("/auth/callback", query_string=query)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "RP-103" in html
    assert "invalid_grant" in html


def test_wrong_client_secret_is_shown(settings_overrides: dict[str, Any], idp: FakeIdp) -> None:
    overrides = {**settings_overrides, "client_secret": "not-the-secret"}
    client = create_app(load_rp_settings(overrides=overrides, environ={})).test_client()
    response = finish_login(client, idp, start_login(client))
    assert response.status_code == 400
    assert "invalid_client" in response.get_data(as_text=True)


def test_card_page_with_an_expired_access_token_asks_to_sign_in_again(
    client: FlaskClient, idp: FakeIdp, app: Flask
) -> None:
    login(client, idp)
    now = int(time.time())
    expired = idp.access_token(PATIENT_OID, "medcard.rs", iat=now - 900, exp=now - 300)
    with app.app_context():
        db.session.execute(update(LoginSession).values(access_token=expired))
        db.session.commit()
    response = client.get("/card")
    assert response.status_code == 401
    assert "RP-108" in response.get_data(as_text=True)
    assert client.get("/profile").status_code == 200  # the identity data is still shown
