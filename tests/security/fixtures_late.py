"""Fixtures and helpers for the checklist items 31-45 (JWT handling, logout, sessions).

Import what a test module needs from here; the root fixtures (``app``, ``client``, ``settings``,
``personas``, ``backend``) give one app per backend with the demo client ``egisz-demo``.
Forged JWTs are built by hand here (never with the IdP's code), so the IdP's checks are what
is under test.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import shutil
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
from joserfc import jws
from joserfc.jwk import ECKey, Key, KeySet, RSAKey

from tests.support.flows import RP_REDIRECT, exchange, outbox_code, password_step, sms_step
from tests.support.oidc_client import AuthRequest, csrf_token, query_of

ISSUER = "http://localhost:8000"
DEMO_CREDS = ("egisz-demo", "demo-client-secret-for-tests")
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
BACKCHANNEL_EVENT = "http://schemas.openid.net/event/backchannel-logout"


# --- building JWTs by hand -------------------------------------------------------------------


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_json(value: dict[str, Any]) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


def unsecured_jwt(header: dict[str, Any], claims: dict[str, Any]) -> str:
    """An ``alg: none`` JWT (RFC 7519 §6): header.payload and an empty signature."""
    return f"{b64url_json({**header, 'alg': 'none'})}.{b64url_json(claims)}."


def hs256_jwt(header: dict[str, Any], claims: dict[str, Any], secret: bytes) -> str:
    """An HS256 JWT MAC'd with ``secret`` (for key confusion: the server's *public* key)."""
    signing_input = f"{b64url_json({**header, 'alg': 'HS256'})}.{b64url_json(claims)}"
    mac = hmac.new(secret, signing_input.encode("ascii"), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(mac)}"


def signed_jwt(key: Key, header: dict[str, Any], claims: dict[str, Any]) -> str:
    alg = header["alg"]
    return jws.serialize_compact(header, json.dumps(claims), key, algorithms=[alg])


def decode_part(token: str, index: int) -> dict[str, Any]:
    part = token.split(".")[index]
    value: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return value


def ec_key(kid: str) -> ECKey:
    return ECKey.generate_key("P-256", parameters={"kid": kid}, private=True)


def rsa_key(kid: str) -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": kid}, private=True)


def assertion(key: Key, client_id: str, *, alg: str = "ES256", **overrides: Any) -> str:
    """A ``private_key_jwt`` client assertion; an override of ``None`` drops the claim."""
    now = int(time.time())
    claims = {"iss": client_id, "sub": client_id, "aud": ISSUER, "jti": uuid.uuid4().hex, "iat": now, "exp": now + 60}
    claims.update(overrides)
    return signed_jwt(key, {"alg": alg, "kid": key.kid}, {k: v for k, v in claims.items() if v is not None})


def dpop_proof(key: Key, *, htm: str, htu: str, alg: str = "ES256", **overrides: Any) -> str:
    claims = {"jti": uuid.uuid4().hex, "htm": htm, "htu": htu, "iat": int(time.time()), **overrides}
    header = {"typ": "dpop+jwt", "alg": alg, "jwk": key.as_dict(private=False)}
    return signed_jwt(key, header, {k: v for k, v in claims.items() if v is not None})


def published_keyset(client: Any) -> KeySet:
    """The IdP's JWKS as any relying party fetches it."""
    return KeySet.import_key_set(client.get("/jwks.json").get_json())


# --- clients, logins and tokens --------------------------------------------------------------


def register(app: Any, **kwargs: Any) -> str | None:
    from idp.oidc.clients import register_client

    kwargs.setdefault("name", kwargs["client_id"])
    kwargs.setdefault("scopes", ["profile"])
    with app.app_context():
        return register_client(**kwargs).client_secret


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


def front_channel(client: Any, req: AuthRequest, persona: dict[str, Any]) -> dict[str, str]:
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
    client: Any,
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


def refresh(client: Any, creds: tuple[str, str], token: str) -> Any:
    return client.post("/token", data={"grant_type": "refresh_token", "refresh_token": token}, auth=creds)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def session_cookie(app: Any, client: Any) -> str | None:
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    return None if cookie is None else str(cookie.value)


def session_data(app: Any, client: Any) -> dict[str, Any]:
    """What the signed session cookie carries (the test knows the app's secret key)."""
    raw = session_cookie(app, client)
    if raw is None:
        return {}
    data: dict[str, Any] = app.session_interface.get_signing_serializer(app).loads(raw)
    return data


def set_cookie_headers(resp: Any) -> list[str]:
    return [str(v) for v in resp.headers.getlist("Set-Cookie")]


def audit_events(app: Any, event: str) -> list[Any]:
    from sqlalchemy import select

    from idp.audit.models import AuditEvent
    from idp.storage.db import db

    with app.app_context():
        return list(db.session.scalars(select(AuditEvent).where(AuditEvent.event == event).order_by(AuditEvent.id)))


# --- a back-channel logout endpoint on loopback ----------------------------------------------


class LogoutReceiver:
    """An RP's back-channel logout endpoint: a loopback ``http.server`` that answers with the
    scripted statuses in order (then 200) and keeps every ``logout_token`` it was sent."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = list(statuses)
        self.received: list[dict[str, Any]] = []
        self._cond = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode()
                with receiver._cond:
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                    receiver.received.append(
                        {
                            "path": self.path,
                            "content_type": self.headers.get("Content-Type", ""),
                            "form": {k: v[0] for k, v in parse_qs(body).items()},
                            "answered": status,
                        }
                    )
                    receiver._cond.notify_all()
                self.send_response(status)
                self.send_header("Cache-Control", "no-store")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def uri(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/backchannel-logout"

    def __enter__(self) -> LogoutReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def wait_for(self, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.received) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            return list(self.received)


# --- apps with settings of their own ---------------------------------------------------------


def _seeded_app(settings: Any, persona_rows: list[dict[str, Any]]) -> Iterator[Any]:
    """An app like the root ``app`` fixture (personas + egisz-demo), for other settings."""
    from idp.accounts.models import Person
    from idp.adapters.store import RedisStore, open_store
    from idp.app import create_app
    from idp.storage.db import db

    store = open_store(settings.store_url, prefix=f"test:{uuid.uuid4().hex}:")
    application = create_app(settings, store=store)
    application.config["TESTING"] = True
    with application.app_context():
        db.session.add_all([Person(**row) for row in persona_rows])
        db.session.commit()
    register(
        application,
        client_id=DEMO_CREDS[0],
        redirect_uris=[RP_REDIRECT],
        post_logout_redirect_uris=["http://localhost:8001/"],
        scopes=["profile", "phone"],
        client_secret=DEMO_CREDS[1],
    )
    try:
        yield application
    finally:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()
        if isinstance(store, RedisStore):
            store.flush_prefix()


@pytest.fixture
def app_with_own_keys(settings: Any, persona_rows: list[dict[str, Any]], tmp_path: Path) -> Iterator[Any]:
    """The app on a private copy of the signing keys, so a test may rotate them."""
    keys = tmp_path / "own-keys"
    shutil.copytree(settings.keys_dir, keys)
    yield from _seeded_app(replace(settings, keys_dir=keys), persona_rows)


@pytest.fixture
def production_app(
    backend: dict[str, str], keys_dir: Path, tmp_path: Path, persona_rows: list[dict[str, Any]]
) -> Iterator[Any]:
    """The IdP as production runs it: https issuer, long random secret, dev mode off; Redis on
    the PostgreSQL + Redis backend (one worker on the embedded store, as production allows)."""
    from idp.settings import load_idp_settings

    settings = load_idp_settings(
        overrides={
            "mode": "production",
            "issuer": "https://id.gosid.example",
            "secret_key": uuid.uuid4().hex + uuid.uuid4().hex,
            "dev_mode": False,
            "database_url": backend["database_url"],
            "store_url": backend["store_url"],
            "workers": 1,
            "keys_dir": str(keys_dir),
            "var_dir": str(tmp_path / "var"),
        },
        environ={},
    )
    assert settings.production and not settings.dev_mode
    yield from _seeded_app(settings, persona_rows)
