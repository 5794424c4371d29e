"""«Настройки безопасности»: two-step verification (TOTP apps, passkeys, the Gosuslugi app),
and links to the password, contacts and sessions pages. Every change needs a recent login
and is announced on the contacts the account had before the change."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from idp.accounts.models import Person
from idp.accounts.notifications import notify_change
from idp.accounts.password_change import change_password
from idp.accounts.passwords import PRESETS
from idp.accounts.validation import ValidationError
from idp.authn.errors import LoginError
from idp.selfservice import factors_admin
from idp.selfservice.contact_change import ContactChangeService
from idp.services import services
from idp.web.current import current_person, current_session, sign_in
from idp.web.origin import request_origin
from idp.web.reauth import recent_login_required

bp = Blueprint("security", __name__)


def _person() -> Person:
    person = current_person()
    assert person is not None  # guaranteed by recent_login_required / the checks below
    return person


@bp.get("/profile/security")
def overview() -> ResponseReturnValue:
    person = current_person()
    if person is None:
        return redirect(url_for("login.password_form"))
    return render_template(
        "security_settings.html",
        person=person,
        factors=factors_admin.enrolled(person),
        notice=session.pop("security_notice", None),
    )


@bp.get("/profile/security/totp")
@recent_login_required
def totp_form() -> ResponseReturnValue:
    enrolment = services().factors_admin.start_totp(_person(), session)
    return render_template("security_totp.html", enrolment=enrolment, error=None)


@bp.post("/profile/security/totp")
@recent_login_required
def totp_submit() -> ResponseReturnValue:
    person = _person()
    try:
        services().factors_admin.confirm_totp(
            person,
            session,
            code=request.form.get("code", ""),
            label=request.form.get("label", ""),
            url=url_for("security.overview", _external=True),
        )
    except LoginError as exc:
        enrolment = services().factors_admin.pending_totp(person, session)
        if enrolment is None:
            return redirect(url_for("security.totp_form"), 303)
        return render_template("security_totp.html", enrolment=enrolment, error=exc), exc.status
    session["security_notice"] = "totp_added"
    return redirect(url_for("security.overview"), 303)


@bp.post("/profile/security/app")
@recent_login_required
def connect_app() -> ResponseReturnValue:
    services().factors_admin.connect_app(_person(), url=url_for("security.overview", _external=True))
    session["security_notice"] = "app_added"
    return redirect(url_for("security.overview"), 303)


def _errors(exc: ValidationError) -> dict[str, str]:
    return {e.field: e.message for e in exc.errors}


@bp.get("/profile/security/password")
@recent_login_required
def password_form() -> ResponseReturnValue:
    return render_template("security_password.html", errors={})


@bp.post("/profile/security/password")
@recent_login_required
def password_submit() -> ResponseReturnValue:
    person = _person()
    found = current_session()
    assert found is not None
    amr, acr = list(found.amr), found.acr
    try:
        change_password(
            person,
            current=request.form.get("current_password", ""),
            new=request.form.get("password", ""),
            confirm=request.form.get("password_confirm", ""),
            policy=PRESETS[services().settings.password_policy],
            end_everything=services().lifecycle.end_everything_for,
        )
    except ValidationError as exc:
        return render_template("security_password.html", errors=_errors(exc)), 400
    notify_change(services().sender, person, "password", url=url_for("sessions_page.index", _external=True))
    sign_in(person_oid=person.oid, amr=amr, acr=acr)  # this browser stays signed in, the others end
    session["security_notice"] = "password_changed"
    return redirect(url_for("security.overview"), 303)


def _contacts() -> ContactChangeService:
    s = services()
    return ContactChangeService(store=s.store, sender=s.sender, limits=s.send_limits, lookups=s.lookup_limits)


@bp.get("/profile/security/contact/<kind>")
@recent_login_required
def contact_form(kind: str) -> ResponseReturnValue:
    if kind not in ("phone", "email"):
        return redirect(url_for("security.overview"))
    pending = _contacts().pending(_person(), kind)
    return render_template("security_contact.html", kind=kind, pending=pending, errors={}, error=None)


@bp.post("/profile/security/contact/<kind>")
@recent_login_required
def contact_submit(kind: str) -> ResponseReturnValue:
    if kind not in ("phone", "email"):
        return redirect(url_for("security.overview"), 303)
    person = _person()
    try:
        if "code" in request.form:
            _contacts().confirm(person, kind, request.form["code"], url=url_for("sessions_page.index", _external=True))
            session["security_notice"] = f"{kind}_changed"
            return redirect(url_for("security.overview"), 303)
        _contacts().start(person, kind, request.form.get("value", ""), ip=request_origin().ip)
    except ValidationError as exc:
        page = render_template("security_contact.html", kind=kind, pending=None, errors=_errors(exc), error=None)
        return page, 400
    except LoginError as exc:
        pending = _contacts().pending(person, kind)
        page = render_template("security_contact.html", kind=kind, pending=pending, errors={}, error=exc)
        return page, exc.status
    return redirect(url_for("security.contact_form", kind=kind), 303)


@bp.post("/profile/security/factors/<int:factor_id>/remove")
@recent_login_required
def remove_factor(factor_id: int) -> ResponseReturnValue:
    services().factors_admin.remove(_person(), factor_id, url=url_for("security.overview", _external=True))
    session["security_notice"] = "factor_removed"
    return redirect(url_for("security.overview"), 303)
