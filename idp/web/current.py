"""The signed-in person of this browser: the cookie keeps the session id, the rules are in
idp.login.signed_in."""

from __future__ import annotations

from flask import request, session

from idp.accounts.models import Person
from idp.services import services
from idp.sessions.models import BrowserSession


def current_session() -> BrowserSession | None:
    return services().browsers.session(session.get("sid"))


def current_person() -> Person | None:
    return services().browsers.person(session.get("sid"))


def sign_in(*, person_oid: int, amr: list[str], acr: str) -> None:
    """Start a fresh session: the cookie is rebuilt, so no pre-login value survives."""
    lang = session.get("lang")
    old = session.get("sid")
    session.clear()
    if lang:
        session["lang"] = lang
    session["sid"] = services().browsers.sign_in(
        replacing=old,
        person_oid=person_oid,
        amr=amr,
        acr=acr,
        ip=request.remote_addr,
        user_agent=request.headers.get("User-Agent"),
    )


def sign_out() -> None:
    services().browsers.sign_out(session.get("sid"))
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
