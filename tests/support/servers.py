"""Real servers for the e2e tests and ``bench.run``: the IdP and the RP under gunicorn, and
the dev outbox and personas read over HTTP.

Everything here talks to the IdP and the RP over loopback HTTP only (``requests``), never
through the applications' Python code: servers run under gunicorn in their own processes,
each with its own temporary ``var/`` and ``keys/`` directories. The scripted login over the
same HTTP is :mod:`tests.support.http_login`.

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

import requests

from tests.support.oidc_client import sms_code
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
