"""The IdP as an operator runs it: production mode under gunicorn, behind Debian's haproxy
terminating TLS with a self-signed certificate, SMS codes posted to an HTTP gateway.

* :func:`self_signed_certificate` makes a certificate for 127.0.0.1/localhost (cryptography),
  written as the one PEM file (certificate + key) haproxy's ``crt`` wants;
* :class:`SmsGatewayReceiver` is the SMS provider: a loopback HTTP server that keeps every
  ``{"to", "text"}`` the IdP's real :class:`~idp.outbox.senders.HttpSmsGateway` posts to it;
* :class:`Haproxy` runs ``haproxy -db`` with ``X-Forwarded-Proto: https`` and ``X-Forwarded-For``
  in front of one backend;
* :func:`start_production_idp` runs ``gosid init`` and ``gosid seed`` then gunicorn with
  ``GOSID_MODE=production`` (dev mode off, the shipped limits and password cost).

No pytest imports, like :mod:`tests.support.servers`.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from requests.adapters import HTTPAdapter

from tests.support.oidc_client import sms_code
from tests.support.servers import REPO, GunicornServer, HarnessError, clean_environ, free_port

HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"
READY_TIMEOUT = 20.0


@dataclass(frozen=True)
class Certificate:
    pem: Path  # certificate + key, for haproxy's ``crt``
    cert: Path  # the certificate alone: the trust anchor clients verify the proxy with


def self_signed_certificate(directory: Path) -> Certificate:
    """A fresh EC certificate for 127.0.0.1 and localhost, and its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    made = Certificate(pem=directory / "proxy.pem", cert=directory / "proxy.crt")
    made.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    made.pem.write_bytes(
        cert.public_bytes(serialization.Encoding.PEM)
        + key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return made


class SmsGatewayReceiver:
    """The SMS provider: keeps each message the IdP posts (with a bearer token) and answers 202."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.messages: list[dict[str, str]] = []
        self._cond = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.headers.get("Authorization") != f"Bearer {receiver.token}":
                    self.send_response(401)
                else:
                    message = json.loads(body)
                    with receiver._cond:
                        receiver.messages.append({"to": str(message["to"]), "text": str(message["text"])})
                        receiver._cond.notify_all()
                    self.send_response(202)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/sms"

    def count(self) -> int:
        with self._cond:
            return len(self.messages)

    def code_for(self, phone: str, *, after: int, timeout: float = 10.0) -> str:
        """The one-time code of the first message to ``phone`` past the first ``after`` messages."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for message in self.messages[after:]:
                    if message["to"] == phone:
                        return sms_code(message["text"])
                left = deadline - time.monotonic()
                if left <= 0:
                    raise HarnessError(f"no SMS to {phone} after message {after}: {self.messages}")
                self._cond.wait(left)

    def __enter__(self) -> SmsGatewayReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


HAPROXY_CONFIG = """\
global
    maxconn 256

defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 60s

frontend tls
    bind 127.0.0.1:{port} ssl crt {pem}
    # what a TLS-terminating proxy tells the application: the scheme, and who the client is
    http-request set-header X-Forwarded-Proto https
    option forwardfor
    default_backend app

backend app
    server app1 127.0.0.1:{backend_port}
"""


class Haproxy:
    """``haproxy -db`` terminating TLS on ``port`` in front of 127.0.0.1:``backend_port``."""

    def __init__(self, root: Path, *, port: int, backend_port: int, pem: Path) -> None:
        self.port, self.root = port, root
        self.config = root / "haproxy.cfg"
        self.config.write_text(HAPROXY_CONFIG.format(port=port, pem=pem, backend_port=backend_port))
        self.log_path = root / "haproxy.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def start(self) -> None:
        check = subprocess.run([HAPROXY, "-c", "-f", str(self.config)], capture_output=True, text=True, check=False)
        if check.returncode != 0:
            raise HarnessError(f"haproxy refused its configuration:\n{check.stdout}{check.stderr}")
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                [HAPROXY, "-db", "-f", str(self.config)], stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise HarnessError(f"haproxy exited with {self.proc.returncode}:\n{self.log_path.read_text()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise HarnessError(f"haproxy not listening on {self.port} after {READY_TIMEOUT:.0f} s")

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


class _FromAddress(HTTPAdapter):
    """Connections from a chosen loopback address (any of 127.0.0.0/8 is this machine)."""

    def __init__(self, source_ip: str) -> None:
        self._source_ip = source_ip
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self._source_ip, 0)
        super().init_poolmanager(*args, **kwargs)


def tls_session(trusted: Certificate, *, source_ip: str | None = None) -> requests.Session:
    """A ``requests`` session that verifies the proxy against the test's own certificate (and
    ignores the environment's CA bundle and proxy variables, which would override that),
    connecting from ``source_ip`` when given."""
    session = requests.Session()
    session.trust_env = False
    session.verify = str(trusted.cert)
    if source_ip:
        session.mount("https://", _FromAddress(source_ip))
    return session


def start_production_idp(
    root: Path, *, port: int, issuer: str, sms_gateway_url: str, sms_gateway_token: str, trusted_proxy_hops: int
) -> GunicornServer:
    """``gosid init`` + ``gosid seed`` then gunicorn, in production mode, all state under ``root``."""
    var_dir = root / "var"
    var_dir.mkdir(parents=True, exist_ok=True)
    env = clean_environ(
        idp_settings={},  # production: the shipped limits and password cost, nothing relaxed
        extra={
            "GOSID_MODE": "production",
            "GOSID_DEV_MODE": "false",
            "GOSID_ISSUER": issuer,
            "GOSID_DATABASE_URL": f"sqlite:///{root / 'idp.sqlite3'}",
            "GOSID_STORE_URL": "memory://",
            "GOSID_WORKERS": "1",
            "GOSID_THREADS": "4",
            "GOSID_KEYS_DIR": str(root / "keys"),
            "GOSID_VAR_DIR": str(var_dir),
            "GOSID_SECRET_KEY": secrets.token_urlsafe(48),
            "GOSID_RP_BASE_URL": "https://rp.example.ru",
            "GOSID_SMS_GATEWAY_URL": sms_gateway_url,
            "GOSID_SMS_GATEWAY_TOKEN": sms_gateway_token,
            "GOSID_SMTP_PORT": str(free_port()),  # nobody listens: e-mail notices are audited as undelivered
            "GOSID_TRUSTED_PROXY_HOPS": str(trusted_proxy_hops),
        },
    )
    log_path = root / "idp.log"
    with log_path.open("a") as log:
        for command in ("init", "seed"):
            done = subprocess.run(
                [sys.executable, "-m", "idp.cli", command],
                cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False,
            )  # fmt: skip
            log.write(f"$ gosid {command} (exit {done.returncode})\n{done.stdout}{done.stderr}\n")
            if done.returncode != 0:
                raise HarnessError(f"gosid {command} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    server = GunicornServer("IdP (production)", "idp.wsgi:app", port, env, log_path, workers=1, threads=4)
    server.start("/.well-known/openid-configuration")
    return server
