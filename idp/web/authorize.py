"""The authorization endpoint: resolve the request (PAR or query), validate it, make sure the
person is signed in strongly and freshly enough, ask for consent once per client, issue a code."""

from __future__ import annotations

import hashlib
from urllib.parse import urlencode

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2 import OAuth2Error
from flask import Blueprint, Request, Response, current_app, redirect, render_template, request, session, url_for
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from werkzeug.datastructures import MultiDict
from werkzeug.test import EnvironBuilder

from idp.audit import log as audit
from idp.authn.assurance import acr_satisfies
from idp.i18n import SUPPORTED as UI_LOCALES
from idp.oidc import consent
from idp.oidc.authorization.par import PushedRequests
from idp.oidc.authorization.params import InvalidParameter, OidcParams, parse_oidc_params
from idp.oidc.authorization.responses import deliver, error_location, with_issuer
from idp.oidc.authorization.session_checks import hinted_subject, reauthentication_reason
from idp.oidc.claims import SCOPE_DESCRIPTIONS, scopes_for_claims
from idp.oidc.descriptions import safe_description
from idp.oidc.offline_access import OFFLINE_ACCESS
from idp.oidc.subject import GrantUser
from idp.services import services
from idp.web.current import current_person, current_session, sign_out
from idp.web.errors import render_error

bp = Blueprint("authorize", __name__)


class _Stop(Exception):
    """Ends the request early with a ready response."""

    def __init__(self, response: ResponseReturnValue) -> None:
        self.response = response


def _server() -> AuthorizationServer:
    server: AuthorizationServer = current_app.extensions["gosid_oauth"]
    return server


def _pushed() -> PushedRequests:
    found: PushedRequests = current_app.extensions["gosid_par"]
    return found


def _fail(error: OAuth2Error, mode: str = "query") -> _Stop:
    location = error_location(error)
    if location is None:
        return _Stop(render_error(400, error.error, error.get_error_description() or error.error))
    status = 303 if request.method == "POST" else 302
    return _Stop(deliver(with_issuer(location, services().settings.issuer), mode=mode, status=status))


def _oauth_error(grant: object, error: str, description: str) -> OAuth2Error:
    err = OAuth2Error(description=safe_description(description), redirect_uri=getattr(grant, "redirect_uri", None))
    err.error = error
    err.state = grant.request.payload.state  # type: ignore[attr-defined]
    return err


def _resolve_params() -> MultiDict[str, str]:
    """The request's parameters; with a request_uri only the pushed ones count (RFC 9126 §4)."""
    incoming = _incoming()
    request_uri = incoming.get("request_uri")
    if request_uri is None:
        return incoming
    pushed = _pushed().peek(request_uri, incoming.get("client_id"))
    if pushed is None:
        raise _Stop(render_error(400, "invalid_request_uri", "request_uri is unknown, expired, used or not yours"))
    pushed.setlist("request_uri", [request_uri])
    return pushed


def _as_request(params: MultiDict[str, str]) -> Request:
    builder = EnvironBuilder(method="GET", path="/authorize", base_url=services().settings.issuer, query_string=params)
    return Request(builder.get_environ())


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
    try:
        return _authorize()
    except _Stop as stop:
        return stop.response


def _exempt_authorization_requests(state: BlueprintSetupState) -> None:
    """A POSTed authorization request comes from the client's page, with no token of ours; the
    view checks CSRF itself for consent decisions."""
    state.app.extensions["csrf"].exempt(authorize)


bp.record_once(_exempt_authorization_requests)


def _authorize() -> ResponseReturnValue:
    params = _resolve_params()
    server = _server()
    try:
        grant = server.get_consent_grant(request=_as_request(params), end_user=current_person())
    except OAuth2Error as error:
        raise _fail(error) from None
    if "request" in params:
        raise _fail(_oauth_error(grant, "request_not_supported", "request objects are not supported; use PAR"))
    try:
        oidc = parse_oidc_params(params)
    except InvalidParameter as exc:
        raise _fail(_oauth_error(grant, "invalid_request", str(exc))) from None
    if grant.client.require_pushed_authorization_requests and "request_uri" not in params:
        raise _fail(_oauth_error(grant, "invalid_request", "this client must use pushed authorization requests"))
    user = _signed_in_user(grant, oidc)
    return _consent_or_code(server, grant, oidc, user, params)


def _signed_in_user(grant: object, oidc: OidcParams) -> GrantUser:
    found = current_session()
    fresh = session.get("fresh_login_for") == _fingerprint()
    hinted = hinted_subject(oidc.id_token_hint, keyring=services().keyring, issuer=services().settings.issuer)
    reason = reauthentication_reason(found, oidc, fresh=fresh, hinted_sub=hinted)
    if reason is not None:
        if "none" in oidc.prompts:
            raise _fail(_oauth_error(grant, "login_required", f"interaction required: {reason}"), oidc.response_mode)
        raise _Stop(_to_login(oidc, switch_account=reason == "id_token_hint_other_subject"))
    assert found is not None
    if oidc.essential_acr and not acr_satisfies(found.acr, oidc.essential_acr):
        raise _fail(
            _oauth_error(
                grant,
                "unmet_authentication_requirements",
                "the requested acr cannot be reached with this person's factors",
            ),
            oidc.response_mode,
        )
    if "select_account" in oidc.prompts and session.get("account_selected_for") != _fingerprint():
        raise _Stop(render_template("select_account.html", person=current_person(), query=_query()))
    person = current_person()
    if person is None:
        raise _Stop(_to_login(oidc, switch_account=False))
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
    return redirect(target, 303 if request.method == "POST" else 302)


def _consent_or_code(
    server: AuthorizationServer, grant: object, oidc: OidcParams, user: GrantUser, params: MultiDict[str, str]
) -> ResponseReturnValue:
    client = grant.client  # type: ignore[attr-defined]
    needed = _needed_scopes(grant, oidc, user)
    if _deciding():
        return _decide(server, grant, user, needed, oidc, params)
    if consent.covers(user.person.oid, client.client_id, needed) and "consent" not in oidc.prompts:
        return _issue(server, grant, user, oidc, params)
    if "none" in oidc.prompts:
        raise _fail(_oauth_error(grant, "consent_required", "consent has not been given"), oidc.response_mode)
    return render_template(
        "consent.html",
        client=client,
        person=user.person,
        scopes=[(s, SCOPE_DESCRIPTIONS.get(s, s)) for s in needed],
        action="/authorize?" + _query() if _posted_request() else None,  # else: back to this very URL
    )


def _needed_scopes(grant: object, oidc: OidcParams, user: GrantUser) -> list[str]:
    """What the person is asked to allow: the client's allowed scopes and those of the claims
    asked for; offline_access is dropped under prompt=none unless already allowed (OIDC Core 11)."""
    client = grant.client  # type: ignore[attr-defined]
    scopes = (client.get_allowed_scope(grant.request.payload.scope or "") or "").split()  # type: ignore[attr-defined]
    claim_scopes = scopes_for_claims({*oidc.id_token_claims, *oidc.userinfo_claims}) & set(client.scopes)
    needed = set(scopes) | claim_scopes
    if "none" in oidc.prompts and not consent.covers(user.person.oid, client.client_id, [OFFLINE_ACCESS]):
        needed.discard(OFFLINE_ACCESS)
    return sorted(needed)


def _decide(
    server: AuthorizationServer,
    grant: object,
    user: GrantUser,
    needed: list[str],
    oidc: OidcParams,
    params: MultiDict[str, str],
) -> ResponseReturnValue:
    client = grant.client  # type: ignore[attr-defined]
    if request.form.get("decision") != "allow":
        audit.record("consent_denied", person_oid=user.person.oid, client_id=client.client_id)
        raise _fail(_oauth_error(grant, "access_denied", "the person denied the request"), oidc.response_mode)
    consent.grant(user.person.oid, client.client_id, needed)
    return _issue(server, grant, user, oidc, params)


def _issue(
    server: AuthorizationServer, grant: object, user: GrantUser, oidc: OidcParams, params: MultiDict[str, str]
) -> ResponseReturnValue:
    session.pop("fresh_login_for", None)  # a fresh login answers one authorization request
    request_uri = params.get("request_uri")
    if request_uri and not _pushed().consume(request_uri):
        raise _Stop(render_error(400, "invalid_request_uri", "request_uri was already used"))
    response: Response = server.create_authorization_response(request=_as_request(params), grant_user=user, grant=grant)
    location = response.headers.get("Location", "")
    status = 303 if request.method == "POST" else 302
    services().sessions.remember_client(user.session_id, grant.client.client_id)  # type: ignore[attr-defined]
    return deliver(location, mode=oidc.response_mode, status=status)


@bp.post("/authorize/select-account")
def select_account() -> ResponseReturnValue:
    query = request.form.get("query", "")
    if not all("!" <= char <= "~" for char in query):  # the page holds a query string; this one was forged
        return render_error(400, "invalid_request", gettext("The account choice form was altered. Start again."))
    if request.form.get("choice") == "other":
        sign_out()
    else:
        session["account_selected_for"] = hashlib.sha256(query.encode()).hexdigest()
    return redirect("/authorize?" + query, 303)
