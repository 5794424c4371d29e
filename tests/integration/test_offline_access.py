"""OpenID Connect Core 1.0 §11, offline access: a refresh token only for a granted
``offline_access`` (which the person allows in words on the consent page) or for a client
registered to always get one; ``prompt=none`` cannot ask, so there it is ignored."""

from __future__ import annotations

import dataclasses
from typing import Any

from click.testing import CliRunner

from idp.storage.unit_of_work import transaction
from tests.support.flows import RP_REDIRECT, authorize_code, exchange, refresh, sign_in_for
from tests.support.oidc_client import AuthRequest, csrf_token, query_of
from tests.support.present import present

OFFLINE = "openid profile offline_access"
OFFLINE_RU = "Доступ к этим данным, когда вы не в системе"
OFFLINE_EN = "Access to this data while you are not signed in"
REGISTRATION_TOKEN = "reg-token-offline-0123456789"


def _req(scope: str = OFFLINE, client_id: str = "egisz-demo", **extra: str) -> AuthRequest:
    return AuthRequest(client_id=client_id, redirect_uri=RP_REDIRECT, scope=scope, extra=dict(extra))


def _allow(client: Any, req: AuthRequest, page: Any) -> dict[str, str]:
    assert page.status_code == 200 and 'name="decision"' in page.text, (page.status_code, page.text[:300])
    resp = client.post("/authorize?" + req.query(), data={"csrf_token": csrf_token(page.text), "decision": "allow"})
    assert resp.status_code == 303, resp.text
    return query_of(resp.headers["Location"])


def _silent(client: Any, req: AuthRequest) -> dict[str, str]:
    """An authorization request answered without any page (a redirect with a code)."""
    resp = client.get("/authorize?" + req.query())
    assert resp.status_code == 302, (resp.status_code, resp.text[:300])
    return query_of(resp.headers["Location"])


def _tokens(client: Any, creds: tuple[str, str], req: AuthRequest, code: str) -> dict[str, Any]:
    resp = exchange(client, creds, req, code)
    assert resp.status_code == 200, resp.text
    return dict(resp.get_json())


def _register(app: Any, client_id: str, **kwargs: Any) -> tuple[str, str]:
    from idp.oidc.clients import register_client

    secret = f"{client_id}-secret-0123456789"
    with app.app_context(), transaction():
        register_client(
            client_id=client_id,
            name=client_id,
            redirect_uris=[RP_REDIRECT],
            scopes=["profile"],
            client_secret=secret,
            **kwargs,
        )
    return client_id, secret


def test_offline_access_is_advertised_asked_for_in_words_and_brings_a_refresh_token(
    client: Any, rp_credentials: tuple[str, str], personas: dict[str, Any]
) -> None:
    assert "offline_access" in client.get("/.well-known/openid-configuration").get_json()["scopes_supported"]
    req = _req()
    page = client.get(sign_in_for(client, req, personas["patient_moscow"]).headers["Location"])
    assert OFFLINE_RU in page.text
    tokens = _tokens(client, rp_credentials, req, _allow(client, req, page)["code"])
    assert tokens["scope"].split() == ["openid", "profile", "offline_access"]
    refreshed = refresh(client, rp_credentials, tokens["refresh_token"])
    assert refreshed.status_code == 200 and refreshed.get_json()["refresh_token"] != tokens["refresh_token"]


def test_without_offline_access_there_is_no_refresh_token(
    client: Any, rp_credentials: tuple[str, str], personas: dict[str, Any]
) -> None:
    req = _req("openid profile")
    page = client.get(sign_in_for(client, req, personas["patient_moscow"]).headers["Location"])
    assert OFFLINE_RU not in page.text
    tokens = _tokens(client, rp_credentials, req, _allow(client, req, page)["code"])
    assert tokens["access_token"] and tokens["id_token"] and "refresh_token" not in tokens
    assert tokens["scope"].split() == ["openid", "profile"]


def test_a_remembered_consent_without_offline_access_asks_again_then_holds(
    client: Any, rp_credentials: tuple[str, str], personas: dict[str, Any]
) -> None:
    authorize_code(client, _req("openid profile"), personas["patient_moscow"])
    assert "code" in _silent(client, _req("openid profile"))  # that consent holds for what it covers
    req = _req()
    page = client.get("/authorize?" + req.query())
    assert OFFLINE_RU in page.text  # asked again, for offline access
    assert "refresh_token" in _tokens(client, rp_credentials, req, _allow(client, req, page)["code"])
    again = _req()
    assert "refresh_token" in _tokens(client, rp_credentials, again, _silent(client, again)["code"])


def test_prompt_none_ignores_offline_access_the_person_has_not_allowed(
    client: Any, rp_credentials: tuple[str, str], personas: dict[str, Any]
) -> None:
    authorize_code(client, _req("openid profile"), personas["patient_moscow"])
    silent = _req(prompt="none")
    params = _silent(client, silent)
    assert "error" not in params, params  # not consent_required: the offline_access request is ignored
    tokens = _tokens(client, rp_credentials, silent, params["code"])
    assert "refresh_token" not in tokens and tokens["scope"].split() == ["openid", "profile"]
    # prompt=consent asks (even though the rest is already allowed); afterwards prompt=none honours it.
    asked = _req(prompt="consent")
    page = client.get("/authorize?" + asked.query())
    assert OFFLINE_RU in page.text
    assert "refresh_token" in _tokens(client, rp_credentials, asked, _allow(client, asked, page)["code"])
    later = _req(prompt="none")
    tokens = _tokens(client, rp_credentials, later, _silent(client, later)["code"])
    assert "refresh_token" in tokens and "offline_access" in tokens["scope"].split()


def test_a_client_registered_to_always_get_refresh_tokens_gets_them_without_asking(
    app: Any, client: Any, personas: dict[str, Any]
) -> None:
    creds = _register(app, "always-refresh", always_issue_refresh_token=True)
    req = _req("openid profile", client_id=creds[0])
    tokens = _tokens(client, creds, req, authorize_code(client, req, personas["patient_moscow"])["code"])
    assert tokens["scope"].split() == ["openid", "profile"] and tokens["refresh_token"]
    assert refresh(client, creds, tokens["refresh_token"]).status_code == 200


def test_offline_access_is_ignored_for_a_client_without_the_refresh_grant(
    app: Any, client: Any, personas: dict[str, Any]
) -> None:
    creds = _register(app, "no-refresh", grant_types=("authorization_code",))
    req = _req(client_id=creds[0])
    page = client.get(sign_in_for(client, req, personas["patient_moscow"]).headers["Location"])
    assert page.status_code == 200 and OFFLINE_RU not in page.text
    tokens = _tokens(client, creds, req, _allow(client, req, page)["code"])
    assert "refresh_token" not in tokens and tokens["scope"].split() == ["openid", "profile"]


def test_the_consent_page_names_offline_access_in_english_too(client: Any, personas: dict[str, Any]) -> None:
    req = _req(ui_locales="en")
    page = client.get(sign_in_for(client, req, personas["patient_moscow"]).headers["Location"])
    assert OFFLINE_EN in page.text and OFFLINE_RU not in page.text


def test_dynamic_registration_and_the_cli_set_the_refresh_policy(app: Any, client: Any, settings: Any) -> None:
    from idp.cli import main
    from idp.oidc.models import OAuthClient
    from idp.storage.db import db

    svc = app.extensions["gosid"]
    object.__setattr__(svc, "settings", dataclasses.replace(svc.settings, registration_token=REGISTRATION_TOKEN))
    auth = {"Authorization": f"Bearer {REGISTRATION_TOKEN}"}
    body = {"redirect_uris": ["https://svc.example.ru/cb"], "grant_types": ["authorization_code", "refresh_token"]}
    created = client.post("/connect/register", json={**body, "always_issue_refresh_token": True}, headers=auth)
    assert created.status_code == 201 and created.get_json()["always_issue_refresh_token"] is True
    for bad in (
        {**body, "always_issue_refresh_token": "yes"},
        {**body, "grant_types": ["authorization_code"], "always_issue_refresh_token": True},
        {**body, "grant_types": ["authorization_code"], "scope": "openid offline_access"},
    ):
        refused = client.post("/connect/register", json=bad, headers=auth)
        assert refused.status_code == 400 and refused.get_json()["error"] == "invalid_client_metadata", bad
    env = {"GOSID_DATABASE_URL": settings.database_url, "GOSID_KEYS_DIR": str(settings.keys_dir)}
    env |= {"GOSID_VAR_DIR": str(settings.var_dir), "GOSID_STORE_URL": "memory://"}
    add = ["client", "add", "--name", "x", "--redirect-uri", "https://cli.example.ru/cb"]
    assert (
        CliRunner().invoke(main, [*add, "--client-id", "cli-always", "--always-refresh-token"], env=env).exit_code == 0
    )
    assert CliRunner().invoke(main, [*add, "--client-id", "cli-offline"], env=env).exit_code == 0
    with app.app_context():
        flags = {
            c: present(db.session.get(OAuthClient, c)).always_issue_refresh_token for c in ("cli-always", "cli-offline")
        }
        assert flags == {"cli-always": True, "cli-offline": False}
        assert present(db.session.get(OAuthClient, created.get_json()["client_id"])).always_issue_refresh_token is True
