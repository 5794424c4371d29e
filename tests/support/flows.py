"""Drive the IdP's pages with Flask's test client, as a browser would."""

from __future__ import annotations

import json
from typing import Any

from tests.support.oidc_client import AuthRequest, csrf_token, query_of, sms_code

RP_REDIRECT = "http://localhost:8001/auth/callback"


def outbox_code(client: Any, phone: str) -> str:
    messages = client.get("/dev/outbox", query_string={"to": phone}).get_json()
    assert messages, f"no SMS for {phone}"
    return sms_code(messages[0]["body"])


def password_step(client: Any, login: str, password: str) -> Any:
    page = client.get("/login")
    return client.post("/login", data={"csrf_token": csrf_token(page.text), "login": login, "password": password})


def sms_step(client: Any, code: str) -> Any:
    page = client.get("/login/sms")
    return client.post("/login/sms", data={"csrf_token": csrf_token(page.text), "code": code})


def sign_in_for(client: Any, req: AuthRequest, persona: dict[str, Any]) -> Any:
    """Start at /authorize, pass password + SMS; return the response after the SMS step."""
    first = client.get("/authorize?" + req.query())
    assert first.status_code == 302 and first.headers["Location"].endswith("/login"), first.text
    resp = password_step(client, persona["phone"], persona["password"])
    assert resp.status_code == 303, resp.text
    return sms_step(client, outbox_code(client, persona["phone"]))


def authorize_code(client: Any, req: AuthRequest, persona: dict[str, Any], *, allow: bool = True) -> dict[str, str]:
    """Run the whole front channel and return the redirect's query parameters."""
    resp = sign_in_for(client, req, persona)
    assert resp.status_code == 303
    resp = client.get(resp.headers["Location"])
    if resp.status_code == 200:  # consent page
        decision = "allow" if allow else "deny"
        resp = client.post(
            "/authorize?" + req.query(), data={"csrf_token": csrf_token(resp.text), "decision": decision}
        )
        assert resp.status_code == 303, resp.text
    assert resp.headers["Location"].startswith(req.redirect_uri), resp.headers.get("Location")
    return query_of(resp.headers["Location"])


def exchange(client: Any, creds: tuple[str, str], req: AuthRequest, code: str, **extra: str) -> Any:
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": req.redirect_uri,
        "code_verifier": req.verifier,
        **extra,
    }
    return client.post("/token", data=data, auth=creds)


def refresh(client: Any, creds: tuple[str, str], token: str, **extra: str) -> Any:
    return client.post("/token", data={"grant_type": "refresh_token", "refresh_token": token, **extra}, auth=creds)


def decode_unverified(jwt_text: str) -> dict[str, Any]:
    import base64

    payload = jwt_text.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))
