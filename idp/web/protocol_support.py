"""Shared pieces of the machine-facing endpoints: client authentication, DPoP, JSON errors."""

from __future__ import annotations

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2 import OAuth2Error
from flask import Response, current_app, g, jsonify, request

from idp.oidc.client_auth import auth_mechanisms
from idp.oidc.descriptions import safe_description
from idp.oidc.dpop import DPoPError, UseDPoPNonce
from idp.oidc.models import OAuthClient
from idp.services import services


def server() -> AuthorizationServer:
    found: AuthorizationServer = current_app.extensions["gosid_oauth"]
    return found


def json_error(status: int, error: str, description: str, *, headers: dict[str, str] | None = None) -> Response:
    """An OAuth JSON error; the description may quote the request (made RFC 6749 §5.2-safe)."""
    resp = jsonify(error=error, error_description=safe_description(description))
    resp.status_code = status
    resp.headers["Cache-Control"] = "no-store"
    for key, value in (headers or {}).items():
        resp.headers[key] = value
    return resp


def endpoint_url(path: str) -> str:
    return services().settings.issuer + path


def single_auth_mechanism_error() -> Response | None:
    """RFC 6749 §2.3: a client MUST NOT use more than one authentication method per request;
    RFC 6749 §3.1/§3.2: parameters MUST NOT be included more than once."""
    for source in (request.form, request.args):
        repeated = sorted(k for k in source if len(source.getlist(k)) > 1)
        if repeated:
            return json_error(400, "invalid_request", f"parameter {repeated[0]!r} is repeated")
    if len(auth_mechanisms(request.headers, request.form)) > 1:
        return json_error(400, "invalid_request", "more than one client authentication mechanism in the request")
    return None


def authenticate_client(endpoint: str) -> OAuthClient:
    """The authenticated client of this request, or :class:`OAuth2Error` (``invalid_client``)."""
    oauth_request = server().create_oauth2_request(request)
    methods = ["client_secret_basic", "client_secret_post", "private_key_jwt"]
    client: OAuthClient = server().authenticate_client(oauth_request, methods, endpoint)
    return client


def oauth_error_response(error: OAuth2Error) -> Response:
    status, body, headers = error()
    resp = jsonify(dict(body))
    resp.status_code = status
    for key, value in headers:
        resp.headers[key] = value
    return resp


def dpop_error_response(exc: DPoPError, *, resource: bool) -> Response:
    """400 at the token endpoint, 401 with a DPoP challenge at resource endpoints (RFC 9449 §7.1)."""
    headers = {}
    if isinstance(exc, UseDPoPNonce):
        headers["DPoP-Nonce"] = exc.nonce
    if resource:
        headers["WWW-Authenticate"] = f'DPoP error="{exc.error}", error_description="{exc.description}"'
        return json_error(401, exc.error, exc.description, headers=headers)
    return json_error(400, exc.error, exc.description, headers=headers)


def verify_dpop_for_token_request() -> Response | None:
    """Check a DPoP proof if one came; remember its key thumbprint for the token generator."""
    proof = request.headers.get("DPoP")
    g.dpop_jkt = None
    if proof is None:
        return None
    try:
        verified = services().dpop.verify(proof, method="POST", url=endpoint_url("/token"))
    except DPoPError as exc:
        return dpop_error_response(exc, resource=False)
    g.dpop_jkt = verified.jkt
    return None
