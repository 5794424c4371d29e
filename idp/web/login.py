"""Login pages: password, then one of the person's factors. Each POST answers 303 (never 307).

``/login/<factor>`` is one page per factor (``login_<factor>.html``); the person can switch to
another of their factors at ``/login/choose``. Factors confirmed elsewhere (the e-mail link,
the Gosuslugi app) are polled by the page at ``/login/<factor>/status``.
"""

from __future__ import annotations

import contextlib
import hashlib
from typing import Any

from flask import Blueprint, Response, after_this_request, jsonify, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from idp.accounts.devices import recognise
from idp.accounts.models import Person
from idp.authn.errors import (
    FactorNotAvailable,
    FactorPending,
    InvalidCredentials,
    LoginError,
    TooManyAttempts,
)
from idp.authn.transaction import LoginTransaction
from idp.login.service import FinishedLogin
from idp.security.hashes import new_token
from idp.services import services
from idp.storage.db import db
from idp.web.current import sign_in
from idp.web.origin import request_origin

bp = Blueprint("login", __name__)


def load_tx() -> LoginTransaction:
    return services().login.transactions.load(session.get("login_tx"))


def start_if_missing() -> LoginTransaction:
    try:
        return load_tx()
    except LoginError:
        tx = services().login.transactions.start(url_for("cabinet.profile"))
        session["login_tx"] = tx.id
        return tx


def _password_page(error: LoginError | None, login: str, status: int = 200) -> ResponseReturnValue:
    captcha = services().login.captcha_needed(login, ip=request_origin().ip)
    if captcha and not session.get("captcha_id"):
        session["captcha_id"] = new_token(16)
    wait = getattr(error, "wait_seconds", None)
    return render_template("login.html", error=error, login=login, captcha=captcha, wait=wait), status


@bp.get("/login")
def password_form() -> ResponseReturnValue:
    start_if_missing()
    return _password_page(None, request.args.get("login_hint", ""))


@bp.post("/login")
def password_submit() -> ResponseReturnValue:
    tx = load_tx()
    login = request.form.get("login", "")
    try:
        services().login.check_password(
            tx,
            login,
            request.form.get("password", ""),
            ip=request_origin().ip,
            captcha_id=session.get("captcha_id", ""),
            captcha=request.form.get("captcha", ""),
        )
    except (InvalidCredentials, TooManyAttempts) as exc:
        return _password_page(exc, login, exc.status)
    except LoginError as exc:  # captcha required or wrong
        return _password_page(exc, login, exc.status)
    tx = services().login.transactions.renew(tx)
    session["login_tx"] = tx.id
    options = services().login.options(tx)
    if not options:
        raise FactorNotAvailable()
    with contextlib.suppress(LoginError):  # e.g. a code from this very login is still valid
        services().login.begin(tx, options[0], request_origin())
    return redirect(url_for("login.factor_form", name=options[0]), 303)


@bp.get("/login/captcha.png")
def captcha_image() -> ResponseReturnValue:
    captcha_id = session.setdefault("captcha_id", new_token(16))
    png = services().captcha.new(captcha_id)
    return Response(png, mimetype="image/png", headers={"Cache-Control": "no-store"})


@bp.post("/login/choose")
def choose() -> ResponseReturnValue:
    tx = load_tx()
    name = request.form.get("factor", "")
    try:
        services().login.begin(tx, name, request_origin())
    except FactorNotAvailable:
        raise
    except LoginError as exc:
        return factor_page(tx, name, error=exc)
    return redirect(url_for("login.factor_form", name=name), 303)


def factor_page(tx: LoginTransaction, name: str, *, error: LoginError | None = None, **extra: Any) -> Any:
    factor, person = services().login.factor(tx, name)
    others = [n for n in services().login.options(tx) if n != name]
    context = {
        "factor": name,
        "detail": factor.describe(tx, person),
        "others": others,
        "error": error,
        "wait": getattr(error, "wait_seconds", None),
        **extra,
    }
    status = error.status if error is not None else 200
    return render_template(f"login_{name}.html", **context), status


@bp.get("/login/<name>")
def factor_form(name: str) -> ResponseReturnValue:
    return factor_page(load_tx(), name)


@bp.post("/login/<name>")
def factor_submit(name: str) -> ResponseReturnValue:
    tx = load_tx()
    response = request.form.get("code") or request.form.get("response") or ""
    try:
        finished = services().login.verify(tx, name, response)
    except FactorNotAvailable:
        raise
    except LoginError as exc:
        return factor_page(tx, name, error=exc)
    return redirect(_signed_in(finished), 303)


@bp.post("/login/<name>/resend")
def factor_resend(name: str) -> ResponseReturnValue:
    tx = load_tx()
    try:
        services().login.begin(tx, name, request_origin())
    except FactorNotAvailable:
        raise
    except LoginError as exc:
        return factor_page(tx, name, error=exc)
    return redirect(url_for("login.factor_form", name=name), 303)


@bp.post("/login/<name>/status")
def factor_status(name: str) -> ResponseReturnValue:
    """Polled by pages whose factor is confirmed elsewhere; completes the login when it is."""
    try:
        tx = load_tx()
        finished = services().login.verify(tx, name, "")
    except FactorPending:
        return jsonify(state="pending")
    except LoginError as exc:
        return jsonify(state="failed", code=exc.code), exc.status
    return jsonify(state="done", next=_signed_in(finished))


DEVICE_COOKIE = "gosid_device"


def _signed_in(finished: FinishedLogin) -> str:
    """Start the session of a finished login; returns where the browser goes next."""
    sign_in(person_oid=finished.person_oid, amr=finished.amr, acr=finished.acr)
    _recognise_device(finished.person_oid)
    if finished.next_url.startswith("/authorize?"):
        query = finished.next_url.split("?", 1)[1].encode()
        session["fresh_login_for"] = hashlib.sha256(query).hexdigest()
    return _safe_next(finished.next_url)


def _recognise_device(person_oid: int) -> None:
    """A new browser for this person gets a long-lived random id, and the person a notice."""
    person = db.session.get(Person, person_oid)
    if person is None:
        return
    token = request.cookies.get(DEVICE_COOKIE) or new_token(32)
    recognise(
        services().sender,
        person,
        token,
        user_agent=request.headers.get("User-Agent", ""),
        ip=request.remote_addr or "",
        url=url_for("sessions_page.index", _external=True),
    )
    production = services().settings.production

    @after_this_request
    def _set_cookie(response: Response) -> Response:
        response.set_cookie(
            DEVICE_COOKIE, token, max_age=400 * 24 * 3600, httponly=True, samesite="Lax", secure=production
        )
        return response


def complete_in_browser(finished: FinishedLogin) -> ResponseReturnValue:
    """For other blueprints (passkey, signature, card): sign in and go on."""
    return redirect(_signed_in(finished), 303)


def _safe_next(url: str) -> str:
    """Only local paths: the next URL never sends a person to another site."""
    if url.startswith("/") and not url.startswith("//") and "\\" not in url:
        return url
    return url_for("cabinet.profile")
