"""A browser's login to the RP: a server-side row, referenced from the signed session cookie."""

from __future__ import annotations

import secrets
from typing import Any

from flask import session

from relying_party_demo.errors import LoginRequired
from relying_party_demo.models import LoginSession, db

SESSION_KEY = "login_session_id"
# The roles, for choosing the menu only: every decision re-reads the access token.
ROLES_KEY = "menu_roles"
# Kept across login and logout; everything else in the cookie is dropped.
PRESERVED_KEYS = ("lang",)


def start(
    *,
    subject: str,
    claims: dict[str, Any],
    scopes: frozenset[str],
    id_token: str,
    access_token: str,
) -> LoginSession:
    """Record a finished login and bind it to a fresh cookie (no session fixation)."""
    end()
    row = LoginSession(
        id=secrets.token_urlsafe(32),
        subject=subject,
        claims=claims,
        scopes=" ".join(sorted(scopes)),
        id_token=id_token,
        access_token=access_token,
        idp_sid=claims.get("sid") if isinstance(claims.get("sid"), str) else None,
    )
    db.session.add(row)
    db.session.commit()
    session[SESSION_KEY] = row.id
    roles = claims.get("roles")
    session[ROLES_KEY] = [r for r in roles if isinstance(r, str)] if isinstance(roles, list) else []
    return row


def current() -> LoginSession | None:
    session_id = session.get(SESSION_KEY)
    if not isinstance(session_id, str):
        return None
    return db.session.get(LoginSession, session_id)


def require() -> LoginSession:
    found = current()
    if found is None:
        raise LoginRequired()
    return found


def end() -> str | None:
    """Forget the current login and clear the cookie, keeping the UI language.

    Returns the ended login's ID token (for ``id_token_hint`` at the IdP), if there was one.
    """
    found = current()
    id_token = found.id_token if found is not None else None
    if found is not None:
        db.session.delete(found)
        db.session.commit()
    kept = {k: session[k] for k in PRESERVED_KEYS if k in session}
    session.clear()
    session.update(kept)
    return id_token
