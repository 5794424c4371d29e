"""OAuth 2.0 / OpenID Connect protocol errors: Authlib's ``OAuth2Error`` in the IdP's error model.

Raise one of these (or any Authlib ``OAuth2Error``) from a protocol view; ``idp.web.errors``
renders it as RFC 6749 §5.2 JSON (``Cache-Control: no-store``, a safe ``error_description``,
the error's own headers, e.g. ``WWW-Authenticate`` or ``DPoP-Nonce``), or as the redirect to
the client when ``redirect_uri`` is set.
"""

from __future__ import annotations

from authlib.oauth2 import OAuth2Error

from idp.errors import GosidError
from idp.oidc.descriptions import safe_description


class ProtocolError(OAuth2Error, GosidError):
    """A protocol refusal; ``description`` may quote the request (it is made §5.2-safe)."""

    error = "invalid_request"
    status_code = 400
    code = "OAUTH-400"

    def __init__(
        self,
        description: str | None = None,
        *,
        status_code: int | None = None,
        headers: dict[str, str] | None = None,
        state: str | None = None,
        redirect_uri: str | None = None,
        redirect_fragment: bool = False,
        error: str | None = None,
    ) -> None:
        OAuth2Error.__init__(
            self,
            description=safe_description(description) if description else None,
            status_code=status_code,
            state=state,
            redirect_uri=redirect_uri,
            redirect_fragment=redirect_fragment,
            error=error,
        )
        self.extra_headers = dict(headers or {})

    @property
    def status(self) -> int:  # type: ignore[override]
        return int(self.status_code or 400)

    def get_headers(self) -> list[tuple[str, str]]:
        return [*super().get_headers(), *self.extra_headers.items()]


class InvalidRequest(ProtocolError):
    error = "invalid_request"


class InvalidClient(ProtocolError):
    error = "invalid_client"
    status_code = 401


class InvalidGrant(ProtocolError):
    error = "invalid_grant"


class UnauthorizedClient(ProtocolError):
    error = "unauthorized_client"


class InvalidScope(ProtocolError):
    error = "invalid_scope"


class InvalidToken(ProtocolError):
    """RFC 6750 §3.1 at resource endpoints (userinfo); the challenge goes in ``headers``."""

    error = "invalid_token"
    status_code = 401


class InsufficientScope(ProtocolError):
    error = "insufficient_scope"
    status_code = 403


class InvalidClientMetadata(ProtocolError):
    """RFC 7591 §3.2.2."""

    error = "invalid_client_metadata"


class InvalidRedirectUri(ProtocolError):
    """RFC 7591 §3.2.2."""

    error = "invalid_redirect_uri"


class TemporarilyUnavailable(ProtocolError):
    error = "temporarily_unavailable"
    status_code = 503
