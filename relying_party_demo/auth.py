"""Browser login: start at the IdP, step up, finish on the callback, log out."""

from __future__ import annotations

from flask import Blueprint, jsonify, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from werkzeug.wrappers import Response

from relying_party_demo import login_sessions
from relying_party_demo.access.policy import Decision, Reason
from relying_party_demo.backchannel import LogoutTokenRejected, end_logins
from relying_party_demo.errors import IdpUnavailable, IssuerMismatch
from relying_party_demo.guard import caller_for
from relying_party_demo.oauth_client import EDIT_SCOPE, LOGIN_SCOPES
from relying_party_demo.operations import onboarding
from relying_party_demo.redirects import safe_next
from relying_party_demo.refusals import refusal_for
from relying_party_demo.services import services
from relying_party_demo.signin import complete_sign_in
from relying_party_demo.web.onboarding import AFTER_LOGIN_KEY

bp = Blueprint("auth", __name__, url_prefix="/auth")

STEP_UP_KEY = "step_up_acr"


def _ui_locale() -> str:
    return str(get_locale() or "ru")


@bp.get("/login")
def login() -> Response:
    session[AFTER_LOGIN_KEY] = safe_next(request.args.get("next"))
    return services().login.begin(scopes=LOGIN_SCOPES, ui_locale=_ui_locale())


@bp.get("/elevate")
def elevate() -> Response:
    """Ask the IdP again, adding the edit scope; the person consents there."""
    login_sessions.require()
    session[AFTER_LOGIN_KEY] = safe_next(request.args.get("next"))
    return services().login.begin(scopes=(*LOGIN_SCOPES, EDIT_SCOPE), ui_locale=_ui_locale())


@bp.get("/step-up")
def step_up() -> Response | tuple[str, int]:
    """Sign in again at the level edits need (``acr_values``, ``prompt=login``), when the IdP
    advertises that level; otherwise explain which level is needed."""
    login_sessions.require()
    rp = services()
    required = rp.settings.edit_acr
    if not _idp_offers(required):
        return _stronger_login_page(required, obtained=None, offered=False)
    session[AFTER_LOGIN_KEY] = safe_next(request.args.get("next"))
    session[STEP_UP_KEY] = required
    scopes = (*LOGIN_SCOPES, EDIT_SCOPE)
    return rp.login.begin(scopes=scopes, ui_locale=_ui_locale(), acr_values=required, prompt="login")


def _idp_offers(acr: str) -> bool:
    try:
        offered = services().discovery.metadata().acr_values_supported
    except (IdpUnavailable, IssuerMismatch):
        return True  # let the login attempt report the IdP's problem
    return offered is None or acr in offered


@bp.get("/callback")
def callback() -> Response | tuple[str, int]:
    # Starting the session clears the cookie: read what the login was started for first.
    required, after = session.pop(STEP_UP_KEY, None), safe_next(session.pop(AFTER_LOGIN_KEY, None))
    access = complete_sign_in(services())
    if required and not services().policy.acr_satisfies(access.acr, required):
        return _stronger_login_page(required, obtained=access.acr, offered=True, region=access.region)
    login = login_sessions.require()
    if not onboarding.status(caller_for(access, login.access_token), login.claims).done:
        session[AFTER_LOGIN_KEY] = after
        return redirect(url_for("web_onboarding.status"), code=303)
    return redirect(after, code=303)


def _stronger_login_page(
    required: str, *, obtained: str | None, offered: bool, region: str | None = None
) -> tuple[str, int]:
    """The step-up could not reach ``required``: say so, as a refusal with its region and support."""
    if region is None and (login := login_sessions.current()) is not None:
        region = login.claims.get("region") if isinstance(login.claims.get("region"), str) else None
    decision = Decision(Reason.STEP_UP_REQUIRED, region, required_acr=required)
    refusal = refusal_for(decision, services().rules)
    page = render_template("step_up.html", required=required, obtained=obtained, offered=offered, refusal=refusal)
    return page, 403


@bp.post("/logout")
def logout() -> Response:
    id_token = login_sessions.end()
    target = services().login.end_session_url(id_token=id_token, ui_locale=_ui_locale())
    return redirect(target or url_for("web.home"), code=303)


@bp.post("/backchannel-logout")
def backchannel_logout() -> Response:
    """The IdP ends this service's logins of a session (OIDC Back-Channel Logout 1.0 §2.5)."""
    token = request.form.get("logout_token", "")
    try:
        claims = services().logout_tokens.verify(token)
        end_logins(claims, now=services().token_clock.now())
    except LogoutTokenRejected as exc:
        response: Response = jsonify(error="invalid_request", error_description=str(exc))
        response.status_code = 400
    else:
        response = Response(status=200)
    response.headers["Cache-Control"] = "no-store"
    return response
