"""«Настройки безопасности»: two-step verification (TOTP apps, passkeys, the Gosuslugi app),
and links to the password, contacts and sessions pages. Every change needs a recent login
and is announced on the contacts the account had before the change."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from idp.accounts import factors_admin
from idp.accounts.models import Person
from idp.login.errors import LoginError
from idp.services import services
from idp.web.current import current_person
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
    enrolment = factors_admin.start_totp(services(), _person(), session)
    return render_template("security_totp.html", enrolment=enrolment, error=None)


@bp.post("/profile/security/totp")
@recent_login_required
def totp_submit() -> ResponseReturnValue:
    person = _person()
    try:
        factors_admin.confirm_totp(
            services(),
            person,
            session,
            code=request.form.get("code", ""),
            label=request.form.get("label", ""),
            url=url_for("security.overview", _external=True),
        )
    except LoginError as exc:
        enrolment = factors_admin.pending_totp(services(), person, session)
        if enrolment is None:
            return redirect(url_for("security.totp_form"), 303)
        return render_template("security_totp.html", enrolment=enrolment, error=exc), exc.status
    session["security_notice"] = "totp_added"
    return redirect(url_for("security.overview"), 303)


@bp.post("/profile/security/app")
@recent_login_required
def connect_app() -> ResponseReturnValue:
    factors_admin.connect_app(services(), _person(), url=url_for("security.overview", _external=True))
    session["security_notice"] = "app_added"
    return redirect(url_for("security.overview"), 303)


@bp.post("/profile/security/factors/<int:factor_id>/remove")
@recent_login_required
def remove_factor(factor_id: int) -> ResponseReturnValue:
    factors_admin.remove(services(), _person(), factor_id, url=url_for("security.overview", _external=True))
    session["security_notice"] = "factor_removed"
    return redirect(url_for("security.overview"), 303)
