"""What every page needs: the caller behind the browser's login and the layout."""

from __future__ import annotations

from typing import Any

from flask import session
from flask_babel import get_locale

from relying_party_demo import labels, login_sessions
from relying_party_demo.errors import InvalidToken, SessionExpired
from relying_party_demo.guard import Caller, caller_for
from relying_party_demo.models import LoginSession
from relying_party_demo.services import services


def page_caller() -> tuple[Caller, LoginSession]:
    """The logged-in person as a caller, their login's access token re-verified."""
    login = login_sessions.require()
    try:
        token = services().access_tokens.verify(login.access_token)
    except InvalidToken as exc:
        raise SessionExpired(exc.detail) from exc
    return caller_for(token, login.access_token, login.claims), login


def layout() -> dict[str, Any]:
    # No database access here: the error page uses this layout too.
    return {
        "logged_in": login_sessions.SESSION_KEY in session,
        "menu_roles": session.get(login_sessions.ROLES_KEY, []),
        "current_locale": str(get_locale() or "ru"),
        "entry_kinds": labels.ENTRY_KINDS,
        "appointment_statuses": labels.APPOINTMENT_STATUSES,
        "slot_statuses": labels.SLOT_STATUSES,
        "document_types": labels.DOCUMENT_TYPES,
        "change_actions": labels.CHANGE_ACTIONS,
        "idp_profile_url": f"{services().settings.issuer}/profile",
    }


def day(value: str | None) -> str:
    """``2026-11-27`` (or a datetime starting so) as ``27.11.2026``, as Russian documents write it."""
    if not value or len(value) < 10:
        return value or "—"
    return f"{value[8:10]}.{value[5:7]}.{value[0:4]}"


def moment(value: str | None) -> str:
    """An ISO datetime as ``27.11.2026 09:30`` (in the offset it was written in)."""
    if not value or len(value) < 16:
        return value or "—"
    return f"{day(value)} {value[11:16]}"
