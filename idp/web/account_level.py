"""The account level in the security settings: check SNILS and passport against the registry
(standard), enter an in-person confirmation code (confirmed). Cards and signatures confirm on
their own pages."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from idp.accounts import levels
from idp.authn.errors import LevelError
from idp.services import services
from idp.web.current import current_person
from idp.web.reauth import recent_login_required

bp = Blueprint("account_level", __name__)


def _registry() -> levels.Registry:
    return services().registry


def _page(error: LevelError | None = None) -> ResponseReturnValue:
    person = current_person()
    return render_template("account_level.html", person=person, error=error), error.status if error else 200


@bp.get("/profile/security/level")
@recent_login_required
def page() -> ResponseReturnValue:
    return _page()


@bp.post("/profile/security/level/registry")
@recent_login_required
def check_registry() -> ResponseReturnValue:
    person = current_person()
    assert person is not None
    try:
        levels.check_documents(person, _registry())
    except LevelError as exc:
        return _page(exc)
    session["security_notice"] = "level_standard"
    return redirect(url_for("security.overview"), 303)


@bp.post("/profile/security/level/code")
@recent_login_required
def redeem_code() -> ResponseReturnValue:
    person = current_person()
    assert person is not None
    try:
        levels.redeem_in_person_code(person, request.form.get("code", "")[:40])
    except LevelError as exc:
        return _page(exc)
    session["security_notice"] = "level_confirmed"
    return redirect(url_for("security.overview"), 303)
