"""Machine-facing OIDC endpoints: discovery, JWKS, token, PAR, introspection, revocation, userinfo."""

from __future__ import annotations

from typing import Any

from authlib.oauth2 import OAuth2Error
from flask import Blueprint, Response, jsonify, request

from idp.accounts.models import Person
from idp.oidc.claims import requested_claims
from idp.oidc.discovery import discovery_document
from idp.oidc.dpop import DPoPError
from idp.services import services
from idp.storage.db import db
from idp.web.protocol_support import (
    authenticate_client,
    dpop_error_response,
    endpoint_url,
    json_error,
    oauth_error_response,
    server,
    single_auth_mechanism_error,
    verify_dpop_for_token_request,
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
    refused = single_auth_mechanism_error() or verify_dpop_for_token_request()
    if refused is not None:
        return refused
    response: Response = server().create_token_response()
    if request.headers.get("DPoP") is not None:
        response.headers["DPoP-Nonce"] = services().dpop.new_nonce()
    return response


def _dpop_binding_for_par(requested_jkt: str | None) -> str | Response | None:
    """RFC 9449 §10.1: a DPoP proof sent with PAR binds the code to that key."""
    proof = request.headers.get("DPoP")
    if proof is None:
        return requested_jkt
    try:
        verified = services().dpop.verify(proof, method="POST", url=endpoint_url("/par"))
    except DPoPError as exc:
        return dpop_error_response(exc, resource=False)
    if requested_jkt and requested_jkt != verified.jkt:
        return json_error(400, "invalid_dpop_proof", "dpop_jkt differs from the key of the DPoP proof")
    return verified.jkt


@bp.post("/par")
def pushed_authorization_request() -> Response:
    """RFC 9126: authenticate the client, validate the request now, hand out a one-time URI."""
    refused = single_auth_mechanism_error()
    if refused is not None:
        return refused
    try:
        client = authenticate_client("par")
    except OAuth2Error as error:
        return oauth_error_response(error)
    if "request_uri" in request.form:
        return json_error(400, "invalid_request", "request_uri must not be pushed")
    if request.form.get("client_id", client.client_id) != client.client_id:
        return json_error(400, "invalid_request", "client_id differs from the authenticated client")
    try:
        server().get_consent_grant(end_user=None)
    except OAuth2Error as error:
        return json_error(400, error.error, error.get_error_description() or error.error)
    form = request.form.copy()
    form["client_id"] = client.client_id
    bound = _dpop_binding_for_par(form.get("dpop_jkt"))
    if isinstance(bound, Response):
        return bound
    if bound:
        form["dpop_jkt"] = bound
    request_uri = services().pushed.push(client.client_id, form)
    resp = jsonify(request_uri=request_uri, expires_in=services().pushed.ttl)
    resp.status_code = 201
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.post("/introspect")
def introspect() -> Response:
    refused = single_auth_mechanism_error()
    if refused is not None:
        return refused
    try:
        client = authenticate_client("introspection")
    except OAuth2Error as error:
        return oauth_error_response(error)
    token_value = request.form.get("token")
    if not token_value:
        return json_error(400, "invalid_request", "token is required")
    resp = jsonify(services().token_status.introspect(token_value, request.form.get("token_type_hint"), client))
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.post("/revoke")
def revoke() -> Response:
    refused = single_auth_mechanism_error()
    if refused is not None:
        return refused
    try:
        client = authenticate_client("revocation")
    except OAuth2Error as error:
        return oauth_error_response(error)
    token_value = request.form.get("token")
    if not token_value:
        return json_error(400, "invalid_request", "token is required")
    services().token_status.revoke(token_value, request.form.get("token_type_hint"), client)
    return Response(status=200)


USERINFO_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="gosid", DPoP algs="ES256 RS256 PS256"'}


def _body_token() -> list[str]:
    """``access_token`` of a form-encoded POST body (RFC 6750 §2.2); other bodies carry none."""
    if request.method != "POST" or request.mimetype != "application/x-www-form-urlencoded":
        return []
    return request.form.getlist("access_token")


def _presented_token() -> tuple[str, str] | Response:
    """The scheme and token from the Authorization header (Bearer or DPoP) or a form-encoded
    POST body (as Bearer); a token in the URL has leaked and is refused, and a request using
    more than one method is invalid_request (RFC 6750 §2)."""
    if "access_token" in request.args:
        return json_error(
            401, "invalid_token", "an access token in the URL is not accepted", headers=USERINFO_CHALLENGE
        )
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    header = [(scheme.lower(), value.strip())] if scheme.lower() in {"bearer", "dpop"} and value.strip() else []
    presented = header + [("bearer", token) for token in _body_token()]
    if len(presented) > 1:
        return json_error(400, "invalid_request", "send the access token one way only: the header or the body")
    if not presented:
        return json_error(
            401,
            "invalid_token",
            "an access token in the Authorization header or a form-encoded POST body is required",
            headers=USERINFO_CHALLENGE,
        )
    return presented[0]


def _userinfo_claims(claims: dict[str, Any]) -> Response:
    scopes = str(claims.get("scope", "")).split()
    if "openid" not in scopes:
        return json_error(
            403,
            "insufficient_scope",
            "the token lacks the openid scope",
            headers={"WWW-Authenticate": 'Bearer error="insufficient_scope", scope="openid"'},
        )
    sub = str(claims.get("sub", ""))
    person = db.session.get(Person, int(sub)) if sub.isdigit() else None
    if person is None or person.disabled:
        return json_error(
            401,
            "invalid_token",
            "the subject no longer exists",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    from idp.oidc.claims import claims_for

    body = claims_for(person, scopes)
    body.update(requested_claims(person, set(claims.get("ucl") or [])))
    return jsonify(body)


@bp.route("/userinfo", methods=["GET", "POST"])
def userinfo() -> Response:
    presented = _presented_token()
    if isinstance(presented, Response):
        return presented
    scheme, value = presented
    claims = services().token_status.active_access_claims(value)
    if claims is None:
        return json_error(
            401,
            "invalid_token",
            "the access token is invalid, expired or revoked",
            headers={"WWW-Authenticate": f'{scheme.capitalize()} error="invalid_token"'},
        )
    bound = (claims.get("cnf") or {}).get("jkt")
    if bound and scheme != "dpop":
        return json_error(
            401,
            "invalid_token",
            "a DPoP-bound token was presented as a Bearer token",
            headers={"WWW-Authenticate": 'DPoP error="invalid_token"'},
        )
    if scheme == "dpop":
        if not bound:
            return json_error(401, "invalid_token", "the token is not DPoP-bound; use the Bearer scheme")
        try:
            services().dpop.verify(
                request.headers.get("DPoP"),
                method=request.method,
                url=endpoint_url("/userinfo"),
                access_token=value,
                expected_jkt=bound,
            )
        except DPoPError as exc:
            return dpop_error_response(exc, resource=True)
    return _userinfo_claims(claims)
