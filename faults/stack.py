"""The operator's stack of the fault suite, all of it private to one run.

* :class:`PrivatePostgres`: a cluster made with ``initdb`` in a temporary directory, on a spare
  port (as the ``postgres`` user when running as root), started and stopped with ``pg_ctl``;
* :class:`PrivateRedis`: ``redis-server`` on a spare port without persistence (so a restart is empty);
* :class:`Balancer`: Debian's haproxy, round robin over the IdP instances with ``GET /readyz``
  health checks, its own 503 (every instance unready) carrying ``Retry-After``;
* :func:`start_instances`: ``gosid init`` against the private services, a client for
  ``client_credentials``, then the IdP instances under gunicorn (config/gunicorn.conf.py).

The machine's own PostgreSQL (5432) and Redis (6379) are never used: every port here comes
from :func:`tests.support.servers.free_port`.
"""

from __future__ import annotations

import glob
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from tests.support.servers import REPO, GunicornServer, HarnessError, clean_environ, free_port

READY_TIMEOUT = 30.0
HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
CC_CLIENT_ID = "faults-cc"
REDIRECT_URI = "http://127.0.0.1:9/auth/callback"  # the demo client's; no RP runs
# the shipped circuit breaker (config/idp.toml), stated so the scenarios know how long it stays open:
# each worker has its own, so a worker may refuse for this long after its dependency is back
BREAKER_COOL_DOWN = 10.0


def _wait_port(port: int, *, timeout: float = READY_TIMEOUT, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise HarnessError(f"{what} not listening on {port} after {timeout:.0f} s")


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if found:
        return found[-1]
    on_path = shutil.which(name)
    if on_path is None:
        raise HarnessError(f"PostgreSQL's {name} not found (apt-get install postgresql)")
    return on_path


class PrivatePostgres:
    """A throw-away cluster: ``initdb`` (trust auth) in ``root/pgdata``, ``pg_ctl`` on ``port``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.data = root / "pgdata"
        self.socket_dir = root / "pgsock"
        self.log = root / "postgres.log"
        self.port = free_port()
        self._as_root = os.getuid() == 0

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *cmd: str, timeout: float = 60) -> None:
        argv = ["runuser", "-u", "postgres", "--", *cmd] if self._as_root else list(cmd)
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)  # noqa: S603
        if done.returncode != 0:
            raise HarnessError(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stdout}{done.stderr}")

    def create(self) -> None:
        self.socket_dir.mkdir()
        self.data.mkdir(mode=0o700)
        self.log.touch()
        if self._as_root:
            self.root.chmod(0o755)
            for path in (self.data, self.socket_dir, self.log):
                shutil.chown(path, "postgres", "postgres")
        self._run(_pg_bin("initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")
        _wait_port(self.port, what="PostgreSQL")

    def stop(self) -> None:
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def destroy(self) -> None:
        if (self.data / "postmaster.pid").exists():
            try:
                self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop", timeout=30)
            except (HarnessError, subprocess.TimeoutExpired) as exc:
                print(f"faults: could not stop the private PostgreSQL: {exc}", file=sys.stderr)


class PrivateRedis:
    """``redis-server`` on a spare port, no RDB/AOF: killed and started again, it is empty."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        cmd = [REDIS_SERVER, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no",
               "--dir", str(self.root)]  # fmt: skip
        with (self.root / "redis.log").open("ab") as log:
            self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)  # noqa: S603
        _wait_port(self.port, what="Redis")

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(timeout=10)
            self.proc = None

    def freeze(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGCONT)

    def destroy(self) -> None:
        if self.proc is not None:
            self.proc.send_signal(signal.SIGCONT)
            self.kill()


HAPROXY_CONFIG = """\
global
    maxconn 512

defaults
    mode http
    option httplog
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    # every instance unready (a shared dependency is down): haproxy's own 503 says when to retry
    errorfile 503 {errorfile}

frontend idp
    bind 127.0.0.1:{port}
    option forwardfor
    default_backend idps

backend idps
    balance roundrobin
    option httpchk GET /readyz
    http-check expect status 200
    default-server inter 500ms fall 2 rise 2
{servers}
"""

HAPROXY_503 = (
    "HTTP/1.0 503 Service Unavailable\r\n"
    "Cache-Control: no-store\r\n"
    "Content-Type: application/json\r\n"
    "Retry-After: 5\r\n"
    "Connection: close\r\n"
    "\r\n"
    '{"error": "temporarily_unavailable", "error_description": "no IdP instance is ready"}\n'
)


class Balancer:
    """``haproxy -db`` in front of the instances' ports."""

    def __init__(self, root: Path, backend_ports: list[int]) -> None:
        self.root = root
        self.port = free_port()
        errorfile = root / "haproxy-503.http"
        errorfile.write_text(HAPROXY_503)
        servers = "\n".join(f"    server idp{i} 127.0.0.1:{p} check" for i, p in enumerate(backend_ports, 1))
        self.config = root / "haproxy.cfg"
        self.config.write_text(HAPROXY_CONFIG.format(port=self.port, errorfile=errorfile, servers=servers))
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        check = subprocess.run([HAPROXY, "-c", "-f", str(self.config)], capture_output=True, text=True, check=False)  # noqa: S603
        if check.returncode != 0:
            raise HarnessError(f"haproxy refused its configuration:\n{check.stdout}{check.stderr}")
        with (self.root / "haproxy.log").open("ab") as log:
            self.proc = subprocess.Popen(  # noqa: S603
                [HAPROXY, "-db", "-f", str(self.config)], stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        _wait_port(self.port, what="haproxy")
        deadline = time.monotonic() + READY_TIMEOUT  # health checks have found the instances ready
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise HarnessError(f"haproxy found no ready IdP instance within {READY_TIMEOUT:.0f} s")

    def destroy(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self.proc = None


@dataclass
class Instances:
    servers: list[GunicornServer]
    demo_client: tuple[str, str]  # the demo RP (authorization_code + refresh_token)
    cc_client: tuple[str, str]  # a client_credentials client registered with `gosid client add`

    def worker_pids(self) -> list[int]:
        """The gunicorn workers of every instance (children of each master)."""
        pids = []
        for server in self.servers:
            if server.proc is None:
                continue
            children = Path(f"/proc/{server.proc.pid}/task/{server.proc.pid}/children")
            pids += [int(p) for p in children.read_text().split()]
        return pids

    def stop(self) -> None:
        for server in self.servers:
            server.stop()


def idp_environ(root: Path, *, issuer: str, database_url: str, store_url: str) -> dict[str, str]:
    """One environment for ``gosid init`` and every instance: the same keys, secret and services."""
    return clean_environ({
        "GOSID_MODE": "development",
        "GOSID_DEV_MODE": "true",  # the dev outbox gives the scripted logins their SMS codes
        "GOSID_ISSUER": issuer,
        "GOSID_DATABASE_URL": database_url,
        "GOSID_STORE_URL": store_url,
        "GOSID_STORE_BREAKER_COOL_DOWN": str(BREAKER_COOL_DOWN),
        "GOSID_KEYS_DIR": str(root / "keys"),
        "GOSID_VAR_DIR": str(root / "var"),
        "GOSID_SECRET_KEY": secrets.token_urlsafe(32),
        "GOSID_WORKERS": "2",
        "GOSID_THREADS": "4",
        "GOSID_RP_BASE_URL": "http://127.0.0.1:9",
        "GOSID_ACCESS_LOG": "0",
        "GOSID_LOG_LEVEL": "warning",
    })  # fmt: skip


def _gosid(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "idp.cli", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise HarnessError(f"gosid {' '.join(args)} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return done.stdout


def start_instances(root: Path, *, ports: list[int], env: dict[str, str]) -> Instances:
    """Migrate and seed the private database once, register the clients, start the instances."""
    import json

    (root / "var").mkdir(parents=True, exist_ok=True)
    _gosid(env, "init")
    demo = json.loads((root / "var" / "rp-client.json").read_text())
    added = _gosid(
        env, "client", "add", "--client-id", CC_CLIENT_ID, "--name", "fault suite", "--grant-type",
        "client_credentials", "--scope", "openid",
    )  # fmt: skip
    match = re.search(r"client_secret: (\S+)", added)
    if match is None:
        raise HarnessError(f"gosid client add printed no secret:\n{added}")
    servers: list[GunicornServer] = []
    instances = Instances(servers, (demo["client_id"], demo["client_secret"]), (CC_CLIENT_ID, match.group(1)))
    try:
        for i, port in enumerate(ports, 1):
            server = GunicornServer(f"IdP {i}", "idp.wsgi:app", port, env, root / f"idp{i}.log", workers=2, threads=4)
            servers.append(server)
            server.start("/readyz")
    except BaseException:
        instances.stop()
        raise
    return instances
