"""The authorization endpoint: resolve the request (PAR or query), validate it, make sure the
person is signed in strongly and freshly enough, ask for consent once per client, issue a code."""

from __future__ import annotations

import hashlib
from urllib.parse import urlencode

from authlib.integrations.flask_oauth2 import AuthorizationServer
from flask import Blueprint, Response, current_app, redirect, render_template, request, session, url_for
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import MultiDict

from idp.accounts.models import Person
from idp.errors import N_
from idp.oidc import consent
from idp.oidc.authorization import checks
from idp.oidc.authorization.checks import CONSENT_CHECKS, REQUEST_CHECKS, SESSION_CHECKS
from idp.oidc.authorization.context import AuthorizationContext
from idp.oidc.authorization.errors import AuthorizationRequestRefused
from idp.oidc.authorization.par import PushedRequests
from idp.oidc.authorization.params import OidcParams
from idp.oidc.authorization.session_checks import hinted_subject
from idp.oidc.claims import SCOPE_DESCRIPTIONS
from idp.oidc.subject import GrantUser
from idp.services import services
from idp.sessions.models import BrowserSession
from idp.web.authorization_response import deliver
from idp.web.current import current_person, current_session, sign_out
from idp.web.i18n import SUPPORTED as UI_LOCALES

bp = Blueprint("authorize", __name__)


def _server() -> AuthorizationServer:
    server: AuthorizationServer = services().oauth
    return server


def _pushed() -> PushedRequests:
    found: PushedRequests = services().pushed
    return found


def _posted_request() -> bool:
    """An authorization request sent by POST, its parameters form-encoded in the body (OIDC Core
    3.1.2.1). A POST to ``/authorize?<query>`` is the consent form of that request posted back."""
    return request.method == "POST" and not request.query_string


def _deciding() -> bool:
    return request.method == "POST" and not _posted_request()


def _incoming() -> MultiDict[str, str]:
    source = request.form if _posted_request() else request.args
    return MultiDict(list(source.items(multi=True)))


def _query() -> str:
    """The request as a query string: what the login, consent and account pages come back with."""
    if _posted_request():
        return urlencode(list(request.form.items(multi=True)))
    return request.query_string.decode()


def _fingerprint() -> str:
    raw = _query().encode() if _posted_request() else request.query_string
    return hashlib.sha256(raw).hexdigest()


def _remember_posted_locale() -> None:
    """``ui_locales`` of a POSTed request, as i18n remembers it from a query."""
    wanted = (request.form.get("ui_locales") or "").split(" ")[0]
    if _posted_request() and wanted in UI_LOCALES:
        session["lang"] = wanted


@bp.route("/authorize", methods=["GET", "POST"])
def authorize() -> ResponseReturnValue:
    if _deciding():
        current_app.extensions["csrf"].protect()  # the consent form carries our CSRF token
    _remember_posted_locale()
    return _authorize()


def _exempt_authorization_requests(state: BlueprintSetupState) -> None:
    """A POSTed authorization request comes from the client's page, with no token of ours; the
    view checks CSRF itself for consent decisions."""
    state.app.extensions["csrf"].exempt(authorize)


bp.record_once(_exempt_authorization_requests)


def _authorize() -> ResponseReturnValue:
    """The checks of :mod:`idp.oidc.authorization.checks`, stage by stage, with the sign-in, the
    account choice and the consent page in between."""
    ctx = AuthorizationContext(
        params=_incoming(),
        issuer=services().settings.issuer,
        server=_server(),
        pushed=_pushed(),
        end_user=current_person(),
        redirect_status=_redirect_status(),
        decision=request.form.get("decision", "") if _deciding() else None,
    )
    checks.run(REQUEST_CHECKS, ctx)
    ctx.browser_session = found = current_session()
    ctx.fresh_login = session.get("fresh_login_for") == _fingerprint()
    ctx.hinted_sub = hinted_subject(ctx.oidc.id_token_hint, keyring=services().keyring, issuer=ctx.issuer)
    checks.run(SESSION_CHECKS, ctx)
    if ctx.reauthentication is not None:
        return _to_login(ctx.oidc, switch_account=ctx.reauthentication == "id_token_hint_other_subject")
    if "select_account" in ctx.oidc.prompts and session.get("account_selected_for") != _fingerprint():
        return render_template("select_account.html", person=current_person(), query=_query())
    person = current_person()
    if found is None or person is None:
        return _to_login(ctx.oidc, switch_account=False)
    ctx.user = _grant_user(found, person)
    checks.run(CONSENT_CHECKS, ctx)
    return _consent_or_code(ctx, ctx.user)


def _redirect_status() -> int:
    return 303 if request.method == "POST" else 302


def _grant_user(found: BrowserSession, person: Person) -> GrantUser:
    return GrantUser(
        person=person, auth_time=found.auth_time, amr=list(found.amr), acr=found.acr, session_id=found.id_hash[:32]
    )


def _to_login(oidc: OidcParams, *, switch_account: bool) -> ResponseReturnValue:
    if switch_account:
        sign_out()
    tx = services().login.transactions.start(
        "/authorize?" + _query(), required_acr=" ".join(oidc.essential_acr or oidc.acr_values)
    )
    session["login_tx"] = tx.id
    hint = oidc.login_hint if oidc.login_hint and len(oidc.login_hint) <= 254 else None
    target = url_for("login.password_form", login_hint=hint) if hint else url_for("login.password_form")
    return redirect(target, _redirect_status())


def _consent_or_code(ctx: AuthorizationContext, user: GrantUser) -> ResponseReturnValue:
    """The code when consent is given now or was given before; else the consent page."""
    client = ctx.grant.client
    if ctx.decision is not None:  # "allow": any other answer was refused by the checks
        consent.grant(user.person.oid, client.client_id, ctx.needed_scopes)
        return _issue(ctx, user)
    if ctx.consented:
        return _issue(ctx, user)
    return render_template(
        "consent.html",
        client=client,
        person=user.person,
        scopes=[(s, SCOPE_DESCRIPTIONS.get(s, s)) for s in ctx.needed_scopes],
        action="/authorize?" + _query() if _posted_request() else None,  # else: back to this very URL
    )


def _issue(ctx: AuthorizationContext, user: GrantUser) -> ResponseReturnValue:
    session.pop("fresh_login_for", None)  # a fresh login answers one authorization request
    checks.use_pushed_request(ctx)
    response: Response = ctx.server.create_authorization_response(
        request=ctx.authlib_request(), grant_user=user, grant=ctx.grant
    )
    location = response.headers.get("Location", "")
    services().sessions.remember_client(user.session_id, ctx.grant.client.client_id)
    return deliver(location, mode=ctx.response_mode, status=ctx.redirect_status)


@bp.post("/authorize/select-account")
def select_account() -> ResponseReturnValue:
    query = request.form.get("query", "")
    if not all("!" <= char <= "~" for char in query):  # the page holds a query string; this one was forged
        raise AuthorizationRequestRefused("invalid_request", N_("The account choice form was altered. Start again."))
    if request.form.get("choice") == "other":
        sign_out()
    else:
        session["account_selected_for"] = hashlib.sha256(query.encode()).hexdigest()
    return redirect("/authorize?" + query, 303)
