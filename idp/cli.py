"""The ``gosid`` command: set up the database, seed personas, manage clients, users, keys."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import click

from gosid_config import REPO_ROOT


def _app():
    from idp.app import create_app

    return create_app()


@click.group()
def main() -> None:
    """gosid: a local Gosuslugi / ESIA stand and a demo EGISZ service."""


@main.command()
def init() -> None:
    """Migrate the database, generate keys, seed personas (dev) and register the demo RP."""
    from idp.oidc.clients import register_demo_rp
    from idp.selfservice.seeding import seed_personas
    from idp.settings import load_idp_settings
    from idp.storage.migrate import upgrade

    settings = load_idp_settings()
    if settings.database_url.startswith("sqlite:///"):
        settings.var_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.resolved_database_url())
    app = _app()
    with app.app_context():
        if settings.dev_mode:
            added = seed_personas(settings.personas_file, secret_key=settings.secret_key)
            click.echo(f"personas: {len(added)} added" + (f" ({', '.join(added)})" if added else ""))
        rp_url = os.environ.get("GOSID_RP_BASE_URL", "http://localhost:8001")
        client = register_demo_rp(rp_base_url=rp_url, credentials_file=settings.var_dir / "rp-client.json")
        click.echo("demo RP client: " + ("registered" if client else "already registered"))
    click.echo(f"signing keys in {settings.keys_dir / 'signing'}")


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    from idp.settings import load_idp_settings
    from idp.storage.migrate import upgrade

    upgrade(load_idp_settings().resolved_database_url())
    click.echo("database at the latest schema")


@main.command()
def seed() -> None:
    """Add the personas of config/personas.toml that are missing."""
    from idp.selfservice.seeding import seed_personas

    app = _app()
    with app.app_context():
        settings = app.config["GOSID_SETTINGS"]
        added = seed_personas(settings.personas_file, secret_key=settings.secret_key)
    click.echo(f"personas: {len(added)} added")


def _add_domain_commands() -> None:
    from idp.accounts.cli import user
    from idp.esia.cli import esia, esia_client
    from idp.oidc.cli import client, keys

    for command in (client, keys, user, esia_client, esia):
        main.add_command(command)


_add_domain_commands()


@main.command()
@click.option(
    "--file",
    "path",
    required=True,
    type=click.Path(exists=True, dir_okay=False),
    help="a .p12 (RSA/ECDSA) or a GOST certificate .pem with its .key.pem beside it",
)
@click.option("--password", default="gosid-qes", show_default=True, help="the .p12 password")
@click.option("--challenge", required=True, help="the text the login page asks you to sign")
def sign(path: str, password: str, challenge: str) -> None:
    """Sign a login challenge: prints a detached CMS signature (base64) to paste into the page."""
    import base64
    from pathlib import Path

    from simulators.qes_signer import sign_file

    try:
        der = sign_file(Path(path), password, challenge.encode())
    except (ValueError, OSError) as exc:
        raise click.ClickException(f"cannot sign with {path}: {exc}") from exc
    click.echo(base64.b64encode(der).decode())


@main.command()
@click.option("--idp-port", default=8000)
@click.option("--rp-port", default=8001)
@click.option("--acs-port", default=8002, help="the simulated bank's 3-D Secure ACS (dev mode)")
def run(idp_port: int, rp_port: int, acs_port: int) -> None:
    """Start the IdP and the demo RP (and, in dev mode, the simulated bank ACS) under gunicorn until Ctrl-C."""
    from idp.settings import load_idp_settings

    settings = load_idp_settings()
    gunicorn = [sys.executable, "-m", "gunicorn", "-c", str(REPO_ROOT / "config" / "gunicorn.conf.py")]
    procs = [
        subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            [
                *gunicorn,
                "-b",
                f"127.0.0.1:{idp_port}",
                "--workers",
                str(settings.workers),
                "--threads",
                str(settings.threads),
                "idp.wsgi:app",
            ],
            cwd=REPO_ROOT,
        ),
        subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            [
                *gunicorn,
                "-b",
                f"127.0.0.1:{rp_port}",
                "--workers",
                "1",
                "--threads",
                "8",
                "relying_party_demo.wsgi:app",
            ],
            cwd=REPO_ROOT,
        ),
    ]
    if settings.dev_mode:
        from idp.selfservice.seeding import load_personas
        from simulators import test_ca

        qes_dir = test_ca.ensure(settings.keys_dir, load_personas(settings.personas_file))
        click.echo(f"Test CA, personas' signature certificates: {qes_dir} (password {test_ca.P12_PASSWORD})")
        acs = [*gunicorn, "-b", f"127.0.0.1:{acs_port}", "--workers", "1", "--threads", "8"]
        acs_env = {**os.environ, "GOSID_KEYS_DIR": str(settings.keys_dir)}
        procs.append(subprocess.Popen([*acs, "simulators.acs.wsgi:app"], cwd=REPO_ROOT, env=acs_env))  # noqa: S603
        click.echo(f"Bank ACS (3-D Secure simulator, test cards): http://localhost:{acs_port}/")
    click.echo(f"IdP:  {settings.issuer}/.well-known/openid-configuration")
    click.echo(f"RP:   http://localhost:{rp_port}/")
    click.echo(f"SMS and e-mail (dev outbox): {settings.issuer}/dev/outbox")
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
    failed = [p.returncode for p in procs if p.returncode not in (0, -signal.SIGTERM, None)]
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
