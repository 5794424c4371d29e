"""Registering OAuth clients: from the CLI, first-run set-up and the RFC 7591 endpoint."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from idp.oidc.claims import DEMO_RP_SCOPES, IDENTITY_SCOPES, STANDARD_SCOPES
from idp.oidc.models import OAuthClient
from idp.oidc.offline_access import OFFLINE_ACCESS
from idp.oidc.tokens import ALLOWED_ALGS
from idp.security.hashes import new_token, secret_digest
from idp.storage.db import db

AUTH_METHODS = ("client_secret_basic", "client_secret_post", "private_key_jwt", "none")
GRANT_TYPES = ("authorization_code", "refresh_token", "client_credentials")
KNOWN_SCOPES = (*STANDARD_SCOPES, OFFLINE_ACCESS, *IDENTITY_SCOPES, *DEMO_RP_SCOPES)
PRIVATE_JWK_MEMBERS = {"d", "p", "q", "dp", "dq", "qi", "k"}


class ClientRegistrationError(ValueError):
    """The client metadata is invalid; ``error`` is the RFC 7591 code, the message names the field."""

    def __init__(self, message: str, *, error: str = "invalid_client_metadata") -> None:
        super().__init__(message)
        self.error = error


@dataclass(frozen=True)
class ClientMetadata:
    client_id: str
    name: str
    redirect_uris: list[str]
    scopes: list[str]
    post_logout_redirect_uris: list[str] = field(default_factory=list)
    auth_method: str = "client_secret_basic"
    grant_types: tuple[str, ...] = ("authorization_code", "refresh_token")
    jwks: dict[str, Any] | None = None
    id_token_alg: str = "RS256"  # noqa: S105 - an algorithm name
    access_token_alg: str = "RS256"  # noqa: S105 - an algorithm name
    require_par: bool = False
    dpop_bound: bool = False
    always_issue_refresh_token: bool = False
    backchannel_logout_uri: str | None = None
    registered_by: str = "cli"


@dataclass(frozen=True)
class RegisteredClient:
    client_id: str
    client_secret: str | None


def check_redirect_uri(uri: str, *, what: str = "redirect_uri") -> None:
    parts = urlsplit(uri)
    if parts.fragment or "#" in uri:
        raise ClientRegistrationError(f"{what} {uri!r}: must not contain a fragment", error="invalid_redirect_uri")
    if parts.scheme == "https" and parts.netloc:
        return
    if parts.scheme == "http" and parts.hostname in {"localhost", "127.0.0.1", "::1"}:
        return
    raise ClientRegistrationError(
        f"{what} {uri!r}: must be https:// (http:// only for localhost)", error="invalid_redirect_uri"
    )


def _check_jwks(jwks: dict[str, Any] | None, auth_method: str) -> None:
    if auth_method != "private_key_jwt":
        return
    keys = (jwks or {}).get("keys")
    if not isinstance(keys, list) or not keys:
        raise ClientRegistrationError("jwks: private_key_jwt needs a JWK Set with at least one public key")
    if any(not isinstance(k, dict) or PRIVATE_JWK_MEMBERS & set(k) for k in keys):
        raise ClientRegistrationError("jwks: only public keys may be registered (no d, p, q, k ... members)")


def _check_refresh_policy(meta: ClientMetadata) -> None:
    if "refresh_token" in meta.grant_types:
        return
    if OFFLINE_ACCESS in meta.scopes:
        raise ClientRegistrationError("scope: offline_access needs the refresh_token grant")
    if meta.always_issue_refresh_token:
        raise ClientRegistrationError("always_issue_refresh_token: needs the refresh_token grant")


def validate(meta: ClientMetadata) -> None:
    if not meta.client_id or len(meta.client_id) > 64:
        raise ClientRegistrationError("client_id: 1-64 characters required")
    if db.session.get(OAuthClient, meta.client_id) is not None:
        raise ClientRegistrationError(f"client_id: {meta.client_id!r} is already registered")
    if meta.auth_method not in AUTH_METHODS:
        raise ClientRegistrationError(f"token_endpoint_auth_method: one of {', '.join(AUTH_METHODS)}")
    unknown_grants = [g for g in meta.grant_types if g not in GRANT_TYPES]
    if unknown_grants:
        raise ClientRegistrationError(f"grant_types: unsupported {', '.join(unknown_grants)}")
    if meta.auth_method == "none" and "client_credentials" in meta.grant_types:
        raise ClientRegistrationError("grant_types: a public client cannot use client_credentials")
    if "authorization_code" in meta.grant_types and not meta.redirect_uris:
        raise ClientRegistrationError("redirect_uris: at least one is required", error="invalid_redirect_uri")
    for uri in meta.redirect_uris:
        check_redirect_uri(uri)
    for uri in [
        *meta.post_logout_redirect_uris,
        *([meta.backchannel_logout_uri] if meta.backchannel_logout_uri else []),
    ]:
        check_redirect_uri(uri, what="logout URI")
    unknown = [s for s in meta.scopes if s not in KNOWN_SCOPES]
    if unknown:
        raise ClientRegistrationError(f"scope: unknown {', '.join(unknown)}")
    _check_refresh_policy(meta)
    for name, alg in (("id_token_signed_response_alg", meta.id_token_alg), ("access_token_alg", meta.access_token_alg)):
        if alg not in ALLOWED_ALGS:
            raise ClientRegistrationError(f"{name}: one of {', '.join(ALLOWED_ALGS)} (never none)")
    _check_jwks(meta.jwks, meta.auth_method)


def register(meta: ClientMetadata, *, client_secret: str | None = None) -> RegisteredClient:
    """Create a client; returns the plain secret once (only its digest is stored)."""
    validate(meta)
    needs_secret = meta.auth_method in ("client_secret_basic", "client_secret_post")
    secret = (client_secret or new_token(32)) if needs_secret else None
    db.session.add(
        OAuthClient(
            client_id=meta.client_id,
            client_secret_hash=secret_digest(secret) if secret else None,
            name=meta.name,
            redirect_uris=list(meta.redirect_uris),
            post_logout_redirect_uris=list(meta.post_logout_redirect_uris),
            scopes=list(dict.fromkeys(["openid", *meta.scopes])),
            grant_types=list(meta.grant_types),
            token_endpoint_auth_method=meta.auth_method,
            id_token_signed_response_alg=meta.id_token_alg,
            access_token_signed_response_alg=meta.access_token_alg,
            jwks=meta.jwks,
            require_pushed_authorization_requests=meta.require_par,
            dpop_bound_access_tokens=meta.dpop_bound,
            always_issue_refresh_token=meta.always_issue_refresh_token,
            backchannel_logout_uri=meta.backchannel_logout_uri,
            registered_by=meta.registered_by,
        )
    )
    return RegisteredClient(client_id=meta.client_id, client_secret=secret)


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
    **extra: Any,
) -> RegisteredClient:
    """Keyword form of :func:`register` used by the CLI, first-run set-up and tests."""
    meta = ClientMetadata(
        client_id=client_id,
        name=name,
        redirect_uris=redirect_uris,
        scopes=scopes,
        post_logout_redirect_uris=post_logout_redirect_uris or [],
        auth_method=auth_method,
        grant_types=grant_types,
        **extra,
    )
    return register(meta, client_secret=client_secret)


def register_demo_rp(*, rp_base_url: str, credentials_file: Path) -> RegisteredClient | None:
    """Register the demo EGISZ service once and hand its secret over in a 0600 file."""
    if db.session.get(OAuthClient, "egisz-demo") is not None and credentials_file.exists():
        return None
    existing = db.session.get(OAuthClient, "egisz-demo")
    if existing is not None:
        db.session.delete(existing)
        db.session.flush()
    client = register_client(
        client_id="egisz-demo",
        name="ЕГИСЗ: демонстрационный сервис",
        redirect_uris=[f"{rp_base_url}/auth/callback"],
        post_logout_redirect_uris=[f"{rp_base_url}/"],
        scopes=[s for s in KNOWN_SCOPES if s != "openid"],
        backchannel_logout_uri=f"{rp_base_url}/auth/backchannel-logout",
    )
    credentials_file.parent.mkdir(parents=True, exist_ok=True)
    tmp = credentials_file.with_suffix(".tmp")
    tmp.write_text(json.dumps({"client_id": client.client_id, "client_secret": client.client_secret}))
    tmp.chmod(0o600)
    tmp.replace(credentials_file)
    return client
