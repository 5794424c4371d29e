"""``gosid run``: the IdP, the demo RP and (dev mode) the simulated bank ACS under gunicorn,
until Ctrl-C or until one of them stops."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass

import click

from gosid_config import REPO_ROOT
from idp.selfservice.seeding import load_personas
from idp.settings import IdpSettings
from simulators import test_ca

GUNICORN = [sys.executable, "-m", "gunicorn", "-c", str(REPO_ROOT / "config" / "gunicorn.conf.py")]


@dataclass(frozen=True)
class Ports:
    idp: int
    rp: int
    acs: int


def _server(port: int, app: str, *, workers: int, threads: int, env: dict[str, str] | None = None) -> subprocess.Popen:
    argv = [*GUNICORN, "-b", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads), app]
    return subprocess.Popen(argv, cwd=REPO_ROOT, env=env)  # noqa: S603 - fixed argv, no shell


def start(settings: IdpSettings, ports: Ports) -> list[subprocess.Popen]:
    """Start the servers and say where they are."""
    procs = [
        _server(ports.idp, "idp.wsgi:app", workers=settings.workers, threads=settings.threads),
        _server(ports.rp, "relying_party_demo.wsgi:app", workers=1, threads=8),
    ]
    if settings.dev_mode:
        qes_dir = test_ca.ensure(settings.keys_dir, load_personas(settings.personas_file))
        click.echo(f"Test CA, personas' signature certificates: {qes_dir} (password {test_ca.P12_PASSWORD})")
        acs_env = {**os.environ, "GOSID_KEYS_DIR": str(settings.keys_dir)}
        procs.append(_server(ports.acs, "simulators.acs.wsgi:app", workers=1, threads=8, env=acs_env))
        click.echo(f"Bank ACS (3-D Secure simulator, test cards): http://localhost:{ports.acs}/")
    click.echo(f"IdP:  {settings.issuer}/.well-known/openid-configuration")
    click.echo(f"RP:   http://localhost:{ports.rp}/")
    click.echo(f"SMS and e-mail (dev outbox): {settings.issuer}/dev/outbox")
    return procs


def supervise(procs: list[subprocess.Popen]) -> bool:
    """Wait for Ctrl-C or the first server to stop, stop the rest; True when none failed."""
    try:
        while all(p.poll() is None for p in procs):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in procs:
            p.wait(timeout=20)
    return not [p.returncode for p in procs if p.returncode not in (0, -signal.SIGTERM, None)]
