"""A certified, independent client implementation against the IdP under gunicorn.

panva's ``openid-client`` (v6, OpenID Certified) runs under Node (``openid_client/flow.mjs``)
and does every protocol step with its own checks: discovery, code + PKCE + state + nonce with
RFC 9207 ``iss``, ID token validation, userinfo, refresh rotation, PAR, DPoP-bound tokens with the
server nonce, ``private_key_jwt``, introspection, revocation, client credentials, RFC 7591
registration of a public client, and RP-initiated logout. This test plays the person's browser
(password, SMS code from the dev outbox, consent) with ``requests`` and asserts on the JSON the
script prints.

The IdP is this module's own (not the shared ``stack``), so extra clients can be registered with
``gosid client add`` before it starts, and the demo RP is not needed.
"""

from __future__ import annotations

import json
import queue
import secrets
import shutil
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from joserfc.jwk import ECKey
from sqlalchemy import create_engine, text

from tests.support.backends import PG_ADMIN_URL, backend_param, postgres_available, redis_available, require
from tests.support.e2e_stack import E2E_REDIS_URL
from tests.support.http_login import follow_within, is_consent_page, login_at_idp
from tests.support.servers import REPO, GunicornServer, HarnessError, clean_environ, free_port, load_personas

pytestmark = pytest.mark.e2e

PACKAGE = Path(__file__).resolve().parent / "openid_client"
PERSONA = "patient_novosibirsk"
FLOW_TIMEOUT = 90.0
HTTP_TIMEOUT = 15.0


def _npm() -> str | None:
    return shutil.which("npm")


@pytest.fixture(scope="session")
def openid_client_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Node package installed with ``npm ci`` (exact versions from package-lock.json) in a
    temporary directory, so the work tree is never touched."""
    require(shutil.which("node") is not None and _npm() is not None, "Node.js and npm")
    version = subprocess.run(["node", "--version"], capture_output=True, text=True, check=True).stdout.strip()
    assert int(version.lstrip("v").split(".")[0]) >= 20, f"openid-client v6 needs Node 20 or newer, found {version}"
    target = tmp_path_factory.mktemp("openid-client")
    for name in ("package.json", "package-lock.json", "flow.mjs"):
        shutil.copy(PACKAGE / name, target / name)
    npm = _npm()
    assert npm is not None
    done = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=target,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, f"npm ci failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return target


# --- the IdP, with the clients openid-client uses --------------------------------------------


@dataclass
class ClientIdp:
    server: GunicornServer
    backend: str
    registration_token: str
    clients: dict[str, dict[str, Any]]

    @property
    def url(self) -> str:
        return self.server.url


def _cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "idp.cli", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise HarnessError(f"gosid {' '.join(args[:2])} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return done.stdout


def _secret_from(output: str) -> str:
    for line in output.splitlines():
        if line.startswith("client_secret:"):
            return line.split()[1]
    raise HarnessError(f"no client_secret in {output!r}")


@pytest.fixture(scope="module", params=[backend_param("embedded"), backend_param("postgres_redis")])
def client_idp(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClientIdp]:
    backend: str = request.param
    root = tmp_path_factory.mktemp(f"openid-client-idp-{backend}")
    port = free_port()
    database_url = f"sqlite:///{root / 'idp.sqlite3'}"
    store_url, workers = "memory://", 1
    pg_name = None
    if backend == "postgres_redis":
        require(postgres_available() and redis_available(), "PostgreSQL at 127.0.0.1:5432 and Redis at 127.0.0.1:6379")
        pg_name = f"gosid_oc_{uuid.uuid4().hex[:10]}"
        _pg_admin(f'CREATE DATABASE "{pg_name}"')
        database_url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{pg_name}"
        store_url, workers = E2E_REDIS_URL, 2
    registration_token = secrets.token_urlsafe(24)
    env = clean_environ({
        "GOSID_MODE": "development",
        "GOSID_DEV_MODE": "true",
        "GOSID_ISSUER": f"http://127.0.0.1:{port}",
        "GOSID_DATABASE_URL": database_url,
        "GOSID_STORE_URL": store_url,
        "GOSID_KEYS_DIR": str(root / "keys"),
        "GOSID_VAR_DIR": str(root / "var"),
        "GOSID_SECRET_KEY": secrets.token_urlsafe(32),
        "GOSID_WORKERS": str(workers),
        "GOSID_THREADS": "4",
        "GOSID_RP_BASE_URL": "http://127.0.0.1:9",  # the demo RP is registered but never contacted
        "GOSID_REGISTRATION_TOKEN": registration_token,
        "GOSID_ACCESS_LOG": "1",
        "GOSID_LOG_LEVEL": "info",
    })  # fmt: skip
    server = GunicornServer("IdP", "idp.wsgi:app", port, env, root / "idp.log", workers=workers, threads=4)
    try:
        _cli(env, "init")
        clients = _register_clients(env, root)
        server.start("/.well-known/openid-configuration")
        yield ClientIdp(server, backend, registration_token, clients)
    finally:
        server.stop()
        if request.node.session.testsfailed:
            print(f"\n----- IdP log ({server.log_path}) -----\n{server.log_tail(200)}")
        if pg_name:
            _pg_admin(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')


def _pg_admin(statement: str) -> None:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(statement))
    finally:
        admin.dispose()


def _register_clients(env: dict[str, str], root: Path) -> dict[str, dict[str, Any]]:
    """A confidential client_secret_basic client, and a FAPI-style one: private_key_jwt, PAR
    required, DPoP-bound tokens, ES256 ID tokens, client credentials allowed. Redirect URIs are
    loopback addresses nobody listens on: the browser's redirect is handed to Node, not followed."""
    callback = "http://127.0.0.1:9/cb"
    basic = {
        "client_id": "oc-basic",
        "redirect_uri": f"{callback}/basic",
        "post_logout_redirect_uri": "http://127.0.0.1:9/logged-out",
    }
    out = _cli(
        env, "client", "add", "--client-id", basic["client_id"], "--name", "openid-client basic",
        "--redirect-uri", basic["redirect_uri"], "--post-logout-redirect-uri", basic["post_logout_redirect_uri"],
        "--scope", "openid profile phone", "--auth-method", "client_secret_basic",
    )  # fmt: skip
    basic["client_secret"] = _secret_from(out)

    key = ECKey.generate_key("P-256", private=True, parameters={"kid": "oc-fapi-1", "use": "sig", "alg": "ES256"})
    jwks_file = root / "oc-fapi.jwks.json"
    jwks_file.write_text(json.dumps({"keys": [key.as_dict(private=False)]}))
    fapi: dict[str, Any] = {
        "client_id": "oc-fapi",
        "redirect_uri": f"{callback}/fapi",
        "id_token_signed_response_alg": "ES256",
        "private_jwk": key.as_dict(private=True),
    }
    _cli(
        env, "client", "add", "--client-id", fapi["client_id"], "--name", "openid-client FAPI",
        "--redirect-uri", fapi["redirect_uri"], "--scope", "openid profile phone",
        "--auth-method", "private_key_jwt", "--jwks-file", str(jwks_file),
        "--grant-type", "authorization_code", "--grant-type", "refresh_token", "--grant-type", "client_credentials",
        "--id-token-alg", "ES256", "--require-par", "--dpop",
    )  # fmt: skip
    return {"basic": basic, "fapi": fapi, "public": {"redirect_uri": f"{callback}/public"}}


# --- the person's browser --------------------------------------------------------------------


class Browser:
    """The person: signs in once (password + SMS), then consents per client."""

    def __init__(self, idp_url: str, person: dict[str, Any]) -> None:
        self.idp_url = idp_url
        self.person = person
        self.session = requests.Session()
        self.consents = 0

    def authorize(self, url: str) -> str:
        resp = self.session.get(url, allow_redirects=False, timeout=HTTP_TIMEOUT)
        resp = follow_within(self.session, resp, self.idp_url)
        if resp.status_code == 200 and urlsplit(resp.url).path == "/login":
            outcome = login_at_idp(
                self.session, resp, idp_url=self.idp_url, phone=self.person["phone"], password=self.person["password"]
            )
            resp = outcome.response
            self.consents += outcome.consent_shown
        elif is_consent_page(resp):
            from tests.support.oidc_client import csrf_token

            resp = self.session.post(
                resp.url,
                data={"csrf_token": csrf_token(resp.text), "decision": "allow"},
                allow_redirects=False,
                timeout=HTTP_TIMEOUT,
            )
            self.consents += 1
        assert resp.status_code in (302, 303), f"{resp.status_code} at {resp.url}: {resp.text[-1500:]}"
        return urljoin(resp.url, resp.headers["Location"])

    def logout(self, url: str) -> str:
        assert url.startswith(self.idp_url + "/logout?"), url
        resp = self.session.get(url, allow_redirects=False, timeout=HTTP_TIMEOUT)
        assert resp.status_code == 303, f"{resp.status_code}: {resp.text[-1500:]}"
        return urljoin(resp.url, resp.headers["Location"])


# --- running the Node script -----------------------------------------------------------------


def _run_flow(package: Path, idp: ClientIdp, browser: Browser, tmp_path: Path) -> tuple[dict[str, Any], list[str]]:
    config = {"issuer": idp.url, "registration_token": idp.registration_token, "clients": idp.clients}
    config_file = tmp_path / "flow-config.json"
    config_file.write_text(json.dumps(config))
    stderr_file = tmp_path / "flow.stderr"
    steps: list[str] = []
    with stderr_file.open("w") as stderr:
        proc = subprocess.Popen(
            ["node", str(package / "flow.mjs"), str(config_file)],
            cwd=package,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            bufsize=1,
        )
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + FLOW_TIMEOUT
    try:
        while True:
            try:
                line = lines.get(timeout=max(deadline - time.monotonic(), 0.1))
            except queue.Empty:
                pytest.fail(f"openid-client flow timed out after steps {steps}:\n{stderr_file.read_text()}")
            if line is None:
                pytest.fail(f"openid-client flow ended without a result after {steps}:\n{stderr_file.read_text()}")
            message = json.loads(line)
            step = message["step"]
            steps.append(step)
            if step == "result":
                return message, steps
            if step == "error":
                pytest.fail("openid-client refused the IdP: " + json.dumps(message, indent=2, ensure_ascii=False))
            if step.startswith("authorize:"):
                answer = browser.authorize(message["url"])
            elif step == "logout":
                answer = browser.logout(message["url"])
            else:
                pytest.fail(f"unknown step {step!r}")
            assert proc.stdin is not None
            proc.stdin.write(answer + "\n")
            proc.stdin.flush()
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)


def _query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


# --- the test --------------------------------------------------------------------------------


def test_openid_client_completes_every_flow_against_the_idp(
    openid_client_dir: Path, client_idp: ClientIdp, tmp_path: Path
) -> None:
    person = load_personas()[PERSONA]
    browser = Browser(client_idp.url, person)
    result, steps = _run_flow(openid_client_dir, client_idp, browser, tmp_path)
    assert steps == ["authorize:basic", "authorize:fapi", "authorize:public", "logout", "result"]
    assert result["discovery"] == {"issuer": client_idp.url, "end_session_endpoint": f"{client_idp.url}/logout"}
    assert browser.consents == 3  # one per client; the password and SMS only once
    oid = _person_oid(result)

    # Confidential client: code + PKCE, ID token and userinfo checked by openid-client.
    basic = result["basic"]
    assert basic["callback_params"]["iss"] == client_idp.url  # RFC 9207
    tokens = basic["tokens"]
    assert tokens["token_type"] == "bearer"
    assert tokens["claims"]["sub"] == oid
    assert tokens["claims"]["aud"] in ("oc-basic", ["oc-basic"])
    assert tokens["claims"]["acr"] == "urn:gosid:acr:2fa"
    assert set(tokens["claims"]["amr"]) >= {"pwd", "sms"}
    assert tokens["id_token_alg"] == "RS256"
    assert tokens["access_token_header"]["typ"] == "at+jwt"
    assert basic["userinfo"]["sub"] == oid
    assert basic["userinfo"]["family_name"] == person["surname"]
    assert basic["userinfo"]["given_name"] == person["name"]
    assert basic["userinfo"]["phone_number"] == person["phone"]
    assert basic["refresh_rotated"] is True
    assert basic["refreshed"]["claims"] is None or basic["refreshed"]["claims"]["sub"] == oid
    assert basic["reuse_of_rotated_refresh_token"]["error"] == "invalid_grant"

    # FAPI-style client: private_key_jwt, PAR, DPoP-bound tokens with the server nonce.
    fapi = result["fapi"]
    assert fapi["authorization_url_params"] == ["client_id", "request_uri"]
    assert fapi["tokens"]["token_type"] == "dpop"
    assert fapi["tokens"]["id_token_alg"] == "ES256"
    assert fapi["tokens"]["claims"]["sub"] == oid
    assert fapi["tokens"]["access_token"]["cnf"] == {"jkt": fapi["dpop_jkt"]}
    assert fapi["userinfo"]["sub"] == oid and fapi["userinfo"]["phone_number"] == person["phone"]
    assert fapi["userinfo_without_dpop_proof"] is not None  # a DPoP-bound token is no Bearer token
    assert fapi["userinfo_without_dpop_proof"]["status"] == 401
    assert fapi["refreshed"]["token_type"] == "dpop"
    assert fapi["refreshed"]["access_token"]["cnf"] == {"jkt": fapi["dpop_jkt"]}
    assert fapi["introspection"]["active"] is True
    assert fapi["introspection"]["token_type"] == "DPoP"
    assert fapi["introspection"]["sub"] == oid
    assert fapi["client_credentials"]["token_type"] == "dpop"
    assert fapi["client_credentials"]["access_token"]["sub"] == "oc-fapi"
    assert fapi["client_credentials"]["has_refresh_token"] is False
    assert fapi["refresh_after_revocation"]["error"] == "invalid_grant"

    # RFC 7591 registration, then a public client (token_endpoint_auth_method "none").
    public = result["public"]
    assert public["token_endpoint_auth_method"] == "none"
    assert public["tokens"]["claims"]["sub"] == oid
    assert public["tokens"]["claims"]["aud"] in (public["client_id"], [public["client_id"]])
    assert public["refreshed"]["has_refresh_token"] is True

    # RP-initiated logout: back at the registered post_logout_redirect_uri with our state.
    logout = result["logout"]
    assert {"id_token_hint", "post_logout_redirect_uri", "state", "client_id"} <= set(logout["end_session_url_params"])
    landed = urlsplit(logout["landed_at"])
    assert f"{landed.scheme}://{landed.netloc}{landed.path}" == client_idp.clients["basic"]["post_logout_redirect_uri"]
    assert _query(logout["landed_at"]) == {"state": logout["expected_state"]}
    assert logout["refresh_after_logout"]["error"] == "invalid_grant"  # logout revokes the session's tokens

    # What went over the wire: the server nonce was asked for and used, raw token types.
    exchanges = result["exchanges"]
    token_url, par_url = f"{client_idp.url}/token", f"{client_idp.url}/par"
    fapi_token_calls = [e for e in exchanges if e["client"] == "fapi" and e["url"] == token_url]
    # The proof sent with PAR already meets the nonce demand (RFC 9449 §10.1), so the first
    # use_dpop_nonce may come from /par; later proofs at /token carry the nonce.
    fapi_dpop_calls = [e for e in exchanges if e["client"] == "fapi" and e["url"] in (token_url, par_url)]
    assert any(e["status"] == 400 and e["error"] == "use_dpop_nonce" for e in fapi_dpop_calls), fapi_dpop_calls
    assert all(e["dpop_proof"] for e in fapi_token_calls)
    assert {e["token_type"] for e in fapi_token_calls if e["status"] == 200} == {"DPoP"}
    assert any(e["url"] == par_url and e["status"] == 201 for e in exchanges)
    assert not [e for e in exchanges if e["status"] >= 500], exchanges

    # The browser session is gone too: the IdP asks for a login again.
    again = browser.session.get(f"{client_idp.url}/profile", allow_redirects=False, timeout=HTTP_TIMEOUT)
    assert again.status_code == 302 and again.headers["Location"].endswith("/login")


def _person_oid(result: dict[str, Any]) -> str:
    sub = result["basic"]["tokens"]["claims"]["sub"]
    assert isinstance(sub, str) and sub.isdigit(), sub
    return sub
