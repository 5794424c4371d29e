"""Revoking a grant reaches the access tokens it issued, at introspection and at userinfo.

Access tokens are JWTs nobody can recall, so a revoked refresh family used to leave its access
tokens active for up to 10 minutes. Now every access token carries its grant's id (the refresh
family), and introspection and userinfo check the grant's state in the database: after refresh
reuse detection, an explicit ``/revoke`` of the refresh token, logout, consent withdrawal or an
account disable, the access tokens are inactive (``{"active": false}``, userinfo 401
``invalid_token``) at once. Every test runs on both backends.
"""

from __future__ import annotations

from typing import Any

import pytest

from idp.storage.unit_of_work import transaction
from tests.support.clients import DEMO_CREDS
from tests.support.flows import RP_REDIRECT, exchange
from tests.support.oidc_client import AuthRequest, csrf_token
from tests.support.sign_in import front_channel


def _scope(client: Any) -> str:
    """openid profile, plus offline_access where the IdP asks for it to issue refresh tokens."""
    supported = client.get("/.well-known/openid-configuration").get_json().get("scopes_supported", [])
    return "openid profile" + (" offline_access" if "offline_access" in supported else "")


def _tokens(client: Any, persona: dict[str, Any]) -> dict[str, str]:
    req = AuthRequest(client_id=DEMO_CREDS[0], redirect_uri=RP_REDIRECT, scope=_scope(client))
    resp = exchange(client, DEMO_CREDS, req, front_channel(client, req, persona)["code"])
    assert resp.status_code == 200 and "refresh_token" in resp.get_json(), resp.text
    return dict(resp.get_json())


def _refresh(client: Any, token: str) -> Any:
    return client.post("/token", data={"grant_type": "refresh_token", "refresh_token": token}, auth=DEMO_CREDS)


def _active(client: Any, token: str) -> bool:
    resp = client.post("/introspect", data={"token": token}, auth=DEMO_CREDS)
    assert resp.status_code == 200, resp.text
    return bool(resp.get_json()["active"])


def _userinfo(client: Any, token: str) -> tuple[int, str]:
    resp = client.get("/userinfo", headers={"Authorization": f"Bearer {token}"})
    return resp.status_code, str((resp.get_json(silent=True) or {}).get("error", ""))


def _assert_live(client: Any, *access_tokens: str) -> None:
    for token in access_tokens:
        assert _active(client, token) and _userinfo(client, token)[0] == 200


def _assert_dead(client: Any, *access_tokens: str) -> None:
    for token in access_tokens:
        assert not _active(client, token), "introspection still says active"
        assert _userinfo(client, token) == (401, "invalid_token"), "userinfo still answers"


@pytest.mark.checklist(24)
def test_refresh_reuse_detection_kills_the_familys_access_tokens(client: Any, personas: dict[str, Any]) -> None:
    first = _tokens(client, personas["patient_moscow"])
    rotated = _refresh(client, first["refresh_token"]).get_json()
    _assert_live(client, first["access_token"], rotated["access_token"])
    assert _refresh(client, first["refresh_token"]).status_code == 400  # the stolen copy: reuse
    _assert_dead(client, first["access_token"], rotated["access_token"])


@pytest.mark.checklist(27)
def test_revoking_the_refresh_token_kills_its_access_tokens(client: Any, personas: dict[str, Any]) -> None:
    tokens = _tokens(client, personas["patient_moscow"])
    _assert_live(client, tokens["access_token"])
    resp = client.post("/revoke", data={"token": tokens["refresh_token"]}, auth=DEMO_CREDS)
    assert resp.status_code == 200
    _assert_dead(client, tokens["access_token"])


@pytest.mark.checklist(27, 43)
def test_logout_kills_the_sessions_access_tokens(client: Any, personas: dict[str, Any]) -> None:
    tokens = _tokens(client, personas["patient_moscow"])
    _assert_live(client, tokens["access_token"])
    resp = client.get("/logout", query_string={"id_token_hint": tokens["id_token"]})
    assert resp.status_code == 200 and client.get("/profile").status_code == 302
    _assert_dead(client, tokens["access_token"])


@pytest.mark.checklist(27)
def test_withdrawn_consent_kills_the_clients_access_tokens(client: Any, personas: dict[str, Any]) -> None:
    tokens = _tokens(client, personas["patient_moscow"])
    _assert_live(client, tokens["access_token"])
    page = client.get("/profile")
    resp = client.post(f"/profile/consents/{DEMO_CREDS[0]}/withdraw", data={"csrf_token": csrf_token(page.text)})
    assert resp.status_code == 303
    _assert_dead(client, tokens["access_token"])


@pytest.mark.checklist(27)
def test_a_disabled_account_has_no_active_access_tokens(app: Any, client: Any, personas: dict[str, Any]) -> None:
    disable_account = app.extensions["gosid"].lifecycle.disable_account

    tokens = _tokens(client, personas["patient_moscow"])
    _assert_live(client, tokens["access_token"])
    with app.test_request_context(), transaction():
        assert disable_account(personas["patient_moscow"]["oid"])
    _assert_dead(client, tokens["access_token"])


@pytest.mark.checklist(27)
def test_another_grant_of_the_same_person_stays_active(app: Any, client: Any, personas: dict[str, Any]) -> None:
    """Revocation is per grant: the same person's other login (another browser) keeps working."""
    patient = personas["patient_moscow"]
    here, there = _tokens(client, patient), _tokens(app.test_client(), patient)
    assert client.post("/revoke", data={"token": here["refresh_token"]}, auth=DEMO_CREDS).status_code == 200
    _assert_dead(client, here["access_token"])
    _assert_live(client, there["access_token"])
