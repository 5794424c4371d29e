"""«Забыли пароль?»: phone or e-mail → code → new password → sign in as usual."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from idp.accounts.passwords import PRESETS
from idp.accounts.validation import ValidationError
from idp.authn.errors import CodeExpired, LoginError
from idp.selfservice.password_reset import PasswordResetService
from idp.services import services
from idp.web.origin import request_origin

bp = Blueprint("password_reset", __name__)


def _service() -> PasswordResetService:
    s = services()
    return PasswordResetService(store=s.store, sender=s.sender, limits=s.send_limits, lifecycle=s.lifecycle)


@bp.get("/password/reset")
def start() -> ResponseReturnValue:
    return render_template("password_reset.html", step="start", error=None, errors={})


@bp.post("/password/reset")
def start_submit() -> ResponseReturnValue:
    login = request.form.get("login", "").strip()
    try:
        pending = _service().start(login[:254], ip=request_origin().ip)
    except LoginError as exc:
        return render_template("password_reset.html", step="start", error=exc, errors={}), exc.status
    session["password_reset"] = pending.id
    return redirect(url_for("password_reset.code_form"), 303)


@bp.get("/password/reset/code")
def code_form() -> ResponseReturnValue:
    pending = _service().load(session.get("password_reset"))
    return render_template("password_reset.html", step="code", channel=pending.channel, error=None, errors={})


@bp.post("/password/reset/code")
def code_submit() -> ResponseReturnValue:
    svc = _service()
    pending = svc.load(session.get("password_reset"))
    try:
        svc.check_code(pending, request.form.get("code", ""))
    except LoginError as exc:
        page = render_template("password_reset.html", step="code", channel=pending.channel, error=exc, errors={})
        return page, exc.status
    return redirect(url_for("password_reset.new_form"), 303)


@bp.get("/password/reset/new")
def new_form() -> ResponseReturnValue:
    pending = _service().load(session.get("password_reset"))
    if not pending.verified:
        raise CodeExpired()
    return render_template("password_reset.html", step="new", error=None, errors={})


@bp.post("/password/reset/new")
def new_submit() -> ResponseReturnValue:
    svc = _service()
    pending = svc.load(session.get("password_reset"))
    try:
        svc.complete(
            pending,
            request.form.get("password", ""),
            request.form.get("password_confirm", ""),
            policy=PRESETS[services().settings.password_policy],
            url=url_for("sessions_page.index", _external=True),
        )
    except ValidationError as exc:
        errors = {e.field: e.message for e in exc.errors}
        return render_template("password_reset.html", step="new", error=None, errors=errors), 400
    session.pop("password_reset", None)
    return render_template("password_reset.html", step="done", error=None, errors={})
