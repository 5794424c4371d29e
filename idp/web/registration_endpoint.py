"""RFC 7591 dynamic client registration, protected by an initial access token from settings."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from idp.audit import log as audit
from idp.oidc.clients import ClientMetadata, ClientRegistrationError, register
from idp.security.hashes import constant_time_equals, new_token
from idp.services import services
from idp.web.protocol_support import json_error

bp = Blueprint("registration_endpoint", __name__)


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


def _metadata(data: dict[str, Any]) -> ClientMetadata:
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


def _authorized() -> bool:
    expected = services().settings.registration_token
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return bool(expected) and scheme.lower() == "bearer" and constant_time_equals(value.strip(), expected)


@bp.post("/connect/register")
def register_client() -> Response:
    if not services().settings.registration_token:
        return json_error(404, "not_found", "dynamic registration is disabled (GOSID_REGISTRATION_TOKEN is empty)")
    if not _authorized():
        return json_error(
            401,
            "invalid_token",
            "a valid initial access token is required",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return json_error(400, "invalid_client_metadata", "the body must be a JSON object")
    try:
        meta = _metadata(data)
        created = register(meta)
    except ClientRegistrationError as exc:
        return json_error(400, exc.error, str(exc))
    audit.record("client_registered", client_id=created.client_id, via="rfc7591")
    body: dict[str, Any] = {
        "client_id": created.client_id,
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
    if created.client_secret:
        body.update(client_secret=created.client_secret, client_secret_expires_at=0)
    resp = jsonify(body)
    resp.status_code = 201
    resp.headers["Cache-Control"] = "no-store"
    return resp
