"""Shared steps for the factor tests: start a login, enrol factors directly, read tokens."""

from __future__ import annotations

import re
from typing import Any

import pyotp

from tests.support.flows import RP_REDIRECT, exchange, password_step
from tests.support.oidc_client import AuthRequest, csrf_token, query_of


def start(client: Any, **extra: str) -> AuthRequest:
    req = AuthRequest(client_id="egisz-demo", redirect_uri=RP_REDIRECT, extra=extra)
    resp = client.get("/authorize?" + req.query())
    assert resp.status_code == 302, resp.text
    return req


def password(client: Any, persona: dict[str, Any]) -> Any:
    resp = password_step(client, persona["phone"], persona["password"])
    assert resp.status_code == 303, resp.text
    return resp


def choose(client: Any, factor: str, *, from_page: str = "/login/sms") -> Any:
    page = client.get(from_page)
    return client.post("/login/choose", data={"csrf_token": csrf_token(page.text), "factor": factor})


def submit(client: Any, factor: str, code: str) -> Any:
    page = client.get(f"/login/{factor}")
    assert page.status_code == 200, page.text
    return client.post(f"/login/{factor}", data={"csrf_token": csrf_token(page.text), "code": code})


def finish_consent(client: Any, req: AuthRequest, resp: Any) -> dict[str, str]:
    assert resp.status_code == 303, resp.text
    resp = client.get(resp.headers["Location"])
    if resp.status_code == 200:
        resp = client.post("/authorize?" + req.query(), data={"csrf_token": csrf_token(resp.text), "decision": "allow"})
    assert resp.headers["Location"].startswith(req.redirect_uri), resp.headers.get("Location")
    return query_of(resp.headers["Location"])


def id_token_claims(client: Any, creds: tuple[str, str], req: AuthRequest, params: dict[str, str]) -> dict[str, Any]:
    from tests.support.flows import decode_unverified

    tokens = exchange(client, creds, req, params["code"]).get_json()
    return decode_unverified(tokens["id_token"])


def enrol_totp(app: Any, oid: int, secret: str | None = None, label: str = "Test app") -> tuple[int, str]:
    from idp.factors.models import EnrolledFactor
    from idp.storage.db import db

    secret = secret or pyotp.random_base32(32)
    totp = app.extensions["gosid"].login.factors.get("totp")
    with app.app_context():
        row = EnrolledFactor(person_oid=oid, kind="totp", label=label, secret=totp._box.seal(secret))
        db.session.add(row)
        db.session.commit()
        return row.id, secret


def freeze_totp_clock(app: Any, at: float) -> None:
    app.extensions["gosid"].login.factors.get("totp")._clock = lambda: at


def csrf_of(client: Any, path: str) -> str:
    return csrf_token(client.get(path).text)


def signed_in(client: Any) -> bool:
    return client.get("/profile").status_code == 200


OTP_RE = re.compile(r'id="totp-secret">([A-Z2-7]+)<')
