"""RFC 7591 dynamic client registration: Authlib's endpoint (``idp.oidc.registration``),
protected by an initial access token from settings."""

from __future__ import annotations

from flask import Blueprint, Response

from idp.oidc.registration import ClientRegistration
from idp.web.protocol_support import server

bp = Blueprint("registration_endpoint", __name__)


@bp.post("/connect/register")
def register_client() -> Response:
    response: Response = server().create_endpoint_response(ClientRegistration.ENDPOINT_NAME)
    return response
