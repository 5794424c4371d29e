"""``/api/patients`` and ``/api/cards``: patients, their cards, entries and changes."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, url_for

from relying_party_demo.api.common import api_caller, json_body
from relying_party_demo.operations import cards

bp = Blueprint("api_cards", __name__, url_prefix="/api")


@bp.get("/patients")
def patients() -> Response:
    return jsonify(cards.list_patients(api_caller()))


@bp.get("/cards/<int:card_id>")
def read_card(card_id: int) -> Response:
    return jsonify(cards.read_card(api_caller(), card_id))


@bp.post("/cards/<int:card_id>/entries")
def add_entry(card_id: int) -> tuple[Response, int, dict[str, str]]:
    caller = api_caller()
    created = cards.add_entry(caller, card_id, json_body())
    return jsonify(created), 201, {"Location": url_for("api_cards.read_card", card_id=card_id)}


@bp.get("/cards/<int:card_id>/changes")
def card_changes(card_id: int) -> Response:
    return jsonify(cards.card_changes(api_caller(), card_id))
