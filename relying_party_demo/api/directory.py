"""``/api/organizations``: the directory of medical organizations."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from relying_party_demo.api.common import api_caller
from relying_party_demo.operations import directory

bp = Blueprint("api_directory", __name__, url_prefix="/api")


@bp.get("/organizations")
def search() -> Response:
    query = request.args.get("q", "")
    return jsonify(directory.search(api_caller(), query, region=request.args.get("region")))


@bp.get("/organizations/<oid>")
def organization(oid: str) -> Response:
    return jsonify(directory.organization(api_caller(), oid))
