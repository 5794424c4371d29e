"""The signed-in person of this browser, from the server-side session."""

from __future__ import annotations

from flask import request, session

from idp.accounts.models import Person
from idp.services import services
from idp.sessions.models import BrowserSession
from idp.storage.db import db


def current_session() -> BrowserSession | None:
    return services().sessions.load(session.get("sid"))


def current_person() -> Person | None:
    found = current_session()
    if found is None:
        return None
    person = db.session.get(Person, found.person_oid)
    return None if person is None or person.disabled else person


def sign_in(*, person_oid: int, amr: list[str], acr: str) -> None:
    """Start a fresh session: the cookie is rebuilt, so no pre-login value survives."""
    lang = session.get("lang")
    old = session.get("sid")
    if old:
        services().sessions.end(old)
    session.clear()
    if lang:
        session["lang"] = lang
    session["sid"] = services().sessions.create(
        person_oid=person_oid,
        amr=amr,
        acr=acr,
        ip=request.remote_addr,
        user_agent=request.headers.get("User-Agent"),
    )


def sign_out() -> None:
    services().sessions.end(session.get("sid"))
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
