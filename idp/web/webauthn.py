"""Passkey pages: registration in the security settings and the passwordless login.
(The passkey as a second factor uses the generic ``/login/passkey`` page.)"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from idp.accounts.notifications import notify_change
from idp.authn.errors import LoginError
from idp.factors.passkey import PasskeyFactor
from idp.security.hashes import new_token
from idp.services import services
from idp.web.current import current_person
from idp.web.login import complete_in_browser, start_if_missing
from idp.web.reauth import recent_login_required

bp = Blueprint("webauthn", __name__)


def _factor() -> PasskeyFactor:
    factor = services().login.factors.get("passkey")
    assert isinstance(factor, PasskeyFactor)
    return factor


def _registration_page(error: LoginError | None = None) -> ResponseReturnValue:
    person = current_person()
    assert person is not None
    key = new_token(24)
    session["passkey_registration"] = key
    options = _factor().registration_options(person, key)
    return render_template("security_passkey.html", options=options, error=error), error.status if error else 200


@bp.get("/profile/security/passkey")
@recent_login_required
def register_form() -> ResponseReturnValue:
    return _registration_page()


@bp.post("/profile/security/passkey")
@recent_login_required
def register_submit() -> ResponseReturnValue:
    person = current_person()
    assert person is not None
    try:
        _factor().register(
            person,
            session.pop("passkey_registration", ""),
            request.form.get("response", ""),
            label=request.form.get("label", "").strip(),
        )
    except LoginError as exc:
        return _registration_page(exc)
    notify_change(services().sender, person, "factor_added", url=url_for("security.overview", _external=True))
    session["security_notice"] = "passkey_added"
    return redirect(url_for("security.overview"), 303)


def _passwordless_page(error: LoginError | None = None) -> ResponseReturnValue:
    tx = start_if_missing()
    options = _factor().begin_passwordless(tx)
    return render_template("login_passwordless.html", options=options, error=error), error.status if error else 200


@bp.get("/login/passwordless/passkey")
def passwordless_page() -> ResponseReturnValue:
    return _passwordless_page()


@bp.post("/login/passwordless/passkey")
def passwordless_submit() -> ResponseReturnValue:
    tx = start_if_missing()
    try:
        person, result = _factor().identify(tx, request.form.get("response", ""))
        tx.pending = "passkey"
        finished = services().login.complete(tx, person, result)
    except LoginError as exc:
        return _passwordless_page(exc)
    return complete_in_browser(finished)
