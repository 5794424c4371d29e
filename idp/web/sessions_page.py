"""«Сеансы»: the person's signed-in browsers; end one, or all (refresh tokens too)."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, session, url_for
from flask.typing import ResponseReturnValue

from idp.selfservice import sessions_admin
from idp.services import services
from idp.web.current import current_person, current_session, sign_out

bp = Blueprint("sessions_page", __name__)


@bp.get("/profile/sessions")
def index() -> ResponseReturnValue:
    person, found = current_person(), current_session()
    if person is None or found is None:
        return redirect(url_for("login.password_form"))
    rows = sessions_admin.active_sessions(person.oid, current_hash=found.id_hash, ttl=services().settings.session_ttl)
    return render_template("sessions.html", sessions=rows, notice=session.pop("security_notice", None))


@bp.post("/profile/sessions/<handle>/end")
def end_one(handle: str) -> ResponseReturnValue:
    person = current_person()
    if person is None:
        return redirect(url_for("login.password_form"), 303)
    sessions_admin.end_one(person.oid, handle, logout=services().logout)
    session["security_notice"] = "sessions_ended"
    return redirect(url_for("sessions_page.index"), 303)


@bp.post("/profile/sessions/end-all")
def end_all() -> ResponseReturnValue:
    person = current_person()
    if person is None:
        return redirect(url_for("login.password_form"), 303)
    sessions_admin.end_all(person.oid, lifecycle=services().lifecycle)
    sign_out()
    return redirect(url_for("login.password_form"), 303)
