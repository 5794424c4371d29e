"""Browser login: start at the IdP, finish on the callback, log out locally and at the IdP."""

from __future__ import annotations

from flask import Blueprint, redirect, url_for
from flask_babel import get_locale
from werkzeug.wrappers import Response

from relying_party_demo import cards, login_sessions
from relying_party_demo.errors import IdTokenInvalid, InvalidToken
from relying_party_demo.oauth_client import EDIT_SCOPE, LOGIN_SCOPES
from relying_party_demo.services import services

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
    rp = services()
    tokens = rp.login.complete()
    try:
        access = rp.access_tokens.verify(tokens.access_token)
    except InvalidToken as exc:
        raise IdTokenInvalid(f"the access token failed verification: {exc.detail}") from exc
    if access.subject != tokens.id_claims["sub"]:
        raise IdTokenInvalid("the access token and the ID token name different people")
    claims = {**tokens.id_claims, **tokens.userinfo}
    login_sessions.start(
        subject=access.subject,
        claims=claims,
        scopes=access.scopes,
        id_token=tokens.id_token,
        access_token=tokens.access_token,
    )
    if access.subject.isdigit():
        snils = claims.get("snils")
        cards.open_card(int(access.subject), snils=snils if isinstance(snils, str) else None)
    return redirect(url_for("web.profile"), code=303)


@bp.post("/logout")
def logout() -> Response:
    id_token = login_sessions.end()
    target = services().login.end_session_url(id_token=id_token, ui_locale=_ui_locale())
    return redirect(target or url_for("web.home"), code=303)
