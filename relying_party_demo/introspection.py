"""Access-token validation by asking the IdP (RFC 7662 token introspection).

The alternative to local JWT validation (``token_validation = "introspection"``): the IdP says
whether the token is active and returns its claims. The RP authenticates with
``client_secret_basic``. The endpoint is the configured one, or the discovery document's
``introspection_endpoint``.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import requests

from relying_party_demo.errors import ClientNotRegistered, IdpUnavailable, InvalidToken
from relying_party_demo.settings import ClientCredentials
from relying_party_demo.tokens import AccessToken, access_token_from_claims


class IntrospectionVerifier:
    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        endpoint: Callable[[], str | None],
        credentials: Callable[[], ClientCredentials | None],
        timeout: float = 5.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.issuer = issuer
        self.audience = audience
        self._endpoint = endpoint
        self._credentials = credentials
        self._timeout = timeout
        self._clock = clock

    def verify(self, token: str) -> AccessToken:
        """The token's claims if the IdP says it is active and meant for us; else
        :class:`InvalidToken`. :class:`IdpUnavailable` when the IdP cannot answer."""
        claims = self._introspect(token)
        if claims.get("active") is not True:
            raise InvalidToken("the token is not active (expired, revoked or unknown to the IdP)")
        if claims.get("token_type") == "refresh_token":
            raise InvalidToken("a refresh token is not an access token")
        self._check(claims)
        claims.setdefault("jti", "sha256:" + hashlib.sha256(token.encode()).hexdigest()[:32])
        claims.setdefault("iat", claims["exp"])
        return access_token_from_claims(claims)

    def _introspect(self, token: str) -> dict[str, Any]:
        endpoint = self._endpoint()
        if not endpoint:
            raise IdpUnavailable("the IdP advertises no introspection_endpoint; set GOSID_RP_INTROSPECTION_ENDPOINT")
        credentials = self._credentials()
        if credentials is None:
            raise ClientNotRegistered("introspection needs the RP's client secret")
        auth = (quote(credentials.client_id, safe=""), quote(credentials.client_secret, safe=""))
        try:
            response = requests.post(
                endpoint,
                data={"token": token, "token_type_hint": "access_token"},
                auth=auth,
                headers={"Accept": "application/json"},
                timeout=self._timeout,
            )
        except requests.RequestException as exc:
            raise IdpUnavailable(f"POST {endpoint} failed: {exc.__class__.__name__}") from exc
        if response.status_code != 200:
            raise IdpUnavailable(f"POST {endpoint} answered HTTP {response.status_code}")
        try:
            body = response.json()
        except ValueError as exc:
            raise IdpUnavailable(f"POST {endpoint} did not return JSON") from exc
        if not isinstance(body, dict):
            raise IdpUnavailable(f"POST {endpoint} did not return a JSON object")
        return body

    def _check(self, claims: dict[str, Any]) -> None:
        if "iss" in claims and claims["iss"] != self.issuer:
            raise InvalidToken("the token was issued by another issuer")
        aud = claims.get("aud")
        audiences = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else None
        meant_for_us = self.audience in audiences if audiences is not None else claims.get("client_id") == self.audience
        if not meant_for_us:
            raise InvalidToken("the token is meant for another audience")
        exp = claims.get("exp")
        if isinstance(exp, bool) or not isinstance(exp, int | float) or exp <= self._clock():
            raise InvalidToken("the token has expired")
        for name in ("sub", "client_id"):
            if not isinstance(claims.get(name), str):
                raise InvalidToken(f"the introspection response lacks {name}")
