"""The IdP's commands: set up the database, seed personas, manage clients, users, keys.

The ``gosid`` console script is :func:`gosid_stand.cli.main`: these commands plus the stand's
own (``gosid run``, ``gosid sign``)."""

from __future__ import annotations

import os

import click

from idp.cli.accounts import user
from idp.cli.context import command_app
from idp.cli.esia import esia, esia_client
from idp.cli.oidc import client, keys
from idp.oidc.clients import register_demo_rp
from idp.selfservice.seeding import seed_personas
from idp.settings import load_idp_settings
from idp.storage.migrate import upgrade
from idp.storage.unit_of_work import transaction


@click.group()
def main() -> None:
    """gosid: a local Gosuslugi / ESIA stand and a demo EGISZ service."""


@main.command()
def init() -> None:
    """Migrate the database, generate keys, seed personas (dev) and register the demo RP."""
    settings = load_idp_settings()
    if settings.database_url.startswith("sqlite:///"):
        settings.var_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.resolved_database_url())
    app = command_app()
    with app.app_context(), transaction():
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
    upgrade(load_idp_settings().resolved_database_url())
    click.echo("database at the latest schema")


@main.command()
def seed() -> None:
    """Add the personas of config/personas.toml that are missing."""
    app = command_app()
    with app.app_context(), transaction():
        settings = app.config["GOSID_SETTINGS"]
        added = seed_personas(settings.personas_file, secret_key=settings.secret_key)
    click.echo(f"personas: {len(added)} added")


for command in (client, keys, user, esia_client, esia):
    main.add_command(command)
