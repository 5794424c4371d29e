"""The personal cabinet: profile, given consents, and logout (RP-initiated too)."""

from __future__ import annotations

from typing import Any

from authlib.common.urls import add_params_to_uri
from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from joserfc import jwt
from joserfc.errors import JoseError

from idp.audit import log as audit
from idp.oidc import consent
from idp.oidc.claims import SCOPE_DESCRIPTIONS
from idp.oidc.models import OAuthClient
from idp.oidc.tokens import ALLOWED_ALGS
from idp.services import services
from idp.storage.db import db
from idp.web.current import current_person, current_session, sign_out
from idp.web.session_end import end_session_everywhere

bp = Blueprint("cabinet", __name__)


@bp.get("/")
def home() -> ResponseReturnValue:
    return redirect(url_for("cabinet.profile"))


@bp.get("/profile")
def profile() -> ResponseReturnValue:
    person = current_person()
    if person is None:
        return redirect(url_for("login.password_form"))
    return render_template(
        "profile.html", person=person, consents=consent.list_for(person.oid), descriptions=SCOPE_DESCRIPTIONS
    )


@bp.post("/profile/consents/<client_id>/withdraw")
def withdraw_consent(client_id: str) -> ResponseReturnValue:
    person = current_person()
    if person is None:
        return redirect(url_for("login.password_form"), 303)
    consent.withdraw(person.oid, client_id)
    db.session.commit()
    return redirect(url_for("cabinet.profile"), 303)


def _hint_client(id_token_hint: str | None) -> OAuthClient | None:
    """The client an ID token we issued was for; any key we still publish is accepted."""
    if not id_token_hint:
        return None
    try:
        decoded = jwt.decode(id_token_hint, services().keyring.verification_keyset(), algorithms=ALLOWED_ALGS)
    except (JoseError, ValueError):
        return None
    claims: dict[str, Any] = dict(decoded.claims)
    if claims.get("iss") != services().settings.issuer:
        return None
    aud = claims.get("aud")
    client_id = aud[0] if isinstance(aud, list) and aud else aud
    return db.session.get(OAuthClient, client_id) if isinstance(client_id, str) else None


def _logout_target(client: OAuthClient | None) -> str | None:
    uri = request.values.get("post_logout_redirect_uri")
    if not uri:
        return None
    client = client or db.session.get(OAuthClient, request.values.get("client_id", ""))
    if client is None or uri not in client.post_logout_redirect_uris:
        return None
    state = request.values.get("state")
    return add_params_to_uri(uri, {"state": state}) if state else uri


@bp.route("/logout", methods=["GET", "POST"])
def logout() -> ResponseReturnValue:
    client = _hint_client(request.values.get("id_token_hint"))
    target = _logout_target(client)
    if request.method == "GET" and client is None:
        return render_template("logout_confirm.html", values=request.args)
    person = current_person()
    ending = current_session()
    if ending is not None and person is not None:
        end_session_everywhere(ending, person.oid)
    sign_out()
    if person is not None:
        audit.record("logout", person_oid=person.oid, client_id=client.client_id if client else None)
    if target:
        return redirect(target, 303)
    return render_template("logged_out.html")
