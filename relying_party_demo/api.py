"""JSON API for other services, authorised by the IdP's access tokens (RFC 6750 bearer)."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, jsonify, request, url_for

from relying_party_demo import cards
from relying_party_demo.bearer import bearer_token
from relying_party_demo.errors import InvalidField
from relying_party_demo.guard import require_card_access
from relying_party_demo.policy import CardAction
from relying_party_demo.services import services
from relying_party_demo.tokens import AccessToken

bp = Blueprint("api", __name__, url_prefix="/api")


def _authorised(card_oid: int, action: CardAction) -> AccessToken:
    rp = services()
    token = rp.access_tokens.verify(bearer_token(request, realm=rp.settings.client_id))
    require_card_access(token, card_oid=card_oid, action=action)
    return token


@bp.get("/cards/<int:oid>")
def read_card(oid: int) -> Response:
    _authorised(oid, CardAction.READ)
    return jsonify(cards.card_json(cards.open_card(oid)))


@bp.post("/cards/<int:oid>/entries")
def add_entry(oid: int) -> tuple[Response, int, dict[str, str]]:
    token = _authorised(oid, CardAction.ADD_ENTRY)
    entry = cards.parse_entry(_json_body())
    row = cards.add_entry(cards.open_card(oid), entry, author_sub=token.subject, token_jti=token.jti)
    location = url_for("api.read_card", oid=oid)
    return jsonify(cards.entry_json(row)), 201, {"Location": location}


def _json_body() -> Any:
    if request.mimetype != "application/json":
        raise InvalidField("body", "send the entry as application/json")
    try:
        return json.loads(request.get_data(as_text=True))
    except ValueError as exc:
        raise InvalidField("body", f"is not valid JSON ({exc})") from exc
