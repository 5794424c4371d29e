"""Browser login: start at the IdP, finish on the callback, log out locally and at the IdP."""

from __future__ import annotations

from flask import Blueprint, redirect, url_for
from flask_babel import get_locale
from werkzeug.wrappers import Response

from relying_party_demo import login_sessions
from relying_party_demo.oauth_client import EDIT_SCOPE, LOGIN_SCOPES
from relying_party_demo.services import services
from relying_party_demo.signin import complete_sign_in

bp = Blueprint("auth", __name__, url_prefix="/auth")


def _ui_locale() -> str:
    return str(get_locale() or "ru")


@bp.get("/login")
def login() -> Response:
    return services().login.begin(scopes=LOGIN_SCOPES, ui_locale=_ui_locale())


@bp.get("/elevate")
def elevate() -> Response:
    """Ask the IdP again, adding the edit scope; the person consents there."""
    login_sessions.require()
    return services().login.begin(scopes=(*LOGIN_SCOPES, EDIT_SCOPE), ui_locale=_ui_locale())


@bp.get("/callback")
def callback() -> Response:
    complete_sign_in(services())
    return redirect(url_for("web.profile"), code=303)


@bp.post("/logout")
def logout() -> Response:
    id_token = login_sessions.end()
    target = services().login.end_session_url(id_token=id_token, ui_locale=_ui_locale())
    return redirect(target or url_for("web.home"), code=303)
