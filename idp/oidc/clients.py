"""Registering OAuth clients (CLI and first-run set-up)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from idp.oidc.claims import DEMO_RP_SCOPES, IDENTITY_SCOPES, STANDARD_SCOPES
from idp.oidc.models import OAuthClient
from idp.security.hashes import new_token, secret_digest
from idp.storage.db import db

AUTH_METHODS = ("client_secret_basic", "client_secret_post", "none")
KNOWN_SCOPES = (*STANDARD_SCOPES, *IDENTITY_SCOPES, *DEMO_RP_SCOPES)


class ClientRegistrationError(ValueError):
    """The client metadata is invalid; the message names the field."""


@dataclass(frozen=True)
class RegisteredClient:
    client_id: str
    client_secret: str | None


def check_redirect_uri(uri: str) -> None:
    parts = urlsplit(uri)
    if parts.fragment or "#" in uri:
        raise ClientRegistrationError(f"redirect_uri {uri!r}: must not contain a fragment")
    if parts.scheme == "https" and parts.netloc:
        return
    if parts.scheme == "http" and parts.hostname in {"localhost", "127.0.0.1", "::1"}:
        return
    raise ClientRegistrationError(f"redirect_uri {uri!r}: must be https:// (http:// only for localhost)")


def register_client(
    *,
    client_id: str,
    name: str,
    redirect_uris: list[str],
    scopes: list[str],
    post_logout_redirect_uris: list[str] | None = None,
    auth_method: str = "client_secret_basic",
    grant_types: tuple[str, ...] = ("authorization_code", "refresh_token"),
    client_secret: str | None = None,
) -> RegisteredClient:
    """Create a client; returns the plain secret once (only its digest is stored)."""
    if not client_id or len(client_id) > 64:
        raise ClientRegistrationError("client_id: 1-64 characters required")
    if db.session.get(OAuthClient, client_id) is not None:
        raise ClientRegistrationError(f"client_id: {client_id!r} is already registered")
    if auth_method not in AUTH_METHODS:
        raise ClientRegistrationError(f"auth_method: one of {', '.join(AUTH_METHODS)}")
    if not redirect_uris:
        raise ClientRegistrationError("redirect_uris: at least one is required")
    for uri in [*redirect_uris, *(post_logout_redirect_uris or [])]:
        check_redirect_uri(uri)
    unknown = [s for s in scopes if s not in KNOWN_SCOPES]
    if unknown:
        raise ClientRegistrationError(f"scopes: unknown {', '.join(unknown)}")
    secret = None if auth_method == "none" else (client_secret or new_token(32))
    db.session.add(
        OAuthClient(
            client_id=client_id,
            client_secret_hash=secret_digest(secret) if secret else None,
            name=name,
            redirect_uris=list(redirect_uris),
            post_logout_redirect_uris=list(post_logout_redirect_uris or []),
            scopes=list(dict.fromkeys(["openid", *scopes])),
            grant_types=list(grant_types),
            token_endpoint_auth_method=auth_method,
        )
    )
    db.session.commit()
    return RegisteredClient(client_id=client_id, client_secret=secret)


def register_demo_rp(*, rp_base_url: str, credentials_file: Path) -> RegisteredClient | None:
    """Register the demo EGISZ service once and hand its secret over in a 0600 file."""
    if db.session.get(OAuthClient, "egisz-demo") is not None and credentials_file.exists():
        return None
    existing = db.session.get(OAuthClient, "egisz-demo")
    if existing is not None:
        db.session.delete(existing)
        db.session.commit()
    client = register_client(
        client_id="egisz-demo",
        name="ЕГИСЗ: демонстрационный сервис",
        redirect_uris=[f"{rp_base_url}/auth/callback"],
        post_logout_redirect_uris=[f"{rp_base_url}/"],
        scopes=[s for s in KNOWN_SCOPES if s != "openid"],
    )
    credentials_file.parent.mkdir(parents=True, exist_ok=True)
    tmp = credentials_file.with_suffix(".tmp")
    tmp.write_text(json.dumps({"client_id": client.client_id, "client_secret": client.client_secret}))
    tmp.chmod(0o600)
    tmp.replace(credentials_file)
    return client
