"""A simulated identity-document registry (the roles of the Pension Fund for SNILS and the
Interior Ministry for passports), with deterministic outcomes so every path can be tested.

``POST /check`` with JSON ``{snils, surname, name, birth_date, passport_series, passport_number}``
answers ``{"result": ..., "checked_at": ...}``:

=====================================  ==========================================
the data                               result
=====================================  ==========================================
passport number ending in ``00``       ``passport_not_found``
passport number ending in ``99``       ``passport_invalid`` (declared lost)
passport number ending in ``77``       HTTP 503: the registry is unavailable
SNILS whose 9th digit is ``9``         ``snils_mismatch`` (another person's SNILS)
anything else, complete                ``valid``
missing fields                         ``incomplete``
=====================================  ==========================================
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Flask, jsonify, request

REQUIRED = ("snils", "surname", "name", "birth_date", "passport_series", "passport_number")


def decide(data: dict[str, Any]) -> str:
    if any(not str(data.get(key) or "").strip() for key in REQUIRED):
        return "incomplete"
    number, snils = str(data["passport_number"]), str(data["snils"])
    if number.endswith("00"):
        return "passport_not_found"
    if number.endswith("99"):
        return "passport_invalid"
    if len(snils) == 11 and snils[8] == "9":
        return "snils_mismatch"
    return "valid"


def create_app() -> Flask:
    app = Flask(__name__)

    @app.post("/check")
    def check() -> Any:
        data = request.get_json(force=True, silent=True) or {}
        if str(data.get("passport_number", "")).endswith("77"):
            return jsonify(error="temporarily_unavailable"), 503
        return jsonify(result=decide(data), checked_at=datetime.now(UTC).isoformat())

    return app
