"""The authorization endpoint's two kinds of refusal (RFC 6749 §4.1.2.1).

* :class:`AuthorizationRequestRefused`: nothing validated says where an error may go (an unknown
  client, an unregistered redirect_uri, a dead request_uri): the person sees the error page and
  the client learns nothing.
* :class:`AuthorizationError`: sent back to the client's validated redirect_uri with ``state``
  and ``iss`` (RFC 9207), the way the request asked its response to travel (query or form_post).

:func:`refusal` picks the kind; :func:`from_authlib` translates Authlib's own errors.
"""

from __future__ import annotations

from authlib.common.urls import add_params_to_uri
from authlib.oauth2 import OAuth2Error

from idp.errors import GosidError
from idp.oidc.authorization.responses import with_issuer
from idp.oidc.descriptions import safe_description
from idp.oidc.errors import ProtocolError


class AuthorizationRequestRefused(GosidError):
    """Shown on the IdP's error page: ``code`` is the OAuth ``error``, ``message`` its description."""

    status = 400

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message = code, message


class AuthorizationError(ProtocolError):
    """An error response to the client: a redirect (``redirect_status``) or a form_post page."""

    def __init__(
        self,
        error: str,
        description: str | None,
        *,
        redirect_uri: str,
        state: str | None,
        issuer: str,
        response_mode: str = "query",
        redirect_status: int = 302,
        redirect_fragment: bool = False,
    ) -> None:
        super().__init__(
            description, state=state, redirect_uri=redirect_uri, redirect_fragment=redirect_fragment, error=error
        )
        self.issuer, self.response_mode, self.redirect_status = issuer, response_mode, redirect_status

    @property
    def location(self) -> str:
        """The redirect_uri with ``error``, ``error_description``, ``state`` and ``iss``."""
        plain = add_params_to_uri(self.redirect_uri, self.get_body(), self.redirect_fragment)
        return with_issuer(plain, self.issuer)

    def __call__(self, uri: str | None = None) -> tuple[int, str, list[tuple[str, str]]]:
        return self.redirect_status, "", [("Location", self.location)]


def refusal(
    error: str,
    description: str,
    *,
    redirect_uri: str | None,
    state: str | None,
    issuer: str,
    response_mode: str = "query",
    redirect_status: int = 302,
) -> AuthorizationError | AuthorizationRequestRefused:
    """The error sent to ``redirect_uri``, or the error page when there is none to send it to."""
    if not redirect_uri:
        return AuthorizationRequestRefused(error, safe_description(description) or error)
    return AuthorizationError(
        error,
        description,
        redirect_uri=redirect_uri,
        state=state,
        issuer=issuer,
        response_mode=response_mode,
        redirect_status=redirect_status,
    )


def from_authlib(
    error: OAuth2Error, *, issuer: str, redirect_status: int
) -> AuthorizationError | AuthorizationRequestRefused:
    """Authlib's refusal of the request (client, redirect_uri, response_type, scope, PKCE) as ours,
    its ``error_description`` kept as Authlib wrote it (Authlib has checked its characters)."""
    description = error.get_error_description()
    if not error.redirect_uri:
        return AuthorizationRequestRefused(str(error.error), description or str(error.error))
    translated = AuthorizationError(
        str(error.error),
        None,
        redirect_uri=error.redirect_uri,
        state=error.state,
        issuer=issuer,
        redirect_status=redirect_status,
        redirect_fragment=error.redirect_fragment,
    )
    translated.description, translated.uri = description, error.uri
    return translated
