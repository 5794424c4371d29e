"""ESIA's refusals: each class carries its ``ESIA-0070xx`` code and OAuth ``error``.

``idp.web.esia.responses`` is the one place that turns them into JSON, redirects or pages.
"""

from __future__ import annotations

from typing import Any

from idp.errors import N_, GosidError


class EsiaError(GosidError):
    """``description`` is ESIA's text for the code (the user ``message``); ``detail`` says what was wrong."""

    code = "ESIA-007007"
    error = "server_error"
    description = N_("Unexpected error of the authorization service")
    status = 400

    def __init__(self, detail: str | None = None, *, report: dict[str, Any] | None = None) -> None:
        super().__init__(detail or self.description)
        self.message = self.description
        self.detail = detail
        self.report = report or {}
        self.state: str | None = None
        self.diagnostics_id: str | None = None

    @property
    def error_description(self) -> str:
        text = f"{self.code}: {self.description}"
        return f"{text} [{self.detail}]" if self.detail else text


class CertificateMismatch(EsiaError):
    code, error = "ESIA-007002", "invalid_client"
    description = N_("The certificate does not match the system's mnemonic or no certificate is registered for it")


class InvalidParameter(EsiaError):
    code, error = "ESIA-007003", "invalid_request"
    description = N_("The request has an invalid parameter value or repeats a parameter")


class StateReused(InvalidParameter):
    description = N_("The state value has already been used")


class AccessDenied(EsiaError):
    code, error = "ESIA-007004", "access_denied"
    description = N_("The resource owner or the authorization service denied the request")


class ClientNotAllowed(EsiaError):
    code, error = "ESIA-007005", "unauthorized_client"
    description = N_("The client system may not obtain an access token this way")


class InvalidScope(EsiaError):
    code, error = "ESIA-007006", "invalid_scope"
    description = N_("The requested scope is invalid, unknown or malformed")


class UnsupportedResponseType(EsiaError):
    code, error = "ESIA-007009", "unsupported_response_type"
    description = N_("The authorization service does not support obtaining an access token this way")


class InvalidGrant(EsiaError):
    code, error = "ESIA-007011", "invalid_grant"
    description = N_("The authorization code or refresh token is invalid, expired, revoked or issued to another client")


class UnsupportedGrantType(EsiaError):
    code, error = "ESIA-007012", "unsupported_grant_type"
    description = N_("The grant type is not supported by the authorization service")


class MissingScope(EsiaError):
    code, error = "ESIA-007013", "invalid_scope"
    description = N_("The request does not contain a scope")


class MissingParameter(EsiaError):
    code, error = "ESIA-007014", "invalid_request"
    description = N_("The request does not contain the mandatory parameter")


class WrongTimestamp(EsiaError):
    code, error = "ESIA-007015", "invalid_request"
    description = N_("Wrong request time")


class RedirectUriNotAllowed(EsiaError):
    code, error = "ESIA-007023", "invalid_request"
    description = N_("The redirect_uri is not among those allowed for the system")


class ClientSecretWrong(EsiaError):
    code, error = "ESIA-007053", "invalid_client"
    description = N_("clientSecretWrong: client_secret does not match the string, the certificate or the system")


class UnconfirmedAccount(EsiaError):
    code, error = "ESIA-007055", "access_denied"
    description = N_("Login with an unconfirmed account")


class UnknownClient(EsiaError):
    code, error = "ESIA-008010", "invalid_client"
    description = N_("The client system could not be authenticated")
    status = 401


class InvalidToken(EsiaError):
    code, error = "ESIA-007011", "invalid_token"
    description = N_("The access token is invalid, expired or was issued for another subject")
    status = 401


class InsufficientScope(EsiaError):
    code, error = "ESIA-007019", "insufficient_scope"
    description = N_("No permission to access this resource")
    status = 403


class NotFound(EsiaError):
    code, error = "ESIA-007003", "not_found"
    description = N_("No such resource")
    status = 404


class ServiceUnavailable(EsiaError):
    """A dependency of the stand failed (database, store, gateway): ESIA's code for a service that
    cannot answer now (the OAuth ``temporarily_unavailable``), 503 with ``Retry-After``."""

    code, error = "ESIA-007008", "temporarily_unavailable"
    description = N_("The authorization service cannot process the request now because of high load or maintenance")
    status = 503
