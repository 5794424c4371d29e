"""Browser-facing ESIA endpoints: authorization (v1 and v2), logout, diagnostics pages."""

from __future__ import annotations

from urllib.parse import urlsplit

from authlib.common.urls import add_params_to_uri
from flask import abort, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from idp.accounts.models import Person
from idp.audit import log as audit
from idp.esia import authorization
from idp.esia.clients import find_client
from idp.esia.errors import AccessDenied, UnconfirmedAccount
from idp.esia.person_data import trusted
from idp.esia.scopes import SCOPE_DESCRIPTIONS
from idp.oidc import consent
from idp.services import services
from idp.sessions.models import BrowserSession
from idp.web.current import current_person, current_session, sign_out
from idp.web.esia import diagnostics, responses
from idp.web.esia.blueprints import bp


@bp.route("/aas/oauth2/ac", methods=["GET", "POST"])
def authorize_v1() -> ResponseReturnValue:
    return _authorize("ac/v1")


@bp.route("/aas/oauth2/v2/ac", methods=["GET", "POST"])
def authorize_v2() -> ResponseReturnValue:
    return _authorize("ac/v2")


def _authorize(version: str) -> ResponseReturnValue:
    responses.reply_to(version, client_id=request.args.get("client_id"))  # no validated redirect_uri: a page
    params, client, uri = authorization.front_checks(request.args)
    responses.reply_to(version, client_id=client.client_id, state=params.get("state"), redirect_uri=uri)
    req = authorization.validate(
        services().esia_deps(), params, client, uri, version=version, query=request.query_string
    )
    return _signed_in_part(req)


def _signed_in_part(req: authorization.AuthorizationRequest) -> ResponseReturnValue:
    found, person = current_session(), current_person()
    if found is None or person is None:
        tx = services().login.transactions.start(request.full_path)
        session["login_tx"] = tx.id
        return redirect(url_for("login.password_form"))
    client_id = req.client.client_id
    if req.requires_confirmed and not trusted(person):
        audit.record("esia_authorization", result="unconfirmed_account", person_oid=person.oid, client_id=client_id)
        raise UnconfirmedAccount(f"the account level is {person.level}; this system requires a confirmed account")
    if request.method == "POST":
        if request.form.get("decision") != "allow":
            audit.record("esia_authorization", result="denied", person_oid=person.oid, client_id=client_id)
            raise AccessDenied("the person denied access")
        consent.grant(person.oid, client_id, req.scopes)
    elif not consent.covers(person.oid, client_id, req.scopes):
        return _consent_page(req, person)
    return _code_redirect(req, person, found)


def _consent_page(req: authorization.AuthorizationRequest, person: Person) -> ResponseReturnValue:
    scopes = [(s, SCOPE_DESCRIPTIONS.get(s, s)) for s in req.scopes]
    return render_template("consent.html", client=req.client, person=person, scopes=scopes)


def _code_redirect(
    req: authorization.AuthorizationRequest, person: Person, found: BrowserSession
) -> ResponseReturnValue:
    amr, sid = list(found.amr), found.id_hash[:32]
    code = authorization.issue_code(
        services().esia_deps(), req, person_oid=person.oid, auth_time=found.auth_time, amr=amr, sid=sid
    )
    location = add_params_to_uri(req.redirect_uri, [("code", code), ("state", req.state)])
    return redirect(location, 303 if request.method == "POST" else 302)


@bp.get("/idp/ext/Logout")
def logout() -> ResponseReturnValue:
    client = find_client(request.args.get("client_id", ""))
    target = request.args.get("redirect_url", "")
    person = current_person()
    if current_session() is not None:
        sign_out()
    client_id = client.client_id if client else None
    audit.record("esia_logout", person_oid=person.oid if person else None, client_id=client_id)
    if client and target and _same_origin_as_registered(target, client.redirect_uris):
        return redirect(target)
    return render_template("logged_out.html")


def _same_origin_as_registered(url: str, registered: list[str]) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and any(
        (parts.scheme, parts.netloc) == (urlsplit(r).scheme, urlsplit(r).netloc) for r in registered
    )


@bp.get("/esia/diagnostics/<diag_id>")
def diagnostics_page(diag_id: str) -> ResponseReturnValue:
    report = diagnostics.load(diag_id) if services().settings.dev_mode else None
    if report is None:
        abort(404)
    return render_template("esia/diagnostics.html", report=report, json_url=request.base_url + ".json")
