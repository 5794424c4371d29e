"""Electronic-signature pages: the passwordless login and confirming the account level.
(The signature as a second factor uses the generic ``/login/qes`` page.)"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from idp.accounts import levels
from idp.authn.errors import LoginError, QesWrongSnils
from idp.factors.qes import QesFactor
from idp.services import services
from idp.web.current import current_person
from idp.web.login import complete_in_browser, start_if_missing
from idp.web.reauth import recent_login_required

bp = Blueprint("signature", __name__)


def _factor() -> QesFactor:
    factor = services().login.factors.get("qes")
    assert isinstance(factor, QesFactor)
    return factor


class _Holder:
    """A challenge holder for the level confirmation (not a login transaction)."""

    def __init__(self, key: str) -> None:
        self.id = key


def _page(template: str, holder: object, error: LoginError | None = None, **extra: object) -> ResponseReturnValue:
    challenge = _factor().describe(holder)["challenge"]
    return render_template(template, challenge=challenge, error=error, **extra), error.status if error else 200


@bp.get("/login/passwordless/signature")
def login_page() -> ResponseReturnValue:
    return _page("login_signature.html", start_if_missing())


@bp.post("/login/passwordless/signature")
def login_submit() -> ResponseReturnValue:
    tx = start_if_missing()
    try:
        person, result = _factor().identify(tx, request.form.get("response", ""))
        tx.pending = "qes"
        finished = services().login.complete(tx, person, result)
    except LoginError as exc:
        return _page("login_signature.html", tx, exc)
    return complete_in_browser(finished)


@bp.get("/profile/security/signature")
@recent_login_required
def level_page() -> ResponseReturnValue:
    person = current_person()
    assert person is not None
    return _page("security_signature.html", _Holder(f"level:{person.oid}"))


@bp.post("/profile/security/signature")
@recent_login_required
def level_submit() -> ResponseReturnValue:
    person = current_person()
    assert person is not None
    holder = _Holder(f"level:{person.oid}")
    try:
        _factor().verify(holder, person, request.form.get("response", ""))
    except LoginError as exc:
        return _page("security_signature.html", holder, exc)
    session["security_notice"] = "level_confirmed" if levels.confirm(person, "qes") else "signature_checked"
    return redirect(url_for("security.overview"), 303)


__all__ = ["QesWrongSnils"]
