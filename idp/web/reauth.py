"""Sensitive account changes need a recent full login (ASVS 3.3.4 / 5.0 7.5.1).

A view wrapped in :func:`recent_login_required` runs only when the session's login is younger
than ``reauth_max_age``; otherwise the person logs in again (password and a second factor)
and comes back to the same page.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import TypeVar

from flask import redirect, request, session, url_for
from flask.typing import ResponseReturnValue

from idp.services import services
from idp.web.current import current_person, current_session

F = TypeVar("F", bound=Callable[..., ResponseReturnValue])


def needs_reauthentication() -> bool:
    found = current_session()
    return found is None or time.time() - found.auth_time > services().settings.reauth_max_age


def to_reauthentication(next_path: str) -> ResponseReturnValue:
    tx = services().login.transactions.start(next_path)
    session["login_tx"] = tx.id
    person = current_person()
    hint = person.phone if person is not None else None
    target = url_for("login.password_form", login_hint=hint) if hint else url_for("login.password_form")
    return redirect(target)


def recent_login_required(view: F) -> F:
    @functools.wraps(view)
    def wrapper(*args: object, **kwargs: object) -> ResponseReturnValue:
        if current_person() is None:
            return redirect(url_for("login.password_form"), 303)
        if needs_reauthentication():
            back = request.path if request.method == "GET" else url_for("security.overview")
            return to_reauthentication(back)
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
