"""``gosid esia-client add`` and ``gosid esia rotate-cert`` (added to the ``gosid`` command)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import click

from idp.cli.context import command_app
from idp.esia.clients import certificates_of, register_esia_client
from idp.esia.models import TOKEN_ALGS
from idp.esia.stand_keys import rotate
from idp.oidc.clients import ClientRegistrationError
from idp.settings import load_idp_settings
from idp.storage.unit_of_work import transaction


@click.group("esia-client")
def esia_client() -> None:
    """Systems registered for the ESIA dialect (/aas/oauth2, /rs)."""


@esia_client.command("add")
@click.option("--client-id", required=True, help="the system's mnemonic, e.g. EGISZ_DEMO")
@click.option("--name", required=True)
@click.option("--redirect-uri", "redirect_uris", multiple=True, required=True)
@click.option("--scope", "scope", default="openid fullname", show_default=True, help="space-separated ESIA scopes")
@click.option("--cert", "cert_files", multiple=True, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--token-alg", type=click.Choice(TOKEN_ALGS), default="RS256", show_default=True)
@click.option("--require-confirmed", is_flag=True, help="refuse persons without a confirmed account (ESIA-007055)")
def esia_client_add(
    client_id: str,
    name: str,
    redirect_uris: tuple[str, ...],
    scope: str,
    cert_files: tuple[str, ...],
    token_alg: str,
    require_confirmed: bool,
) -> None:
    """Register a system with its certificate(s) (PEM or DER, RSA or GOST R 34.10-2012-256)."""
    app = command_app()
    with app.app_context(), transaction():
        try:
            client = register_esia_client(
                client_id=client_id,
                name=name,
                redirect_uris=list(redirect_uris),
                scopes=scope.split(),
                certificates=[Path(f).read_bytes() for f in cert_files],
                token_alg=token_alg,
                require_confirmed=require_confirmed,
            )
        except ClientRegistrationError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"ESIA system {client.client_id} registered (tokens signed {client.token_alg})")
        for cert in certificates_of(client):
            click.echo(f"  certificate {cert.subject} ({cert.key_algorithm})")
            click.echo(f"    client_certificate_hash (GOST R 34.11-2012): {cert.gost_hex}")
            click.echo(f"    SHA-256 (also accepted in lenient mode):     {cert.sha256_hex}")


@click.group("esia")
def esia() -> None:
    """The stand's ESIA signing certificates."""


@esia.command("rotate-cert")
@click.option("--alg", type=click.Choice([*TOKEN_ALGS, "all"]), default="all", show_default=True)
@click.option("--overlap", type=int, default=86400, show_default=True, help="seconds the old one verifies")
@click.option("--cut", is_flag=True, help="drop the old certificate at once (tokens it signed stop verifying)")
def rotate_cert(alg: str, overlap: int, cut: bool) -> None:
    """Switch to a new signing certificate, as ESIA does; services rehearse the change."""
    keys_dir = load_idp_settings().keys_dir
    for name in TOKEN_ALGS if alg == "all" else (alg,):
        new, old = rotate(keys_dir, name, overlap=None if cut else timedelta(seconds=overlap))
        until = "cut now" if cut else f"verifies for {overlap} s more"
        click.echo(f"{name}: new certificate {new}" + (f"; previous {old} {until}" if old else ""))
