"""What an attacker (or a client) sees: the answers of the IdP and the codes it hands out."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.support.clients import ISSUER
from tests.support.flows import RP_REDIRECT, authorize_code
from tests.support.oidc_client import AuthRequest, csrf_token, query_of

TOKEN_URL = f"{ISSUER}/token"
USERINFO_URL = f"{ISSUER}/userinfo"


def demo_request(**extra: str) -> AuthRequest:
    return AuthRequest(client_id="egisz-demo", redirect_uri=RP_REDIRECT, extra=dict(extra))


def error_redirect(resp: TestResponse, redirect_uri: str) -> dict[str, str]:
    """The query of an error sent back to ``redirect_uri``; asserts it is an error, not a code."""
    assert resp.status_code in (302, 303), (resp.status_code, resp.text[:300])
    location = resp.headers["Location"]
    assert location.startswith(redirect_uri + "?"), location
    params = query_of(location)
    assert "code" not in params and "error" in params, params
    return params


def error_page(resp: TestResponse) -> str:
    """An error shown on the IdP itself: 4xx, no redirect anywhere."""
    assert 400 <= resp.status_code < 500, (resp.status_code, resp.headers.get("Location"))
    assert "Location" not in resp.headers
    return str(resp.text)


def json_error(resp: TestResponse, status: int | tuple[int, ...] = 400) -> str:
    statuses = status if isinstance(status, tuple) else (status,)
    assert resp.status_code in statuses, (resp.status_code, resp.text[:300])
    body = resp.get_json()
    assert isinstance(body, dict) and "error" in body, resp.text[:300]
    return str(body["error"])


def code_for(client: FlaskClient, req: AuthRequest, persona: dict[str, Any]) -> str:
    """A code after the full front channel (password, SMS, consent)."""
    return authorize_code(client, req, persona)["code"]


def next_code(client: FlaskClient, req: AuthRequest) -> str:
    """Another code from an existing session (consent is asked once per client)."""
    resp = client.get("/authorize?" + req.query())
    if resp.status_code == 200:
        resp = client.post("/authorize?" + req.query(), data={"csrf_token": csrf_token(resp.text), "decision": "allow"})
    assert resp.status_code in (302, 303), (resp.status_code, resp.text[:300])
    params = query_of(resp.headers["Location"])
    assert "code" in params, params
    return params["code"]


def browser_code(client: FlaskClient, req: AuthRequest, persona: dict[str, Any]) -> str:
    """A code: from the browser's session if it has one, else after signing ``persona`` in."""
    if client.get("/profile").status_code == 200:
        return next_code(client, req)
    return code_for(client, req, persona)


def code_exchange(req: AuthRequest, code: str, **extra: str) -> dict[str, str]:
    return {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": req.redirect_uri,
        "code_verifier": req.verifier,
        **extra,
    }
