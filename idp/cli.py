"""The ``gosid`` command: set up the database, seed personas, manage clients, users, keys."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date

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
    from idp.accounts.seeding import seed_personas
    from idp.oidc.clients import register_demo_rp
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
    from idp.accounts.seeding import seed_personas

    app = _app()
    with app.app_context():
        settings = app.config["GOSID_SETTINGS"]
        added = seed_personas(settings.personas_file, secret_key=settings.secret_key)
    click.echo(f"personas: {len(added)} added")


@main.group()
def client() -> None:
    """OAuth clients."""


@client.command("add")
@click.option("--client-id", required=True)
@click.option("--name", required=True)
@click.option("--redirect-uri", "redirect_uris", multiple=True)
@click.option("--post-logout-redirect-uri", "post_logout", multiple=True)
@click.option("--scope", "scopes", multiple=True, default=("openid", "profile"))
@click.option(
    "--auth-method",
    default="client_secret_basic",
    type=click.Choice(["client_secret_basic", "client_secret_post", "private_key_jwt", "none"]),
)
@click.option(
    "--grant-type",
    "grant_types",
    multiple=True,
    default=("authorization_code", "refresh_token"),
    type=click.Choice(["authorization_code", "refresh_token", "client_credentials"]),
)
@click.option("--jwks-file", type=click.Path(exists=True, dir_okay=False), help="public JWK Set for private_key_jwt")
@click.option("--id-token-alg", default="RS256", type=click.Choice(["RS256", "ES256", "PS256"]))
@click.option("--access-token-alg", default="RS256", type=click.Choice(["RS256", "ES256", "PS256"]))
@click.option("--require-par", is_flag=True, help="refuse authorization requests not pushed via /par")
@click.option("--dpop", "dpop_bound", is_flag=True, help="issue only DPoP-bound access tokens")
@click.option("--backchannel-logout-uri")
def client_add(
    client_id: str,
    name: str,
    redirect_uris: tuple[str, ...],
    post_logout: tuple[str, ...],
    scopes: tuple[str, ...],
    auth_method: str,
    grant_types: tuple[str, ...],
    jwks_file: str | None,
    id_token_alg: str,
    access_token_alg: str,
    require_par: bool,
    dpop_bound: bool,
    backchannel_logout_uri: str | None,
) -> None:
    """Register a client; its secret is printed once and stored only as a digest."""
    import json

    from idp.oidc.clients import ClientMetadata, ClientRegistrationError, register

    jwks = json.loads(open(jwks_file, encoding="utf-8").read()) if jwks_file else None  # noqa: SIM115
    meta = ClientMetadata(
        client_id=client_id,
        name=name,
        redirect_uris=list(redirect_uris),
        post_logout_redirect_uris=list(post_logout),
        scopes=[s for scope in scopes for s in scope.split()],
        auth_method=auth_method,
        grant_types=grant_types,
        jwks=jwks,
        id_token_alg=id_token_alg,
        access_token_alg=access_token_alg,
        require_par=require_par,
        dpop_bound=dpop_bound,
        backchannel_logout_uri=backchannel_logout_uri,
    )
    app = _app()
    with app.app_context():
        try:
            created = register(meta)
        except ClientRegistrationError as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"client_id: {created.client_id}")
    if created.client_secret:
        click.echo(f"client_secret: {created.client_secret}   (shown once)")


@main.group()
def user() -> None:
    """Accounts."""


@user.command("add")
@click.option("--phone", required=True)
@click.option("--email")
@click.option("--surname", required=True)
@click.option("--name", "given_name", required=True)
@click.option("--patronymic")
@click.option("--birth-date", required=True, help="YYYY-MM-DD")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def user_add(
    phone: str, email: str | None, surname: str, given_name: str, patronymic: str | None, birth_date: str, password: str
) -> None:
    """Create a simplified account with a confirmed phone."""
    from idp.accounts.registration import create_account_from_cli
    from idp.accounts.validation import ValidationError

    app = _app()
    with app.app_context():
        try:
            oid = create_account_from_cli(
                phone=phone,
                email=email,
                password=password,
                surname=surname,
                name=given_name,
                patronymic=patronymic,
                birth_date=birth_date,
                today=date.today(),
            )
        except ValidationError as exc:
            raise click.ClickException("; ".join(f"{e.field}: {e.message}" for e in exc.errors)) from exc
    click.echo(f"created account {oid}")


@user.command("disable")
@click.option("--oid", required=True, type=int)
def user_disable(oid: int) -> None:
    """Disable an account: its sessions end and its refresh tokens stop working at once."""
    from idp.accounts.lifecycle import disable_account

    app = _app()
    with app.app_context():
        if not disable_account(oid):
            raise click.ClickException(f"no account with OID {oid}")
    click.echo(f"account {oid} disabled; sessions ended and refresh tokens revoked")


@user.command("in-person-code")
@click.option("--oid", required=True, type=int)
def user_in_person_code(oid: int) -> None:
    """Issue a one-time code confirming the account in person (after seeing the passport)."""
    from idp.accounts.levels import issue_in_person_code
    from idp.accounts.models import Person
    from idp.storage.db import db

    app = _app()
    with app.app_context():
        if db.session.get(Person, oid) is None:
            raise click.ClickException(f"no account with OID {oid}")
        code = issue_in_person_code(oid)
    click.echo(f"confirmation code for {oid}: {code} (one use, 30 days)")


def _add_esia_commands() -> None:
    from idp.esia.cli import esia, esia_client

    main.add_command(esia_client)
    main.add_command(esia)


_add_esia_commands()


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


@main.group()
def keys() -> None:
    """Signing keys."""


@keys.command("rotate")
@click.option("--alg", type=click.Choice(["RS256", "ES256", "PS256"]), default="RS256")
@click.option(
    "--publish-ahead", default=300, show_default=True, help="seconds the new key is published in JWKS before it signs"
)
@click.option(
    "--overlap",
    default=None,
    type=int,
    help="seconds the old key stays in JWKS after it stops signing (default: longest token lifetime + 5 min)",
)
def keys_rotate(alg: str, publish_ahead: int, overlap: int | None) -> None:
    """Rotate a signing key: publish the new one first, keep the old one until its tokens expired."""
    from idp.oidc.keys import KeyRing
    from idp.settings import load_idp_settings

    settings = load_idp_settings()
    keep = overlap if overlap is not None else max(settings.access_token_ttl, settings.id_token_ttl) + 300
    new, old = KeyRing.rotate(settings.keys_dir, alg, publish_ahead=publish_ahead, overlap=keep)
    click.echo(f"{alg}: new kid {new} is published now and signs in {publish_ahead} s")
    if old:
        click.echo(f"{alg}: kid {old} stops signing then and is retired from JWKS {keep} s later")
    click.echo("running servers pick the change up within 10 s")


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
        from idp.accounts.seeding import load_personas
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
