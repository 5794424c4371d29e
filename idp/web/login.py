"""Login pages: password, then the SMS code. Each POST answers 303 (never 307)."""

from __future__ import annotations

import contextlib
import hashlib

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from idp.factors.sms import mask_phone
from idp.login.errors import CodeExpired, CodeInvalid, InvalidCredentials, LoginError, ResendTooSoon
from idp.login.transaction import LoginTransaction
from idp.services import services
from idp.web.current import sign_in

bp = Blueprint("login", __name__)


def _tx() -> LoginTransaction:
    return services().login.transactions.load(session.get("login_tx"))


def _start_if_missing() -> LoginTransaction:
    try:
        return _tx()
    except LoginError:
        tx = services().login.transactions.start(url_for("cabinet.profile"))
        session["login_tx"] = tx.id
        return tx


@bp.get("/login")
def password_form() -> ResponseReturnValue:
    _start_if_missing()
    return render_template("login.html", error=None, login=request.args.get("login_hint", ""))


@bp.post("/login")
def password_submit() -> ResponseReturnValue:
    tx = _tx()
    login = request.form.get("login", "")
    try:
        services().login.check_password(tx, login, request.form.get("password", ""))
    except InvalidCredentials as exc:
        return render_template("login.html", error=exc, login=login), exc.status
    tx = services().login.transactions.renew(tx)
    session["login_tx"] = tx.id
    with contextlib.suppress(ResendTooSoon):  # a code from this very login is still valid
        services().login.send_sms(tx)
    return redirect(url_for("login.sms_form"), 303)


@bp.get("/login/sms")
def sms_form() -> ResponseReturnValue:
    tx = _tx()
    person = services().login.person_of(tx)
    return render_template("login_sms.html", phone=mask_phone(person.phone), error=None, notice=None)


@bp.post("/login/sms")
def sms_submit() -> ResponseReturnValue:
    tx = _tx()
    person = services().login.person_of(tx)
    try:
        finished = services().login.check_sms(tx, request.form.get("code", ""))
    except (CodeInvalid, CodeExpired) as exc:
        return render_template("login_sms.html", phone=mask_phone(person.phone), error=exc, notice=None), exc.status
    sign_in(person_oid=finished.person_oid, amr=finished.amr, acr=finished.acr)
    if finished.next_url.startswith("/authorize?"):
        query = finished.next_url.split("?", 1)[1].encode()
        session["fresh_login_for"] = hashlib.sha256(query).hexdigest()
    return redirect(_safe_next(finished.next_url), 303)


@bp.post("/login/sms/resend")
def sms_resend() -> ResponseReturnValue:
    tx = _tx()
    person = services().login.person_of(tx)
    try:
        services().login.send_sms(tx)
    except ResendTooSoon as exc:
        return render_template(
            "login_sms.html", phone=mask_phone(person.phone), error=exc, notice=None, wait=exc.wait_seconds
        ), exc.status
    return redirect(url_for("login.sms_form"), 303)


def _safe_next(url: str) -> str:
    """Only local paths: the next URL never sends a person to another site."""
    if url.startswith("/") and not url.startswith("//") and "\\" not in url:
        return url
    return url_for("cabinet.profile")
