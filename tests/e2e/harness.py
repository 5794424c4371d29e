"""Real servers and a plain-HTTP login driver, shared by the e2e tests and ``bench.run``.

Everything here talks to the IdP and the RP over loopback HTTP only (``requests``), never
through the applications' Python code: servers run under gunicorn in their own processes,
each with its own temporary ``var/`` and ``keys/`` directories.

No pytest imports: ``python -m bench.run`` uses this module as well.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import requests

from tests.support.oidc_client import AuthRequest, csrf_token, query_of, sms_code
from tests.support.password_cost import TEST_HASH_ENVIRON

REPO = Path(__file__).resolve().parents[2]
GUNICORN_CONF = REPO / "config" / "gunicorn.conf.py"
PERSONAS_FILE = REPO / "config" / "personas.toml"
DEMO_CLIENT_ID = "egisz-demo"
HTTP_TIMEOUT = 15.0
READY_TIMEOUT = 30.0


class HarnessError(RuntimeError):
    """A server did not start, or a scripted step got an answer it did not expect."""


# --- servers ---------------------------------------------------------------------------------


def free_port() -> int:
    """A currently free TCP port on 127.0.0.1 (bind to port 0 and let the kernel choose)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# The e2e suite signs the same personas in and registers from 127.0.0.1 many times within an
# hour; the limits config/idp.toml ships (10 codes per recipient, 30 per IP an hour) would refuse
# it. Every server the harness starts gets these instead: development mode only, since
# production refuses them (IdpSettings.check). `python -m bench.run` passes its own. The cheap
# argon2id cost of the suite (tests/support/password_cost.py) is development-only too.
E2E_IDP_SETTINGS: Mapping[str, str] = {
    "GOSID_CODE_SENDS_PER_RECIPIENT": "1000",
    "GOSID_CODE_SENDS_PER_IP": "100000",
    "GOSID_LOOKUP_CHECKS_PER_IP": "10000",
    **TEST_HASH_ENVIRON,
}


def clean_environ(extra: Mapping[str, str], *, idp_settings: Mapping[str, str] = E2E_IDP_SETTINGS) -> dict[str, str]:
    """This process's environment without any GOSID_* setting (tests stay hermetic), then the
    load-test limits ``idp_settings``, then ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOSID_") or k.startswith("GOSID_TEST_")}
    env["GOSID_CONFIG_DIR"] = str(REPO / "config")
    env.update(idp_settings)
    env.update(extra)
    return env


@dataclass
class GunicornServer:
    """One app under ``python -m gunicorn`` on 127.0.0.1, its output in ``log_path``."""

    name: str
    app: str
    port: int
    env: dict[str, str] = field(repr=False)
    log_path: Path
    workers: int = 1
    threads: int = 4
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, ready_path: str, timeout: float = READY_TIMEOUT) -> None:
        cmd = [
            sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF),
            "-b", f"127.0.0.1:{self.port}", "--workers", str(self.workers),
            "--threads", str(self.threads), self.app,
        ]  # fmt: skip
        with self.log_path.open("ab") as log:
            # Own process group: stop() can always clean up the master and its workers.
            self.proc = subprocess.Popen(
                cmd, cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        self._wait_ready(ready_path, timeout)

    def _wait_ready(self, path: str, timeout: float) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        last = "no answer yet"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise HarnessError(f"{self.name} exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                resp = requests.get(self.url + path, timeout=2)
                if resp.status_code == 200:
                    return
                last = f"HTTP {resp.status_code}"
            except requests.RequestException as exc:
                last = exc.__class__.__name__
            time.sleep(0.1)
        self.stop()
        raise HarnessError(f"{self.name} not ready after {timeout:.0f} s ({last}):\n{self.log_tail()}")

    def stop(self, timeout: float = 15.0) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # our own group (start_new_session above)
            proc.wait(timeout=5)

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def log_tail(self, lines: int = 200) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])


@dataclass
class IdpProcess:
    server: GunicornServer
    client_id: str
    client_secret: str = field(repr=False)
    root: Path

    @property
    def url(self) -> str:
        return self.server.url


def start_idp(
    root: Path, *, port: int, rp_base_url: str, database_url: str | None = None,
    store_url: str = "memory://", workers: int = 1, threads: int = 4, access_log: bool = True,
    log_level: str = "info", idp_settings: Mapping[str, str] = E2E_IDP_SETTINGS,
) -> IdpProcess:  # fmt: skip
    """``gosid init`` then gunicorn, all state under ``root`` (var/, keys/, idp.sqlite3, idp.log)."""
    var_dir, keys_dir = root / "var", root / "keys"
    var_dir.mkdir(parents=True, exist_ok=True)
    env = clean_environ(idp_settings=idp_settings, extra={
        "GOSID_MODE": "development",
        "GOSID_DEV_MODE": "true",
        "GOSID_ISSUER": f"http://127.0.0.1:{port}",
        "GOSID_DATABASE_URL": database_url or f"sqlite:///{root / 'idp.sqlite3'}",
        "GOSID_STORE_URL": store_url,
        "GOSID_KEYS_DIR": str(keys_dir),
        "GOSID_VAR_DIR": str(var_dir),
        "GOSID_SECRET_KEY": secrets.token_urlsafe(32),
        "GOSID_WORKERS": str(workers),
        "GOSID_THREADS": str(threads),
        "GOSID_RP_BASE_URL": rp_base_url,
        "GOSID_ACCESS_LOG": "1" if access_log else "0",
        "GOSID_LOG_LEVEL": log_level,
    })  # fmt: skip
    log_path = root / "idp.log"
    init = subprocess.run(
        [sys.executable, "-m", "idp.cli", "init"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    log_path.write_text(f"$ gosid init (exit {init.returncode})\n{init.stdout}{init.stderr}\n")
    if init.returncode != 0:
        raise HarnessError(f"gosid init failed ({init.returncode}):\n{init.stdout}{init.stderr}")
    credentials_file = var_dir / "rp-client.json"
    try:
        credentials = json.loads(credentials_file.read_text())
    except (OSError, ValueError) as exc:
        raise HarnessError(f"gosid init wrote no readable {credentials_file}: {exc}\n{init.stdout}") from exc
    server = GunicornServer("IdP", "idp.wsgi:app", port, env, log_path, workers=workers, threads=threads)
    server.start("/.well-known/openid-configuration")
    return IdpProcess(server, credentials["client_id"], credentials["client_secret"], root)


def start_rp(
    root: Path, *, port: int, idp_url: str, client_secret: str, workers: int = 1, threads: int = 4
) -> GunicornServer:
    """The demo RP under gunicorn, its SQLite database under ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    env = clean_environ({
        "GOSID_RP_MODE": "development",
        "GOSID_RP_BASE_URL": f"http://127.0.0.1:{port}",
        "GOSID_RP_IDP_URL": idp_url,
        "GOSID_RP_DATABASE_URL": f"sqlite:///{root / 'rp.sqlite3'}",
        "GOSID_RP_CLIENT_SECRET": client_secret,
        "GOSID_RP_CLIENT_FILE": str(root / "rp-client.json"),  # never the repository's var/
        "GOSID_RP_SECRET_KEY": secrets.token_urlsafe(32),
    })  # fmt: skip
    server = GunicornServer(
        "RP", "relying_party_demo.wsgi:app", port, env, root / "rp.log", workers=workers, threads=threads
    )
    server.start("/")
    return server


# --- personas and the dev outbox -------------------------------------------------------------


def load_personas(path: Path = PERSONAS_FILE) -> dict[str, dict[str, Any]]:
    """config/personas.toml keyed by ``key``, read as plain TOML (not through the IdP's code)."""
    with path.open("rb") as fh:
        return {p["key"]: p for p in tomllib.load(fh)["person"]}


def newest_outbox_id(idp_url: str, phone: str) -> int:
    messages = _outbox(idp_url, phone)
    return max((int(m["id"]) for m in messages), default=0)


def _outbox(idp_url: str, phone: str) -> list[dict[str, Any]]:
    resp = requests.get(f"{idp_url}/dev/outbox", params={"to": phone}, timeout=HTTP_TIMEOUT)
    if resp.status_code != 200:
        raise HarnessError(f"/dev/outbox answered {resp.status_code}")
    data: list[dict[str, Any]] = resp.json()
    return data


def read_sms_code(idp_url: str, phone: str, *, after_id: int, timeout: float = 10.0) -> str:
    """The code of the newest SMS to ``phone`` sent after message ``after_id`` (newest first)."""
    deadline = time.monotonic() + timeout
    while True:
        messages = _outbox(idp_url, phone)
        fresh = [m for m in messages if int(m["id"]) > after_id and m["channel"] == "sms"]
        if fresh:
            newest = max(fresh, key=lambda m: int(m["id"]))
            assert newest["to"] == phone, newest
            return sms_code(newest["body"])
        if time.monotonic() > deadline:
            raise HarnessError(f"no new SMS to {phone} in the outbox after id {after_id}")
        time.sleep(0.1)


# --- a scripted person at the IdP, with plain requests ---------------------------------------


def same_origin(url: str, base: str) -> bool:
    a, b = urlsplit(url), urlsplit(base)
    return (a.scheme, a.netloc) == (b.scheme, b.netloc)


def follow_within(session: requests.Session, resp: requests.Response, origin: str) -> requests.Response:
    """Follow redirects by hand while they stay on ``origin``; stop at the first one that leaves."""
    for _ in range(10):
        if not resp.is_redirect:
            return resp
        target = urljoin(resp.url, resp.headers["Location"])
        if not same_origin(target, origin):
            return resp
        resp = session.get(target, allow_redirects=False, timeout=HTTP_TIMEOUT)
    raise HarnessError(f"too many redirects, last at {resp.url}")


def is_consent_page(resp: requests.Response) -> bool:
    return resp.status_code == 200 and 'name="decision"' in resp.text and 'value="allow"' in resp.text


@dataclass
class LoginOutcome:
    """Where a scripted login at the IdP ended: the response that leaves the IdP (or the last page)."""

    response: requests.Response
    consent_shown: bool
    pages: list[str] = field(default_factory=list)


def login_at_idp(
    session: requests.Session, login_page: requests.Response, *, idp_url: str, phone: str,
    password: str, allow_redirects: bool = False,
) -> LoginOutcome:  # fmt: skip
    """From the IdP's password page: password, the SMS code from the outbox, then consent
    (allowed) when asked. With ``allow_redirects=False`` redirects are followed only within the
    IdP, so the returned response is the redirect to the client (the RP is not contacted)."""
    pages = [login_page.url]
    if not (login_page.status_code == 200 and login_page.url.split("?")[0] == f"{idp_url}/login"):
        raise HarnessError(f"expected the IdP login page, got {login_page.status_code} at {login_page.url}")
    before = newest_outbox_id(idp_url, phone)
    resp = _step(session, "post", f"{idp_url}/login", idp_url, allow_redirects, data={
        "csrf_token": csrf_token(login_page.text), "login": phone, "password": password,
    })  # fmt: skip
    pages.append(resp.url)
    if not (resp.status_code == 200 and resp.url == f"{idp_url}/login/sms"):
        raise HarnessError(f"password step: {resp.status_code} at {resp.url}")
    code = read_sms_code(idp_url, phone, after_id=before)
    resp = _step(session, "post", f"{idp_url}/login/sms", idp_url, allow_redirects, data={
        "csrf_token": csrf_token(resp.text), "code": code,
    })  # fmt: skip
    pages.append(resp.url)
    consent_shown = is_consent_page(resp)
    if consent_shown:
        # The consent form posts back to the very /authorize URL it was shown on.
        resp = _step(session, "post", resp.url, idp_url, allow_redirects, data={
            "csrf_token": csrf_token(resp.text), "decision": "allow",
        })  # fmt: skip
        pages.append(resp.url)
    return LoginOutcome(resp, consent_shown, pages)


def _step(
    session: requests.Session, method: str, url: str, idp_url: str, allow_redirects: bool,
    data: dict[str, str],
) -> requests.Response:  # fmt: skip
    resp = session.request(method, url, data=data, allow_redirects=allow_redirects, timeout=HTTP_TIMEOUT)
    if allow_redirects:
        return resp
    return follow_within(session, resp, idp_url)


def basic_auth(client_id: str, client_secret: str) -> tuple[str, str]:
    """RFC 6749 §2.3.1: id and secret are form-urlencoded before HTTP Basic encoding."""
    return quote(client_id, safe=""), quote(client_secret, safe="")


@dataclass
class CodeResult:
    request: AuthRequest
    redirect: str
    params: dict[str, str]
    consent_shown: bool


def authorize_code(
    session: requests.Session, *, authorization_endpoint: str, idp_url: str, client_id: str,
    redirect_uri: str, phone: str, password: str, scope: str = "openid profile",
) -> CodeResult:  # fmt: skip
    """Authorization request (PKCE S256, state, nonce) → login → consent → the code redirect.

    The redirect to ``redirect_uri`` is returned, not followed.
    """
    auth = AuthRequest(client_id=client_id, redirect_uri=redirect_uri, scope=scope)
    resp = session.get(authorization_endpoint, params=auth.params(), allow_redirects=False, timeout=HTTP_TIMEOUT)
    resp = follow_within(session, resp, idp_url)
    if resp.is_redirect:  # already signed in and consented: straight back to the client
        outcome = LoginOutcome(resp, consent_shown=False)
    else:
        outcome = login_at_idp(session, resp, idp_url=idp_url, phone=phone, password=password)
    final = outcome.response
    if final.status_code not in (302, 303):
        raise HarnessError(f"expected a redirect to the client, got {final.status_code} at {final.url}")
    location = urljoin(final.url, final.headers["Location"])
    if location.split("?")[0] != redirect_uri:
        raise HarnessError(f"redirected to {location}, not to {redirect_uri}")
    return CodeResult(auth, location, query_of(location), outcome.consent_shown)
