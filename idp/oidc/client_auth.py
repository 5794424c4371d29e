"""Client authentication beyond Authlib's built-ins: private_key_jwt (RFC 7523), and the rule
that one request uses exactly one authentication mechanism (RFC 6749 §2.3)."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

from authlib.oauth2.rfc6749.errors import InvalidClientError

from idp.adapters.store import ShortLivedStore
from idp.audit import log as audit
from idp.oidc.client_assertion import InvalidClientAssertion, verify_client_assertion
from idp.oidc.models import OAuthClient

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def _unverified_subject(assertion: str) -> str | None:
    try:
        payload = assertion.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return None
    sub = claims.get("sub") if isinstance(claims, dict) else None
    return sub if isinstance(sub, str) else None


def private_key_jwt_authenticator(*, issuer: str, store: ShortLivedStore) -> Callable[[Any, Any], OAuthClient | None]:
    def authenticate(query_client: Callable[[str], OAuthClient | None], request: Any) -> OAuthClient | None:
        data = request.payload.data if hasattr(request, "payload") else request.form
        assertion = data.get("client_assertion")
        if data.get("client_assertion_type") != ASSERTION_TYPE or not assertion:
            return None
        client_id = data.get("client_id") or _unverified_subject(assertion)
        client = query_client(client_id) if client_id else None
        if client is None or not client.jwks or not client.check_endpoint_auth_method("private_key_jwt", "token"):
            return None
        try:
            verify_client_assertion(
                assertion, client_id=client.client_id, client_jwks=client.jwks, issuer=issuer, store=store
            )
        except InvalidClientAssertion as exc:
            audit.record("client_auth", result="assertion_refused", client_id=client.client_id, reason=exc.description)
            raise InvalidClientError(description=exc.description) from exc
        return client

    return authenticate


def auth_mechanisms(headers: Any, form: Any) -> list[str]:
    """Which client authentication mechanisms a request carries."""
    found = []
    if str(headers.get("Authorization", "")).lower().startswith("basic "):
        found.append("client_secret_basic")
    if form.get("client_secret") is not None:
        found.append("client_secret_post")
    if form.get("client_assertion") is not None:
        found.append("private_key_jwt")
    return found
