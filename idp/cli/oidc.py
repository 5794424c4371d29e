"""`gosid client and keys` commands."""

from __future__ import annotations

import json

import click

from idp.cli.context import command_app
from idp.oidc.clients import ClientMetadata, ClientRegistrationError, register
from idp.oidc.keys import KeyRing
from idp.settings import load_idp_settings
from idp.storage.unit_of_work import transaction


@click.group()
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
@click.option(
    "--always-refresh-token",
    "always_refresh",
    is_flag=True,
    help="issue refresh tokens without the offline_access scope (default: only when offline_access is granted)",
)
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
    always_refresh: bool,
    backchannel_logout_uri: str | None,
) -> None:
    """Register a client; its secret is printed once and stored only as a digest."""
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
        always_issue_refresh_token=always_refresh,
        backchannel_logout_uri=backchannel_logout_uri,
    )
    app = command_app()
    with app.app_context(), transaction():
        try:
            created = register(meta)
        except ClientRegistrationError as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"client_id: {created.client_id}")
    if created.client_secret:
        click.echo(f"client_secret: {created.client_secret}   (shown once)")


@click.group()
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
    settings = load_idp_settings()
    keep = overlap if overlap is not None else max(settings.access_token_ttl, settings.id_token_ttl) + 300
    new, old = KeyRing.rotate(settings.keys_dir, alg, publish_ahead=publish_ahead, overlap=keep)
    click.echo(f"{alg}: new kid {new} is published now and signs in {publish_ahead} s")
    if old:
        click.echo(f"{alg}: kid {old} stops signing then and is retired from JWKS {keep} s later")
    click.echo("running servers pick the change up within 10 s")
