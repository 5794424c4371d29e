"""Login by redirect to the IdP with Authlib's Flask client (code flow, PKCE S256, nonce, state).

The client is registered on first use, not at start-up: the RP may start before the IdP has
been initialised, and ``gosid init`` may write the client secret while the RP is running.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import requests
from authlib.common.urls import add_params_to_uri
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import FlaskIntegration, FlaskOAuth2App, OAuth
from flask import Flask, request
from werkzeug.wrappers import Response

from relying_party_demo.discovery import IdpDiscovery
from relying_party_demo.errors import (
    ClientNotRegistered,
    IdpUnavailable,
    IdTokenInvalid,
    IssuerMismatch,
    LoginRejected,
    LoginStateInvalid,
)
from relying_party_demo.id_tokens import IdTokenVerifier
from relying_party_demo.settings import RpSettings

# offline_access: a refresh token (OIDC Core 1.0 §11); the IdP names it on its consent page.
LOGIN_SCOPES = (
    "openid", "offline_access", "profile", "email", "phone", "snils", "medical_doc", "region", "roles", "medcard.rs",
)  # fmt: skip
EDIT_SCOPE = "medcard.cu"
CLIENT_NAME = "gosid"
# Pending logins (state, nonce, PKCE verifier) kept in the session cookie: a few tabs at once,
# never so many that the cookie passes the 4 KB a browser keeps (~25 did, and broke login).
PENDING_LOGINS_KEPT = 3


class _VerifyingOAuth2App(FlaskOAuth2App):
    """Authlib's client with ID token checks done by :class:`IdTokenVerifier` (RS256/ES256 only,
    whatever algorithms discovery advertises)."""

    id_token_verifier: IdTokenVerifier

    def parse_id_token(
        self,
        token: dict[str, Any],
        nonce: str,
        claims_options: Any = None,
        claims_cls: Any = None,
        leeway: int = 120,
    ) -> dict[str, Any]:
        return self.id_token_verifier.verify(token["id_token"], nonce=nonce, access_token=token.get("access_token"))


class _BoundedStateIntegration(FlaskIntegration):
    """Authlib's state storage in the session, keeping only the newest pending logins."""

    def set_state_data(self, session: Any, state: str, data: Any) -> None:
        prefix = f"_state_{self.name}_"
        pending = sorted((k for k in session if k.startswith(prefix)), key=lambda k: _expiry(session[k]))
        for key in pending[: max(0, len(pending) - PENDING_LOGINS_KEPT + 1)]:
            session.pop(key)  # the oldest first: it expires soonest
        super().set_state_data(session, state, data)


def _expiry(entry: Any) -> float:
    found = entry.get("exp") if isinstance(entry, dict) else None
    return float(found) if isinstance(found, int | float) else 0.0


class _RpOAuth(OAuth):
    oauth2_client_cls = _VerifyingOAuth2App
    framework_integration_cls = _BoundedStateIntegration


@dataclass(frozen=True)
class IdpTokens:
    """What the callback yields: verified ID token claims, the raw tokens and userinfo."""

    id_claims: dict[str, Any]
    userinfo: dict[str, Any]
    id_token: str
    access_token: str


class IdpLogin:
    def __init__(
        self,
        app: Flask,
        *,
        settings: RpSettings,
        discovery: IdpDiscovery,
        id_tokens: IdTokenVerifier,
    ) -> None:
        self._settings = settings
        self._discovery = discovery
        self._id_tokens = id_tokens
        self._oauth = _RpOAuth(app)
        self._client: _VerifyingOAuth2App | None = None
        self._lock = threading.Lock()

    def begin(self, *, scopes: tuple[str, ...], ui_locale: str, **extra: str) -> Response:
        """Redirect the browser to the IdP's authorization endpoint; ``extra`` adds parameters
        such as ``acr_values`` and ``prompt`` (a step-up)."""
        client = self._registered_client()
        try:
            response: Response = client.authorize_redirect(
                self._settings.redirect_uri, scope=" ".join(scopes), ui_locales=ui_locale, **extra
            )
        except requests.RequestException as exc:
            raise IdpUnavailable(f"discovery failed: {exc.__class__.__name__}") from exc
        return response

    def complete(self) -> IdpTokens:
        """Handle the authorization response on the callback; raises RpError subclasses."""
        client = self._registered_client()
        self._check_response_issuer()
        try:
            token = client.authorize_access_token()
            userinfo = self._userinfo(client, token)
        except MismatchingStateError as exc:
            raise LoginStateInvalid("state is missing, unknown or already used") from exc
        except OAuthError as exc:
            raise LoginRejected(f"{exc.error}: {exc.description or ''}".strip(": ")) from exc
        except requests.RequestException as exc:
            raise IdpUnavailable(f"request to the IdP failed: {exc.__class__.__name__}") from exc
        if "userinfo" not in token or not isinstance(token.get("access_token"), str):
            raise IdTokenInvalid("the token response has no ID token or no access token")
        return IdpTokens(
            id_claims=dict(token["userinfo"]),
            userinfo=userinfo,
            id_token=token["id_token"],
            access_token=token["access_token"],
        )

    def end_session_url(self, *, id_token: str | None, ui_locale: str) -> str | None:
        """RP-initiated logout URL, or ``None`` when the IdP does not advertise one."""
        try:
            endpoint = self._discovery.metadata().end_session_endpoint
        except (IdpUnavailable, IssuerMismatch):
            return None
        if endpoint is None:
            return None
        params = {
            "client_id": self._settings.client_id,
            "post_logout_redirect_uri": self._settings.post_logout_redirect_uri,
            "ui_locales": ui_locale,
        }
        if id_token:
            params["id_token_hint"] = id_token
        url: str = add_params_to_uri(endpoint, params)
        return url

    def _check_response_issuer(self) -> None:
        # RFC 9207: defends against mix-up; required when the IdP says it sends iss.
        metadata = self._discovery.metadata()
        iss = request.args.get("iss")
        if iss is None and metadata.iss_parameter_supported:
            raise IssuerMismatch("the authorization response has no iss parameter")
        if iss is not None and iss != metadata.issuer:
            raise IssuerMismatch(f"the authorization response names issuer {iss!r}")

    def _userinfo(self, client: _VerifyingOAuth2App, token: dict[str, Any]) -> dict[str, Any]:
        if self._discovery.metadata().userinfo_endpoint is None or "userinfo" not in token:
            return {}
        data = dict(client.userinfo(token=token))
        if data.get("sub") != token["userinfo"].get("sub"):
            raise IdTokenInvalid("userinfo describes another person than the ID token")
        return data

    def _registered_client(self) -> _VerifyingOAuth2App:
        with self._lock:
            if self._client is None:
                self._client = self._register()
            return self._client

    def _register(self) -> _VerifyingOAuth2App:
        credentials = self._settings.client_credentials()
        if credentials is None:
            raise ClientNotRegistered(
                f"no client secret for {self._settings.client_id!r}: set GOSID_RP_CLIENT_SECRET "
                f"or run `gosid init` to write {self._settings.client_file}"
            )
        client: _VerifyingOAuth2App = self._oauth.register(
            CLIENT_NAME,
            client_id=credentials.client_id,
            client_secret=credentials.client_secret,
            server_metadata_url=self._settings.discovery_url,
            client_kwargs={
                "scope": " ".join(LOGIN_SCOPES),
                "code_challenge_method": "S256",
                "token_endpoint_auth_method": "client_secret_basic",
                "default_timeout": self._settings.http_timeout_seconds,
            },
        )
        client.id_token_verifier = self._id_tokens
        return client
