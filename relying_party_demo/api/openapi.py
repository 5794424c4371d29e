"""``/api/openapi.json``: the API's OpenAPI document (public, like a discovery document)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from relying_party_demo.api.openapi_document import openapi_document
from relying_party_demo.services import services

bp = Blueprint("api_openapi", __name__, url_prefix="/api")


@bp.get("/openapi.json")
def document() -> Response:
    response = jsonify(openapi_document(issuer=services().settings.issuer))
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
