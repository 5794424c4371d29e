"""Back-channel logout at the demo RP: a signed logout token from the IdP ends the login."""

from __future__ import annotations

import time
import uuid
from typing import Any

from flask.testing import FlaskClient

from relying_party_demo.testing import FakeIdp, sign
from tests.integration.rp.test_rp_login import login

EVENT = "http://schemas.openid.net/event/backchannel-logout"


def _logout_token(idp: FakeIdp, **overrides: Any) -> str:
    now = int(time.time())
    claims = {
        "iss": idp.issuer,
        "aud": idp.client_id,
        "iat": now,
        "exp": now + 120,
        "jti": uuid.uuid4().hex,
        "sid": "idp-session-1",
        "events": {EVENT: {}},
        **overrides,
    }
    claims = {k: v for k, v in claims.items() if v is not None}
    return sign(claims, idp.keys[0], typ="logout+jwt")


def _signed_in(client: FlaskClient, idp: FakeIdp) -> None:
    login(client, idp, id_token_overrides={"sid": "idp-session-1"})
    assert client.get("/profile").status_code == 200


def test_logout_token_ends_the_login_and_cannot_be_replayed(client: FlaskClient, idp: FakeIdp) -> None:
    _signed_in(client, idp)
    token = _logout_token(idp)
    resp = client.post("/auth/backchannel-logout", data={"logout_token": token})
    assert resp.status_code == 200 and resp.headers["Cache-Control"] == "no-store"
    assert client.get("/profile").status_code in (302, 303, 401)
    replay = client.post("/auth/backchannel-logout", data={"logout_token": token})
    assert replay.status_code == 400 and "already used" in replay.get_json()["error_description"]


def test_bad_logout_tokens_are_refused_and_end_nothing(client: FlaskClient, idp: FakeIdp) -> None:
    _signed_in(client, idp)
    bad = [
        _logout_token(idp, iss="http://evil.example"),
        _logout_token(idp, aud="another-client"),
        _logout_token(idp, events={"other": {}}),
        _logout_token(idp, exp=int(time.time()) - 1),
        _logout_token(idp, nonce="n"),
        _logout_token(idp, sid=None),
        _logout_token(idp, jti=None),
        "not.a.jwt",
    ]
    for token in bad:
        resp = client.post("/auth/backchannel-logout", data={"logout_token": token})
        assert resp.status_code == 400, token
    assert client.get("/profile").status_code == 200


def test_a_logout_for_another_session_leaves_this_login(client: FlaskClient, idp: FakeIdp) -> None:
    _signed_in(client, idp)
    resp = client.post("/auth/backchannel-logout", data={"logout_token": _logout_token(idp, sid="other-session")})
    assert resp.status_code == 200
    assert client.get("/profile").status_code == 200
