"""A person signing in through the front channel in a Flask test client, and the tokens it gets."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask.testing import FlaskClient

from tests.support.clients import DEMO_CREDS
from tests.support.flows import RP_REDIRECT, exchange, outbox_code, password_step, sms_step
from tests.support.oidc_client import AuthRequest, csrf_token, query_of


@dataclass
class SignedIn:
    """A finished code flow: the request, the token response, and who signed in."""

    request: AuthRequest
    tokens: dict[str, Any]
    persona: dict[str, Any]
    creds: tuple[str, str] = DEMO_CREDS
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def id_token(self) -> str:
        return str(self.tokens["id_token"])

    @property
    def access_token(self) -> str:
        return str(self.tokens["access_token"])

    @property
    def refresh_token(self) -> str:
        return str(self.tokens["refresh_token"])


def front_channel(client: FlaskClient, req: AuthRequest, persona: dict[str, Any]) -> dict[str, str]:
    """/authorize in ``client``'s browser: password + SMS if not signed in, consent if asked;
    returns the query of the redirect back to the client."""
    resp = client.get("/authorize?" + req.query())
    if resp.status_code == 302 and resp.headers["Location"].endswith("/login"):
        assert password_step(client, persona["phone"], persona["password"]).status_code == 303
        resp = sms_step(client, outbox_code(client, persona["phone"]))
        assert resp.status_code == 303, resp.text
        resp = client.get(resp.headers["Location"])
    if resp.status_code == 200:  # consent, once per client
        resp = client.post("/authorize?" + req.query(), data={"csrf_token": csrf_token(resp.text), "decision": "allow"})
    assert resp.status_code in (302, 303), (resp.status_code, resp.text[:300])
    assert resp.headers["Location"].startswith(req.redirect_uri + "?"), resp.headers["Location"]
    return query_of(resp.headers["Location"])


def sign_in(
    client: FlaskClient,
    persona: dict[str, Any],
    *,
    client_id: str = "egisz-demo",
    creds: tuple[str, str] = DEMO_CREDS,
    redirect_uri: str = RP_REDIRECT,
    scope: str = "openid profile",
) -> SignedIn:
    """The code flow in ``client``'s browser (signing in when needed), then the code exchange."""
    req = AuthRequest(client_id=client_id, redirect_uri=redirect_uri, scope=scope)
    code = front_channel(client, req, persona)["code"]
    resp = exchange(client, creds, req, code)
    assert resp.status_code == 200, resp.text
    return SignedIn(req, resp.get_json(), persona, creds)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
