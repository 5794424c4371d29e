"""The RP's long-lived collaborators, built once in the app factory."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app

from relying_party_demo.discovery import IdpDiscovery
from relying_party_demo.id_tokens import IdTokenVerifier
from relying_party_demo.jwks import HttpJwksFetcher
from relying_party_demo.oauth_client import IdpLogin
from relying_party_demo.settings import RpSettings
from relying_party_demo.tokens import AccessTokenVerifier

EXTENSION_KEY = "gosid_rp"


@dataclass(frozen=True)
class RpServices:
    settings: RpSettings
    discovery: IdpDiscovery
    access_tokens: AccessTokenVerifier
    login: IdpLogin


def build_services(app: Flask, settings: RpSettings) -> RpServices:
    discovery = IdpDiscovery(
        issuer=settings.issuer,
        timeout=settings.http_timeout_seconds,
        cache_seconds=settings.jwks_cache_seconds,
    )
    keys = HttpJwksFetcher(
        lambda: discovery.metadata().jwks_uri,
        timeout=settings.http_timeout_seconds,
        cache_seconds=settings.jwks_cache_seconds,
    )
    id_tokens = IdTokenVerifier(issuer=settings.issuer, client_id=settings.client_id, keys=keys)
    services = RpServices(
        settings=settings,
        discovery=discovery,
        access_tokens=AccessTokenVerifier(settings.issuer, settings.client_id, keys),
        login=IdpLogin(app, settings=settings, discovery=discovery, id_tokens=id_tokens),
    )
    app.extensions[EXTENSION_KEY] = services
    return services


def services() -> RpServices:
    found: RpServices = current_app.extensions[EXTENSION_KEY]
    return found
