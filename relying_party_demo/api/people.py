"""``/api/me`` and ``/api/inbox``."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from relying_party_demo.api.common import api_caller
from relying_party_demo.operations import people

bp = Blueprint("api_people", __name__, url_prefix="/api")


@bp.get("/me")
def me() -> Response:
    return jsonify(people.me(api_caller()))


@bp.get("/inbox")
def inbox() -> Response:
    return jsonify(people.read_inbox(api_caller()))
