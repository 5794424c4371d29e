"""The page an e-mail confirmation link opens (on any device): confirm, then the browser that
started the login continues by itself."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from idp.factors.email_link import EmailLinkFactor
from idp.services import services

bp = Blueprint("email_link", __name__)


def _factor() -> EmailLinkFactor:
    factor = services().login.factors.get("email")
    assert isinstance(factor, EmailLinkFactor)
    return factor


@bp.get("/login/email/confirm/<token>")
def confirm_page(token: str) -> ResponseReturnValue:
    pending = _factor().peek(token)
    return render_template("email_confirm.html", pending=pending, done=False), 200 if pending else 404


@bp.post("/login/email/confirm/<token>")
def confirm(token: str) -> ResponseReturnValue:
    confirmed = _factor().confirm(token)
    return render_template("email_confirm.html", pending=None, done=confirmed is not None), 200 if confirmed else 404
