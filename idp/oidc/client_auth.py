"""Client authentication beyond Authlib's built-ins: private_key_jwt (RFC 7523), strict
``client_secret_basic`` (RFC 6749 §2.3.1), and the rule that one request uses exactly one
authentication mechanism (RFC 6749 §2.3)."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote_plus

from authlib.oauth2.rfc6749.errors import InvalidClientError

from idp.audit import log as audit
from idp.oidc.client_assertion import InvalidClientAssertion, verify_client_assertion
from idp.oidc.descriptions import safe_description
from idp.oidc.models import OAuthClient
from idp.replay.used_values import UsedValues

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def _unverified_subject(assertion: str) -> str | None:
    try:
        payload = assertion.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return None
    sub = claims.get("sub") if isinstance(claims, dict) else None
    return sub if isinstance(sub, str) else None


def private_key_jwt_authenticator(*, issuer: str, used: UsedValues) -> Callable[[Any, Any], OAuthClient | None]:
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
                assertion, client_id=client.client_id, client_jwks=client.jwks, issuer=issuer, used=used
            )
        except InvalidClientAssertion as exc:
            audit.record("client_auth", result="assertion_refused", client_id=client.client_id, reason=exc.description)
            raise InvalidClientError(description=safe_description(exc.description)) from exc
        return client

    return authenticate


_BROKEN_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


def _form_decoded(part: str) -> str:
    """RFC 6749 Appendix B: application/x-www-form-urlencoded, UTF-8; a broken escape is an error."""
    if _BROKEN_ESCAPE.search(part):
        raise ValueError("a percent-escape is incomplete")
    return unquote_plus(part, errors="strict")


def basic_credentials(headers: Any) -> tuple[str, str] | None:
    """``(client_id, client_secret)`` of an ``Authorization: Basic`` header, ``None`` without one.

    Credentials that are not base64, not UTF-8, have no colon or broken percent-escapes are
    ``invalid_client`` with 401 (RFC 6749 §5.2), whatever else the request carries.
    """
    scheme, _, token = str(headers.get("Authorization", "")).strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        client_id, secret = base64.b64decode(token.strip(), validate=True).decode("utf-8").split(":", 1)
        return _form_decoded(client_id), _form_decoded(secret)
    except ValueError:  # binascii.Error, UnicodeDecodeError, no colon, broken escape
        raise InvalidClientError(
            status_code=401,
            description="Basic credentials must be base64 of form-urlencoded UTF-8 client_id:client_secret",
        ) from None


def client_secret_basic(query_client: Callable[[str], OAuthClient | None], request: Any) -> OAuthClient | None:
    """Authlib's ``client_secret_basic``, with :func:`basic_credentials` reading the header."""
    found = basic_credentials(request.headers)
    if found is None:
        return None
    client_id, secret = found
    client = query_client(client_id)
    if client is None:
        raise InvalidClientError(status_code=401, description="The client does not exist on this server.")
    return client if client.check_client_secret(secret) else None


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
