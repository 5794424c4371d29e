"""``/dev/app``: a simulated Gosuslugi mobile app (dev mode only).

Lists each person's pending login requests and answers them with a number, as the real app
would. ``/dev/app/<oid>/requests`` (GET, JSON) and ``/dev/app/requests/<id>`` (POST JSON
``{"action": "approve", "number": 42}`` or ``{"action": "deny"}``) let tests drive it.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from idp.accounts.models import Person
from idp.factors.app_confirm import AppConfirmFactor, AppDecisionRefused
from idp.factors.models import EnrolledFactor
from idp.services import services
from idp.storage.db import db

bp = Blueprint("dev_app", __name__)


def _factor() -> AppConfirmFactor:
    factor = services().login.factors.get("app")
    assert isinstance(factor, AppConfirmFactor)
    return factor


@bp.get("/dev/app")
def index() -> ResponseReturnValue:
    with_app = select(EnrolledFactor.person_oid).where(EnrolledFactor.kind == "app")
    people = list(db.session.scalars(select(Person).where(Person.oid.in_(with_app)).order_by(Person.oid)))
    return render_template("dev_app.html", person=None, people=people, requests=[])


@bp.get("/dev/app/<int:oid>")
def phone(oid: int) -> ResponseReturnValue:
    person = db.session.get(Person, oid)
    if person is None:
        return redirect(url_for("dev_app.index"))
    return render_template("dev_app.html", person=person, people=[], requests=_factor().pending_for(oid))


@bp.get("/dev/app/<int:oid>/requests")
def requests_json(oid: int) -> ResponseReturnValue:
    return jsonify(
        [
            {"id": r.id, "choices": r.choices, "browser": r.browser, "ip": r.ip, "expires_at": r.expires_at}
            for r in _factor().pending_for(oid)
        ]
    )


@bp.post("/dev/app/requests/<request_id>")
def decide(request_id: str) -> ResponseReturnValue:
    body = request.get_json(silent=True) if request.is_json else request.form
    body = body or {}
    number = str(body.get("number") or "")
    try:
        outcome = _factor().decide(
            request_id,
            approve=body.get("action") == "approve",
            number=int(number) if number.isdigit() else None,
        )
    except AppDecisionRefused:
        if request.is_json:
            return jsonify(error="unknown_request", error_description="unknown, expired or already answered"), 404
        return render_template("dev_app.html", person=None, people=[], requests=[]), 404
    if request.is_json:
        return jsonify(result=outcome)
    return render_template("dev_app.html", person=None, people=[], requests=[], outcome=outcome)
