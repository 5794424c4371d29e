"""The authorization endpoint: validate the request, make sure the person is signed in
with two factors, ask for consent once per client, then issue a code."""

from __future__ import annotations

import hashlib
import time

from authlib.common.urls import add_params_to_uri
from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2 import OAuth2Error
from flask import Blueprint, Response, current_app, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from idp.oidc import consent
from idp.oidc.claims import SCOPE_DESCRIPTIONS
from idp.oidc.subject import GrantUser
from idp.services import services
from idp.sessions.models import BrowserSession
from idp.web.current import current_person, current_session
from idp.web.errors import render_error

bp = Blueprint("authorize", __name__)


def _server() -> AuthorizationServer:
    server: AuthorizationServer = current_app.extensions["gosid_oauth"]
    return server


def _error_response(error: OAuth2Error) -> ResponseReturnValue:
    """Redirect errors only to a validated redirect_uri (with ``iss``); else show a page."""
    if error.redirect_uri:
        _, _, headers = error()
        location = add_params_to_uri(dict(headers)["Location"], {"iss": services().settings.issuer})
        return redirect(location, 303 if request.method == "POST" else 302)
    return render_error(400, error.error, error.get_error_description() or error.error)


def _request_fingerprint() -> ResponseReturnValue:
    return hashlib.sha256(request.query_string).hexdigest()


def _needs_login(found: BrowserSession | None) -> bool:
    if found is None:
        return True
    prompts = (request.args.get("prompt") or "").split()
    fresh = session.get("fresh_login_for") == _request_fingerprint()
    if "login" in prompts and not fresh:
        return True
    max_age = request.args.get("max_age")
    too_old = bool(max_age and max_age.isdigit() and time.time() - found.auth_time > int(max_age))
    return too_old and not fresh


def _grant_user(found: BrowserSession) -> GrantUser | None:
    person = current_person()
    if person is None:
        return None
    return GrantUser(
        person=person, auth_time=found.auth_time, amr=list(found.amr), acr=found.acr, session_id=found.id_hash[:32]
    )


@bp.route("/authorize", methods=["GET", "POST"])
def authorize() -> ResponseReturnValue:
    server = _server()
    try:
        grant = server.get_consent_grant(end_user=None)
    except OAuth2Error as error:
        return _error_response(error)
    found = current_session()
    prompts = (request.args.get("prompt") or "").split()
    if "none" in prompts and len(prompts) > 1:
        return _error_response(_with(grant, "invalid_request", "prompt=none cannot be combined"))
    if _needs_login(found):
        if "none" in prompts:
            return _error_response(_with(grant, "login_required", "the person is not signed in"))
        tx = services().login.transactions.start(request.full_path)
        session["login_tx"] = tx.id
        return redirect(url_for("login.password_form"))
    assert found is not None
    user = _grant_user(found)
    if user is None:
        return redirect(url_for("login.password_form"))
    session.pop("fresh_login_for", None)
    scopes = (grant.request.payload.scope or "").split()
    client = grant.client
    if request.method == "POST":
        return _decide(server, grant, user, scopes)
    if consent.covers(user.person.oid, client.client_id, scopes) and "consent" not in prompts:
        return server.create_authorization_response(grant_user=user, grant=grant)
    if "none" in prompts:
        return _error_response(_with(grant, "consent_required", "consent has not been given"))
    return render_template(
        "consent.html",
        client=client,
        person=user.person,
        scopes=[(s, SCOPE_DESCRIPTIONS.get(s, s)) for s in scopes],
    )


def _decide(server: AuthorizationServer, grant: object, user: GrantUser, scopes: list[str]) -> ResponseReturnValue:
    client = grant.client  # type: ignore[attr-defined]
    if request.form.get("decision") == "allow":
        consent.grant(user.person.oid, client.client_id, scopes)
        response: Response = server.create_authorization_response(grant_user=user, grant=grant)
    else:
        response = server.create_authorization_response(grant_user=None, grant=grant)
    if response.status_code == 302:
        response.status_code = 303  # never 307 after a POST (RFC 9700 §4.12)
    return response


def _with(grant: object, error: str, description: str) -> OAuth2Error:
    err = OAuth2Error(description=description, redirect_uri=grant.redirect_uri)  # type: ignore[attr-defined]
    err.error = error
    err.state = grant.request.payload.state  # type: ignore[attr-defined]
    return err
