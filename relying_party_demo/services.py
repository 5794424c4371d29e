"""The RP's long-lived collaborators, built once in the app factory."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Protocol

from flask import Flask, current_app

from relying_party_demo.access.policy import PolicyConfig
from relying_party_demo.access.regions import load_regions
from relying_party_demo.access.rules import RegionalRules, load_rules
from relying_party_demo.backchannel import LogoutTokenVerifier
from relying_party_demo.clock import Clock, SystemClock, epoch_seconds
from relying_party_demo.discovery import IdpDiscovery
from relying_party_demo.id_tokens import IdTokenVerifier
from relying_party_demo.introspection import IntrospectionVerifier
from relying_party_demo.jwks import HttpJwksFetcher
from relying_party_demo.oauth_client import IdpLogin
from relying_party_demo.settings import RpSettings
from relying_party_demo.tokens import AccessToken, AccessTokenVerifier

EXTENSION_KEY = "gosid_rp"


class TokenVerifier(Protocol):
    def verify(self, token: str) -> AccessToken:
        """The token's claims, or :class:`InvalidToken`; :class:`IdpUnavailable` on I/O failure."""
        ...


@dataclass(frozen=True)
class RpServices:
    settings: RpSettings
    discovery: IdpDiscovery
    access_tokens: TokenVerifier
    login: IdpLogin
    policy: PolicyConfig
    logout_tokens: LogoutTokenVerifier
    # The calendar (past, today, upcoming) and the freshness of tokens; see relying_party_demo.clock.
    clock: Clock
    token_clock: Clock

    @property
    def rules(self) -> RegionalRules:
        return self.policy.rules


def build_services(
    app: Flask, settings: RpSettings, *, clock: Clock | None = None, token_clock: Clock | None = None
) -> RpServices:
    """Build the services once; ``clock`` and ``token_clock`` default to the system clock."""
    clock = clock if clock is not None else SystemClock()
    token_clock = token_clock if token_clock is not None else SystemClock()
    seconds = partial(epoch_seconds, token_clock)
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
    id_tokens = IdTokenVerifier(issuer=settings.issuer, client_id=settings.client_id, keys=keys, clock=seconds)
    rules = load_rules(settings.regional_rules_file, load_regions(settings.regions_file))
    services = RpServices(
        settings=settings,
        discovery=discovery,
        access_tokens=_token_verifier(settings, discovery, keys, seconds),
        login=IdpLogin(app, settings=settings, discovery=discovery, id_tokens=id_tokens),
        policy=PolicyConfig(rules=rules, acr_levels=settings.acr_levels, edit_acr=settings.edit_acr),
        logout_tokens=LogoutTokenVerifier(
            issuer=settings.issuer, client_id=settings.client_id, keys=keys, clock=seconds
        ),
        clock=clock,
        token_clock=token_clock,
    )
    app.extensions[EXTENSION_KEY] = services
    return services


def _token_verifier(
    settings: RpSettings, discovery: IdpDiscovery, keys: HttpJwksFetcher, seconds: Callable[[], float]
) -> TokenVerifier:
    if settings.token_validation == "introspection":  # noqa: S105 - a mode name
        return IntrospectionVerifier(
            issuer=settings.issuer,
            audience=settings.client_id,
            endpoint=lambda: settings.introspection_endpoint or discovery.metadata().introspection_endpoint,
            credentials=settings.client_credentials,
            timeout=settings.http_timeout_seconds,
            clock=seconds,
        )
    return AccessTokenVerifier(settings.issuer, settings.client_id, keys, clock=seconds)


def services() -> RpServices:
    found: RpServices = current_app.extensions[EXTENSION_KEY]
    return found
