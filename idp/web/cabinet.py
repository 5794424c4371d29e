"""The personal cabinet: profile, personal data changes, given consents, and logout (RP-initiated too)."""

from __future__ import annotations

from typing import Any

from authlib.common.urls import add_params_to_uri
from flask import Blueprint, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from idp.accounts import verification
from idp.accounts.models import Person
from idp.accounts.personal_data import change_personal_data, current_form
from idp.accounts.validation import ValidationError
from idp.adapters.clock import moscow_today
from idp.audit import log as audit
from idp.oidc import consent
from idp.oidc.claims import SCOPE_DESCRIPTIONS
from idp.oidc.models import OAuthClient
from idp.selfservice import consents
from idp.services import services
from idp.storage.db import db
from idp.web.current import current_person, current_session, sign_out
from idp.web.origin import request_origin
from idp.web.reauth import recent_login_required
from idp.web.register import regions_directory
from idp.web.session_end import read_logout_hint

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
        "profile.html",
        person=person,
        consents=consent.list_for(person.oid),
        descriptions=SCOPE_DESCRIPTIONS,
        verified=verification.verified_fields(person),
        evidence=verification.evidence(person),
        notice=session.pop("profile_notice", None),
    )


def _personal_data_page(person: Person, form: Any, errors: dict[str, str], status: int = 200) -> ResponseReturnValue:
    page = render_template(
        "personal_data.html",
        person=person,
        form=form,
        errors=errors,
        regions=regions_directory(),
        notice=session.pop("profile_notice", None),
    )
    return page, status


@bp.get("/profile/personal-data")
@recent_login_required
def personal_data_form() -> ResponseReturnValue:
    person = current_person()
    assert person is not None  # guaranteed by recent_login_required
    return _personal_data_page(person, current_form(person), {})


@bp.post("/profile/personal-data")
@recent_login_required
def personal_data_submit() -> ResponseReturnValue:
    person = current_person()
    assert person is not None
    try:
        result = change_personal_data(
            person,
            request.form.to_dict(),
            regions=regions_directory(),
            today=moscow_today(services().clock),
            sender=services().sender,
            url=url_for("sessions_page.index", _external=True),
            lookups=services().lookup_limits,
            ip=request_origin().ip,
        )
    except ValidationError as exc:
        return _personal_data_page(person, request.form, {e.field: e.message for e in exc.errors}, 400)
    if not result.fields:
        session["profile_notice"] = "personal_data_unchanged"
    else:
        session["profile_notice"] = "personal_data_lowered" if result.level_lowered else "personal_data_changed"
    return redirect(url_for("cabinet.profile"), 303)


@bp.post("/profile/consents/<client_id>/withdraw")
def withdraw_consent(client_id: str) -> ResponseReturnValue:
    person = current_person()
    if person is None:
        return redirect(url_for("login.password_form"), 303)
    consents.withdraw_consent(person.oid, client_id)
    return redirect(url_for("cabinet.profile"), 303)


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
    hint = read_logout_hint(request.values.get("id_token_hint"))
    client = hint.client if hint else None
    target = _logout_target(client)
    ending = current_session()
    if request.method == "GET" and (hint is None or not hint.names(ending)):  # ask first (session_end.py)
        values = {**request.args.to_dict(), **({"client_id": client.client_id} if client else {})}
        return render_template("logout_confirm.html", values=values, foreign_hint=hint is not None)
    person = current_person()
    if ending is not None and person is not None:
        services().logout.end_everywhere(ending, person.oid)
    sign_out()
    if person is not None:
        audit.record("logout", person_oid=person.oid, client_id=client.client_id if client else None)
    if target:
        return redirect(target, 303)
    return render_template("logged_out.html")
