"""RFC 7591 dynamic client registration through Authlib's ``ClientRegistrationEndpoint``,
protected by the initial access token from settings (empty: registration is disabled).

The metadata is read here and validated by :mod:`idp.oidc.clients`, like every other way of
registering a client; the secret, if the client gets one, is shown in this response only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from authlib.oauth2.rfc7591 import ClientRegistrationEndpoint

from idp.audit import log as audit
from idp.oidc.clients import ClientMetadata, ClientRegistrationError, RegisteredClient, register
from idp.oidc.errors import InvalidClientMetadata, InvalidToken, ProtocolError
from idp.security.hashes import constant_time_equals, new_token


def _list(data: dict[str, Any], key: str) -> list[str]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ClientRegistrationError(f"{key}: must be an array of strings")
    return value


def _flag(data: dict[str, Any], key: str) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        raise ClientRegistrationError(f"{key}: must be true or false")
    return value


def client_metadata(data: dict[str, Any]) -> ClientMetadata:
    """The RFC 7591 §2 metadata of a registration request, with a fresh ``client_id``."""
    if data.get("response_types", ["code"]) != ["code"]:
        raise ClientRegistrationError('response_types: only ["code"] is supported')
    return ClientMetadata(
        client_id=new_token(16),
        name=str(data.get("client_name") or "unnamed client")[:200],
        redirect_uris=_list(data, "redirect_uris"),
        scopes=str(data.get("scope", "openid")).split(),
        post_logout_redirect_uris=_list(data, "post_logout_redirect_uris"),
        auth_method=str(data.get("token_endpoint_auth_method", "client_secret_basic")),
        grant_types=tuple(_list(data, "grant_types") or ["authorization_code"]),
        jwks=data.get("jwks"),
        id_token_alg=str(data.get("id_token_signed_response_alg", "RS256")),
        access_token_alg=str(data.get("access_token_signed_response_alg", "RS256")),
        require_par=bool(data.get("require_pushed_authorization_requests", False)),
        dpop_bound=bool(data.get("dpop_bound_access_tokens", False)),
        always_issue_refresh_token=_flag(data, "always_issue_refresh_token"),
        backchannel_logout_uri=data.get("backchannel_logout_uri"),
        registered_by="dynamic",
    )


def registered_metadata(meta: ClientMetadata) -> dict[str, Any]:
    """What the registration response says the client is registered with (RFC 7591 §3.2.1)."""
    return {
        "client_name": meta.name,
        "redirect_uris": meta.redirect_uris,
        "grant_types": list(meta.grant_types),
        "response_types": ["code"],
        "token_endpoint_auth_method": meta.auth_method,
        "scope": " ".join(dict.fromkeys(["openid", *meta.scopes])),
        "id_token_signed_response_alg": meta.id_token_alg,
        "require_pushed_authorization_requests": meta.require_par,
        "dpop_bound_access_tokens": meta.dpop_bound,
        "always_issue_refresh_token": meta.always_issue_refresh_token,
    }


def _refused(exc: ClientRegistrationError) -> ProtocolError:
    return ProtocolError(str(exc), error=exc.error)  # invalid_client_metadata or invalid_redirect_uri


class ClientRegistration(ClientRegistrationEndpoint):
    """``POST /connect/register`` with ``Authorization: Bearer <initial access token>``."""

    def __init__(self, *, initial_access_token: Callable[[], str]) -> None:
        super().__init__()
        self._initial_access_token = initial_access_token

    def authenticate_token(self, request: Any) -> str:
        expected = self._initial_access_token()
        if not expected:
            raise ProtocolError(
                "dynamic registration is disabled (GOSID_REGISTRATION_TOKEN is empty)",
                error="not_found",
                status_code=404,
            )
        scheme, _, value = str(request.headers.get("Authorization", "")).partition(" ")
        if scheme.lower() != "bearer" or not constant_time_equals(value.strip(), expected):
            raise InvalidToken(
                "a valid initial access token is required", headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}
            )
        return expected

    def extract_client_metadata(self, request: Any) -> dict[str, Any]:
        data = request.payload.data
        if not isinstance(data, dict):
            raise InvalidClientMetadata("the body must be a JSON object")
        try:
            request.gosid_metadata = client_metadata(data)
        except ClientRegistrationError as exc:
            raise _refused(exc) from exc
        return registered_metadata(request.gosid_metadata)

    def generate_client_info(self, request: Any) -> dict[str, Any]:
        return {"client_id": request.gosid_metadata.client_id}

    def save_client(self, client_info: dict[str, Any], metadata: dict[str, Any], request: Any) -> RegisteredClient:
        try:
            created = register(request.gosid_metadata)
        except ClientRegistrationError as exc:
            raise _refused(exc) from exc
        audit.record("client_registered", client_id=created.client_id, via="rfc7591")
        return created

    def generate_client_registration_info(self, client: RegisteredClient, request: Any) -> dict[str, Any] | None:
        """The secret, once; Authlib puts it in the response body."""
        return {"client_secret": client.client_secret, "client_secret_expires_at": 0} if client.client_secret else None
