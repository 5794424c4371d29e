"""Outages answer 503 with Retry-After, and never burn what they interrupt (issue 11 §2).

Every fault is real: the IdP's PostgreSQL is reached through a TCP proxy that the test cuts
(tests/support/tcp_proxy.py), the short-lived store is a private ``redis-server`` that the test
kills and starts again, the SMS gateway is a closed port and then a real HTTP server. Each test
checks the status, ``Retry-After``, the shape of each surface (OAuth JSON, ESIA JSON, a page for
people) and the recovery once the dependency is back, without restarting the IdP.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from werkzeug.test import TestResponse

from idp.errors import RETRY_AFTER_SECONDS
from idp.settings import IdpSettings, load_idp_settings
from tests.support.apps import seeded_app
from tests.support.audit_log import audit_events
from tests.support.backends import require
from tests.support.clients import DEMO_CREDS
from tests.support.faults import at_next_commit, database_snapshot
from tests.support.flows import RP_REDIRECT, authorize_code, exchange, password_step, refresh
from tests.support.oidc_client import AuthRequest, csrf_token, sms_code
from tests.support.password_cost import TEST_HASH_SETTINGS
from tests.support.postgres import empty_tables
from tests.support.servers import free_port
from tests.support.tcp_proxy import TcpProxy

OUTAGE_PAGE_TEXT = "Сервис временно недоступен"


def _settings(keys_dir: Path, tmp_path: Path, **overrides: Any) -> IdpSettings:
    return load_idp_settings(
        overrides={
            "keys_dir": str(keys_dir),
            "var_dir": str(tmp_path / "var"),
            "secret_key": "test-secret-key-" + uuid.uuid4().hex,
            **TEST_HASH_SETTINGS,
            **overrides,
        },
        environ={},
    )


def _app(settings: IdpSettings, persona_rows: list[dict[str, Any]]) -> Iterator[Flask]:
    factory = seeded_app(settings, persona_rows)
    application = next(factory)
    application.config["PROPAGATE_EXCEPTIONS"] = False  # unhandled errors answer 500, as in production
    yield application
    next(factory, None)


def _sqlite(tmp_path: Path, template: Path) -> str:
    db_file = tmp_path / "idp.sqlite3"
    shutil.copy(template, db_file)
    return f"sqlite:///{db_file}"


def _assert_outage(resp: TestResponse) -> None:
    assert resp.status_code == 503, resp.text
    assert resp.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert resp.headers["Cache-Control"] == "no-store"


def _assert_oauth_outage(resp: TestResponse) -> None:
    _assert_outage(resp)
    assert resp.get_json()["error"] == "temporarily_unavailable", resp.text


def _assert_page_outage(resp: TestResponse, code: str) -> None:
    _assert_outage(resp)
    assert resp.mimetype == "text/html"
    assert OUTAGE_PAGE_TEXT in resp.text and code in resp.text, resp.text
    assert "Content-Security-Policy" in resp.headers


def _offline_tokens(client: FlaskClient, personas: dict[str, Any]) -> dict[str, Any]:
    req = AuthRequest(client_id=DEMO_CREDS[0], redirect_uri=RP_REDIRECT, scope="openid profile offline_access")
    code = authorize_code(client, req, personas["patient_moscow"])["code"]
    resp = exchange(client, DEMO_CREDS, req, code)
    assert resp.status_code == 200, resp.text
    return dict(resp.get_json())


# --- the database ---------------------------------------------------------------------------------


@pytest.fixture
def pg_proxy(pg_database: str) -> Iterator[tuple[str, TcpProxy]]:
    """The test database, reached through a proxy the test can cut."""
    empty_tables(pg_database)
    url = make_url(pg_database)
    with TcpProxy((url.host or "127.0.0.1", url.port or 5432)) as proxy:
        yield url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False), proxy


@pytest.fixture
def pg_app(
    pg_proxy: tuple[str, TcpProxy], keys_dir: Path, tmp_path: Path, persona_rows: list[dict[str, Any]]
) -> Iterator[Flask]:
    settings = _settings(keys_dir, tmp_path, database_url=pg_proxy[0], store_url="memory://")
    yield from _app(settings, persona_rows)
    pg_proxy[1].restore()


@pytest.mark.postgres
def test_database_unreachable_is_503_with_retry_after_on_every_surface_and_recovers(
    pg_app: Flask, pg_proxy: tuple[str, TcpProxy], personas: dict[str, Any]
) -> None:
    proxy = pg_proxy[1]
    client = pg_app.test_client()
    tokens = _offline_tokens(client, personas)
    patient = personas["patient_moscow"]
    browser = pg_app.test_client()
    form = {"csrf_token": csrf_token(browser.get("/login").text), "login": patient["phone"]}
    form["password"] = patient["password"]

    with proxy.outage():
        _assert_oauth_outage(refresh(client, DEMO_CREDS, tokens["refresh_token"]))
        introspected = client.post("/introspect", data={"token": tokens["access_token"]}, auth=DEMO_CREDS)
        _assert_oauth_outage(introspected)
        _assert_page_outage(browser.post("/login", data=form), "SVC-001")
        esia_token = client.post("/aas/oauth2/te", data={"client_id": "ESIA-SYSTEM", "grant_type": "refresh_token"})
        _assert_oauth_outage(esia_token)
        assert esia_token.get_json()["error_description"].startswith("ESIA-007008"), esia_token.text
        _assert_page_outage(client.get("/aas/oauth2/ac?client_id=ESIA-SYSTEM"), "ESIA-007008")

    again = refresh(client, DEMO_CREDS, tokens["refresh_token"])  # no restart: the pool reconnects
    assert again.status_code == 200, "a refresh refused during the outage must not have spent the token"
    assert browser.post("/login", data=form).status_code == 303


@pytest.mark.postgres
def test_refresh_cut_off_at_its_commit_leaves_the_token_usable_and_the_retry_is_no_reuse(
    pg_app: Flask, pg_proxy: tuple[str, TcpProxy], personas: dict[str, Any]
) -> None:
    """The old token is marked used and its successor stored in one transaction: when the
    connection dies at the COMMIT, the client gets a 503 and its retry is a normal rotation."""
    proxy = pg_proxy[1]
    client = pg_app.test_client()
    token = _offline_tokens(client, personas)["refresh_token"]
    before = database_snapshot(pg_app)

    with at_next_commit(proxy.cut):
        failed = refresh(client, DEMO_CREDS, token)
    _assert_oauth_outage(failed)
    proxy.restore()

    assert database_snapshot(pg_app) == before, "the interrupted rotation burned the token or left a successor"
    retried = refresh(client, DEMO_CREDS, token)
    assert retried.status_code == 200, retried.text
    assert refresh(client, DEMO_CREDS, retried.get_json()["refresh_token"]).status_code == 200
    assert audit_events(pg_app, "refresh_token_reuse") == [], "the retry was taken for a stolen copy"


# --- the short-lived store ------------------------------------------------------------------------


class PrivateRedis:
    """A ``redis-server`` of the test's own on a spare port (never the machine's Redis)."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self._dir = workdir
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        cmd = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self._proc = subprocess.Popen([*cmd, "--dir", str(self._dir)], stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the private redis-server did not start")

    def kill(self) -> None:
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait(timeout=10)
            self._proc = None


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    require(shutil.which("redis-server") is not None, "redis-server (Debian package redis-server)")
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.kill()


@pytest.mark.redis
def test_store_down_is_503_with_retry_after_and_recovers_when_it_is_back(
    private_redis: PrivateRedis,
    keys_dir: Path,
    tmp_path: Path,
    sqlite_template: Path,
    persona_rows: list[dict[str, Any]],
    personas: dict[str, Any],
) -> None:
    settings = _settings(
        keys_dir, tmp_path, database_url=_sqlite(tmp_path, sqlite_template), store_url=private_redis.url
    )
    for app in _app(settings, persona_rows):
        client = app.test_client()
        req = AuthRequest(client_id=DEMO_CREDS[0], redirect_uri=RP_REDIRECT, scope="openid profile")
        code = authorize_code(client, req, personas["patient_moscow"])["code"]

        private_redis.kill()
        _assert_oauth_outage(exchange(client, DEMO_CREDS, req, code))
        _assert_page_outage(app.test_client().get("/login"), "SVC-002")
        esia_report = client.get("/esia/diagnostics/0123456789abcdef.json")  # the ESIA machine surface
        _assert_oauth_outage(esia_report)
        assert esia_report.get_json()["error_description"].startswith("ESIA-007008")

        private_redis.start()  # back, and empty: the code is gone, the IdP works again without a restart
        assert app.test_client().get("/login").status_code == 200
        browser = app.test_client()  # a new person signs in from scratch: the login lives in the store
        fresh = authorize_code(browser, req, personas["patient_moscow"])["code"]
        assert exchange(browser, DEMO_CREDS, req, fresh).status_code == 200


# --- the SMS gateway ------------------------------------------------------------------------------


class _Gateway(BaseHTTPRequestHandler):
    received: ClassVar[list[dict[str, str]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        type(self).received.append(json.loads(body))
        self.send_response(202)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def test_sms_gateway_down_at_the_password_step_is_503_and_the_retry_sends_the_code(
    keys_dir: Path, tmp_path: Path, sqlite_template: Path, persona_rows: list[dict[str, Any]], personas: dict[str, Any]
) -> None:
    port = free_port()  # nothing listens here yet: the gateway is down
    settings = _settings(
        keys_dir,
        tmp_path,
        database_url=_sqlite(tmp_path, sqlite_template),
        store_url="memory://",
        dev_mode=False,  # the real sender: HttpSmsGateway
        sms_gateway_url=f"http://127.0.0.1:{port}/send",
        sms_gateway_token="gateway-token",
    )
    patient = personas["patient_moscow"]
    for app in _app(settings, persona_rows):
        browser = app.test_client()
        failed = password_step(browser, patient["phone"], patient["password"])
        _assert_page_outage(failed, "SVC-003")
        assert audit_events(app, "sms_code_sent") == []

        _Gateway.received = []
        gateway = HTTPServer(("127.0.0.1", port), _Gateway)
        threading.Thread(target=gateway.serve_forever, daemon=True).start()
        try:
            retried = password_step(browser, patient["phone"], patient["password"])  # no resend cool-down
            assert retried.status_code == 303, retried.text
            assert [m["to"] for m in _Gateway.received] == [patient["phone"]]
            code = sms_code(_Gateway.received[0]["text"])
            page = browser.get("/login/sms")
            done = browser.post("/login/sms", data={"csrf_token": csrf_token(page.text), "code": code})
            assert done.status_code == 303, done.text
        finally:
            gateway.shutdown()
            gateway.server_close()


# --- a code replay racing its redemption ----------------------------------------------------------


def _blocked_on_a_lock(pg_url: str) -> Callable[[], bool]:
    engine = create_engine(pg_url)

    def waiting() -> bool:
        with engine.connect() as conn:
            return bool(conn.scalar(text("SELECT count(*) FROM pg_locks WHERE NOT granted")))

    return waiting


def test_code_replay_while_the_redemption_commits_revokes_the_committed_refresh_token(
    app: Flask, backend: dict[str, str], rp_credentials: tuple[str, str], personas: dict[str, Any]
) -> None:
    """The replay arrives after the first redemption wrote everything and before it committed
    (the window where "code used" was in the store and the refresh token not yet in the
    database): it waits for the redemption and revokes the refresh token it committed."""
    client = app.test_client()
    req = AuthRequest(client_id="egisz-demo", redirect_uri=RP_REDIRECT, scope="openid profile offline_access")
    code = authorize_code(client, req, personas["patient_moscow"])["code"]
    replay: dict[str, TestResponse] = {}
    replayer = threading.Thread(target=lambda: replay.update(r=exchange(app.test_client(), rp_credentials, req, code)))
    blocked = _blocked_on_a_lock(backend["database_url"]) if backend["name"] != "embedded" else (lambda: False)

    def replay_now() -> None:
        replayer.start()
        deadline = time.monotonic() + 3  # on SQLite the replay waits on the write lock, unseen
        while replayer.is_alive() and not blocked() and time.monotonic() < deadline:
            time.sleep(0.02)

    with at_next_commit(replay_now):
        won = exchange(client, rp_credentials, req, code)
    replayer.join(timeout=30)
    assert won.status_code == 200, won.text
    assert replay["r"].status_code == 400 and replay["r"].get_json()["error"] == "invalid_grant"

    stolen = refresh(client, rp_credentials, won.get_json()["refresh_token"])
    assert stolen.status_code == 400, "the winner's refresh token survived the replay"
    audited = audit_events(app, "code_replay")
    assert [row.detail.get("refresh_tokens_revoked") for row in audited] == [1], [r.detail for r in audited]


# --- health checks --------------------------------------------------------------------------------


def _assert_unready(resp: TestResponse, failed: str) -> None:
    assert resp.status_code == 503, resp.text
    assert resp.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert resp.get_json()[failed] == "unavailable", resp.text


@pytest.mark.postgres
def test_readiness_follows_the_database_and_liveness_does_not(pg_app: Flask, pg_proxy: tuple[str, TcpProxy]) -> None:
    client = pg_app.test_client()
    assert client.get("/readyz").get_json() == {"status": "ready", "database": "ok", "store": "ok"}
    with pg_proxy[1].outage():
        _assert_unready(client.get("/readyz"), "database")
        assert client.get("/healthz").status_code == 200  # alive: a balancer must not kill the worker
    assert client.get("/readyz").status_code == 200  # ready again, without a restart


@pytest.mark.redis
def test_readiness_follows_the_store(
    private_redis: PrivateRedis,
    keys_dir: Path,
    tmp_path: Path,
    sqlite_template: Path,
    persona_rows: list[dict[str, Any]],
) -> None:
    settings = _settings(
        keys_dir, tmp_path, database_url=_sqlite(tmp_path, sqlite_template), store_url=private_redis.url
    )
    for app in _app(settings, persona_rows):
        client = app.test_client()
        assert client.get("/readyz").status_code == 200
        private_redis.kill()
        _assert_unready(client.get("/readyz"), "store")
        assert client.get("/healthz").status_code == 200
        private_redis.start()
        assert client.get("/readyz").status_code == 200
