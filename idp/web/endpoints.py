"""Machine-facing OIDC endpoints: discovery, JWKS, token, PAR, introspection, revocation, userinfo.

Introspection, revocation and userinfo are Authlib endpoints registered on the authorization
server (``idp.oidc.server``); the views here apply the request-shape rules and hand over.
"""

from __future__ import annotations

from typing import Any

from authlib.oauth2 import OAuth2Error
from flask import Blueprint, Response, jsonify, request

from idp.oidc.discovery import discovery_document
from idp.oidc.dpop import InvalidDPoPProof
from idp.oidc.errors import InvalidRequest, ProtocolError
from idp.services import services
from idp.web.protocol_support import (
    authenticate_client,
    bind_token_request_to_dpop_key,
    endpoint_url,
    refuse_ambiguous_request,
    server,
)

bp = Blueprint("endpoints", __name__)


def _public_json(data: dict[str, Any], *, max_age: int) -> Response:
    resp = jsonify(data)
    resp.headers["Cache-Control"] = f"public, max-age={max_age}"
    resp.headers["Access-Control-Allow-Origin"] = "*"
    return resp


@bp.get("/.well-known/openid-configuration")
def discovery() -> Response:
    return _public_json(discovery_document(services().settings), max_age=300)


@bp.get("/.well-known/oauth-authorization-server")
def oauth_metadata() -> Response:
    return _public_json(discovery_document(services().settings), max_age=300)


@bp.get("/jwks.json")
def jwks() -> Response:
    return _public_json(services().keyring.jwks(), max_age=60)


@bp.post("/token")
def token() -> Response:
    refuse_ambiguous_request()
    bind_token_request_to_dpop_key()
    response: Response = server().create_token_response()
    if request.headers.get("DPoP") is not None:
        response.headers["DPoP-Nonce"] = services().dpop.new_nonce()
    return response


def _dpop_binding_for_par(requested_jkt: str | None) -> str | None:
    """RFC 9449 §10.1: a DPoP proof sent with PAR binds the code to that key."""
    proof = request.headers.get("DPoP")
    if proof is None:
        return requested_jkt
    verified = services().dpop.verify(proof, method="POST", url=endpoint_url("/par"))
    if requested_jkt and requested_jkt != verified.jkt:
        raise InvalidDPoPProof("dpop_jkt differs from the key of the DPoP proof")
    return verified.jkt


def _validate_pushed_request() -> None:
    """The pushed parameters are checked now, as the authorization endpoint would (RFC 9126 §2.1);
    the refusal is a 400 here, never a redirect."""
    try:
        server().get_consent_grant(end_user=None)
    except OAuth2Error as error:
        raise ProtocolError(error.get_error_description() or error.error, error=error.error) from error


@bp.post("/par")
def pushed_authorization_request() -> Response:
    """RFC 9126: authenticate the client, validate the request now, hand out a one-time URI."""
    refuse_ambiguous_request()
    client = authenticate_client("par")
    if "request_uri" in request.form:
        raise InvalidRequest("request_uri must not be pushed")
    if request.form.get("client_id", client.client_id) != client.client_id:
        raise InvalidRequest("client_id differs from the authenticated client")
    _validate_pushed_request()
    form = request.form.copy()
    form["client_id"] = client.client_id
    bound = _dpop_binding_for_par(form.get("dpop_jkt"))
    if bound:
        form["dpop_jkt"] = bound
    request_uri = services().pushed.push(client.client_id, form)
    resp = jsonify(request_uri=request_uri, expires_in=services().pushed.ttl)
    resp.status_code = 201
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.post("/introspect")
def introspect() -> Response:
    refuse_ambiguous_request()
    response: Response = server().create_endpoint_response("introspection")
    return response


@bp.post("/revoke")
def revoke() -> Response:
    refuse_ambiguous_request()
    response: Response = server().create_endpoint_response("revocation")
    return response


@bp.route("/userinfo", methods=["GET", "POST"])
def userinfo() -> Response:
    response: Response = server().create_endpoint_response("userinfo")
    return response
