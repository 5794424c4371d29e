"""Machine-facing OIDC endpoints: discovery, JWKS, token, userinfo."""

from __future__ import annotations

from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer
from flask import Blueprint, Response, current_app, jsonify, request

from idp.accounts.models import Person
from idp.login.policy import ACR_VALUES
from idp.oidc.claims import DEMO_RP_SCOPES, IDENTITY_SCOPES, STANDARD_SCOPES, claims_for
from idp.oidc.tokens import ALLOWED_ALGS, InvalidAccessToken
from idp.services import services
from idp.storage.db import db

bp = Blueprint("endpoints", __name__)


def discovery_document(issuer: str) -> dict[str, Any]:
    return {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/authorize",
        "token_endpoint": f"{issuer}/token",
        "userinfo_endpoint": f"{issuer}/userinfo",
        "jwks_uri": f"{issuer}/jwks.json",
        "end_session_endpoint": f"{issuer}/logout",
        "scopes_supported": [*STANDARD_SCOPES, *IDENTITY_SCOPES, *DEMO_RP_SCOPES],
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ALLOWED_ALGS,
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": [
            "sub",
            "iss",
            "aud",
            "exp",
            "iat",
            "auth_time",
            "nonce",
            "acr",
            "amr",
            "azp",
            "name",
            "family_name",
            "given_name",
            "middle_name",
            "birthdate",
            "gender",
            "account_level",
            "email",
            "email_verified",
            "phone_number",
            "phone_number_verified",
            "address",
            "snils",
            "inn",
            "id_doc",
            "oms_policy",
            "region",
            "roles",
            "organization",
        ],
        "acr_values_supported": list(ACR_VALUES),
        "ui_locales_supported": ["ru", "en"],
        "claims_parameter_supported": False,
        "request_parameter_supported": False,
        "request_uri_parameter_supported": False,
        "authorization_response_iss_parameter_supported": True,
    }


@bp.get("/.well-known/openid-configuration")
def discovery() -> Response:
    resp = jsonify(discovery_document(services().settings.issuer))
    resp.headers["Access-Control-Allow-Origin"] = "*"
    return resp


@bp.get("/jwks.json")
def jwks() -> Response:
    resp = jsonify(services().keyring.jwks())
    resp.headers["Cache-Control"] = "public, max-age=300"
    resp.headers["Access-Control-Allow-Origin"] = "*"
    return resp


@bp.post("/token")
def token() -> Response:
    server: AuthorizationServer = current_app.extensions["gosid_oauth"]
    response: Response = server.create_token_response()
    return response


def _bearer_error(status: int, error: str, description: str) -> Response:
    resp = jsonify(error=error, error_description=description)
    resp.status_code = status
    resp.headers["WWW-Authenticate"] = f'Bearer error="{error}", error_description="{description}"'
    return resp


@bp.route("/userinfo", methods=["GET", "POST"])
def userinfo() -> Response:
    auth = request.headers.get("Authorization", "")
    if not auth.startswith("Bearer "):
        resp = jsonify(error="invalid_token", error_description="Bearer access token required")
        resp.status_code = 401
        resp.headers["WWW-Authenticate"] = 'Bearer realm="gosid"'
        return resp
    try:
        claims = services().signer.verify_access_token(auth[len("Bearer ") :].strip())
    except InvalidAccessToken as exc:
        return _bearer_error(401, "invalid_token", str(exc))
    scopes = str(claims.get("scope", "")).split()
    if "openid" not in scopes:
        return _bearer_error(403, "insufficient_scope", "the token lacks the openid scope")
    person = db.session.get(Person, int(claims["sub"])) if str(claims.get("sub", "")).isdigit() else None
    if person is None or person.disabled:
        return _bearer_error(401, "invalid_token", "the subject no longer exists")
    return jsonify(claims_for(person, scopes))
